#include "automlwizard.h"

#include "automlplots.h"
#include "automlresultview.h"
#include "datapicker.h"
#include "displaytext.h"
#include "experimentcombo.h"
#include "hostpicker.h"
#include "jobservice.h"
#include "leaderboardmodel.h"
#include "studiocontext.h"
#include "tablepreview.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/algorithms/tabular.h"
#include "cairn/data/csvreader.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QTimeEdit>
#include <QShortcut>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <cmath>

namespace cairn::panels {

namespace {

const char *kRecentKey = "automl/recentData";
constexpr int kMaxRecent = 8;
/// The engine validates with 5 folds up to this many rows and holds out a share above it.
constexpr qsizetype kCrossValidationMaxRows = 20000;

QLabel *makeErrorLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QStringLiteral("errorLabel"));
    label->setWordWrap(true);
    // A red that reads on light and dark backgrounds.
    label->setStyleSheet(QStringLiteral("QLabel { color: #d62728; }"));
    label->hide();
    return label;
}

void setError(QLabel *label, const QString &message)
{
    label->setText(message);
    label->setVisible(!message.isEmpty());
}

bool isCsvPath(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == QLatin1String("csv") || suffix == QLatin1String("tsv") || suffix == QLatin1String("txt");
}

struct ReadResult
{
    std::shared_ptr<const data::Table> table;
    QString error;
};

ReadResult readTable(const QString &path)
{
    ReadResult r;
    try {
        auto table = std::make_shared<data::Table>(data::CsvReader::read(path));
        if (table->rowCount() == 0)
            r.error = AutoMLDataPage::tr("%1 has a header but no rows.").arg(QFileInfo(path).fileName());
        else if (table->columnCount() < 2)
            r.error = AutoMLDataPage::tr("%1 has a single column: AutoML needs feature columns and a target column.")
                          .arg(QFileInfo(path).fileName());
        else
            r.table = std::move(table);
    } catch (const Error &e) {
        r.error = e.message();
    } catch (const std::exception &e) {
        r.error = QString::fromLocal8Bit(e.what());
    }
    return r;
}

struct ProfileResult
{
    automl::DataProfile profile;
    std::optional<Task> detected;
    QString error;
};

ProfileResult profileData(std::shared_ptr<const data::Table> table, const QString &target, std::optional<Task> problemType)
{
    ProfileResult r;
    try {
        r.detected = inferTask(table->column(target));
    } catch (const Error &) {
        // profileTable below says what is wrong with the target.
    }
    try {
        r.profile = automl::profileTable(*table, target, problemType);
    } catch (const Error &e) {
        r.error = e.message();
    } catch (const std::exception &e) {
        r.error = QString::fromLocal8Bit(e.what());
    }
    return r;
}

QString taskText(Task task)
{
    return gui::DisplayText::task(task);
}

QString durationText(qint64 seconds)
{
    seconds = std::max<qint64>(0, seconds);
    if (seconds >= 3600)
        return QStringLiteral("%1:%2:%3").arg(seconds / 3600).arg((seconds / 60) % 60, 2, 10, QLatin1Char('0')).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

QTableView *makeTable(QWidget *parent, const QString &name)
{
    auto *view = new QTableView(parent);
    view->setObjectName(name);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    return view;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Page 1: data

AutoMLDataPage::AutoMLDataPage(QWidget *parent)
    : QWizardPage(parent), m_layout(new QVBoxLayout(this)), m_path(new QLineEdit(this)), m_recent(new QToolButton(this)), m_dropHint(new QLabel(this)),
      m_preview(new QTableView(this)), m_model(new QStandardItemModel(this)), m_status(new QLabel(this)),
      m_errorLabel(makeErrorLabel(this))
{
    setTitle(tr("Data"));
    setSubTitle(tr("The table to learn from: a CSV file with a header row, one example per row."));
    setAcceptDrops(true);

    QVBoxLayout *v = m_layout;
    auto *row = new QHBoxLayout;
    m_path->setObjectName(QStringLiteral("dataPath"));
    m_path->setPlaceholderText(tr("CSV file"));
    m_path->setClearButtonEnabled(true);
    row->addWidget(new QLabel(tr("Training data:"), this));
    row->addWidget(m_path, 1);
    auto *browseButton = new QPushButton(tr("Browse…"), this);
    browseButton->setObjectName(QStringLiteral("browse"));
    row->addWidget(browseButton);
    m_recent->setObjectName(QStringLiteral("recent"));
    m_recent->setText(tr("Recent"));
    m_recent->setPopupMode(QToolButton::InstantPopup);
    m_recent->setMenu(new QMenu(m_recent));
    m_recent->setToolTip(tr("CSV files used lately"));
    row->addWidget(m_recent);
    v->addLayout(row);
    connect(browseButton, &QPushButton::clicked, this, &AutoMLDataPage::browse);
    connect(m_path, &QLineEdit::editingFinished, this, [this] { setPath(m_path->text()); });
    connect(m_recent->menu(), &QMenu::aboutToShow, this, &AutoMLDataPage::fillRecentMenu);

    m_dropHint->setObjectName(QStringLiteral("dropHint"));
    m_dropHint->setText(tr("…or drop a CSV file onto this page."));
    m_dropHint->setMinimumHeight(m_dropHint->fontMetrics().height() * 2 + 8);
    m_dropHint->setAlignment(Qt::AlignCenter);
    setDropHighlight(false);
    v->addWidget(m_dropHint);

    m_preview->setObjectName(QStringLiteral("dataPreview"));
    m_preview->setModel(m_model);
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->setAlternatingRowColors(true);
    m_preview->setSelectionMode(QAbstractItemView::NoSelection);
    m_preview->verticalHeader()->setDefaultSectionSize(m_preview->fontMetrics().height() + 6);
    m_preview->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    v->addWidget(m_preview, 1);
    m_status->setObjectName(QStringLiteral("dataStatus"));
    m_status->setWordWrap(true);
    m_status->setText(tr("Choose a CSV file, pick a recent one, or drop one here."));
    v->addWidget(m_status);
    v->addWidget(m_errorLabel);
    updatePreviewVisibility();
}

void AutoMLDataPage::updatePreviewVisibility()
{
    const bool shown = bool(m_table);
    m_preview->setVisible(shown);
    m_layout->setStretchFactor(m_dropHint, shown ? 0 : 1);
}

QString AutoMLDataPage::path() const
{
    return m_path->text().trimmed();
}

bool AutoMLDataPage::isComplete() const
{
    return !m_loading && m_table && m_error.isEmpty();
}

void AutoMLDataPage::showError(const QString &message)
{
    m_error = message;
    setError(m_errorLabel, message);
}

void AutoMLDataPage::setPath(const QString &rawPath)
{
    const QString path = rawPath.trimmed().isEmpty() ? QString() : QDir::cleanPath(QFileInfo(rawPath.trimmed()).absoluteFilePath());
    if (path == m_loadedPath && (m_loading || m_table || !m_error.isEmpty()))
        return;
    if (m_path->text() != QDir::toNativeSeparators(path))
        m_path->setText(QDir::toNativeSeparators(path));
    m_loadedPath = path;
    const int generation = ++m_generation;
    m_table.reset();
    m_model->clear();
    updatePreviewVisibility();
    showError({});
    if (path.isEmpty()) {
        m_loading = false;
        m_status->setText(tr("Choose a CSV file, pick a recent one, or drop one here."));
        Q_EMIT completeChanged();
        return;
    }
    if (!QFileInfo(path).isFile()) {
        m_loading = false;
        m_status->clear();
        showError(tr("%1 does not exist or is not a file.").arg(QDir::toNativeSeparators(path)));
        Q_EMIT completeChanged();
        Q_EMIT loaded(false);
        return;
    }
    m_loading = true;
    m_status->setText(tr("Reading %1…").arg(QFileInfo(path).fileName()));
    Q_EMIT completeChanged();
    auto *watcher = new QFutureWatcher<ReadResult>(this);
    connect(watcher, &QFutureWatcher<ReadResult>::finished, this, [this, watcher, generation, path] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        m_loading = false;
        const ReadResult r = watcher->result();
        if (!r.error.isEmpty()) {
            m_status->clear();
            showError(r.error);
            Q_EMIT completeChanged();
            Q_EMIT loaded(false);
            return;
        }
        m_table = r.table;
        updatePreviewVisibility();
        gui::fillTablePreview(m_model, *m_table, kPreviewRows);
        gui::fitPreviewColumns(m_preview);
        m_status->setText(tr("%1: %2 rows × %3 columns. The first %4 rows, with the type inferred for each column.")
                              .arg(QFileInfo(path).fileName())
                              .arg(QLocale().toString(m_table->rowCount()))
                              .arg(m_table->columnCount())
                              .arg(std::min<qsizetype>(m_table->rowCount(), kPreviewRows)));
        rememberRecent(path);
        Q_EMIT completeChanged();
        Q_EMIT loaded(true);
    });
    watcher->setFuture(QtConcurrent::run(readTable, path));
}

void AutoMLDataPage::browse()
{
    const QString start = path().isEmpty() ? gui::StudioContext::dialogFolder() : QFileInfo(path()).absolutePath();
    const QString chosen = QFileDialog::getOpenFileName(this, tr("Choose the training data"), start, tr("CSV files (*.csv *.tsv *.txt);;All files (*)"));
    gui::StudioContext::rememberDialogPath(chosen);
    if (!chosen.isEmpty())
        setPath(chosen);
}

QStringList AutoMLDataPage::recentFiles()
{
    return QSettings().value(QLatin1String(kRecentKey)).toStringList();
}

void AutoMLDataPage::rememberRecent(const QString &path)
{
    QStringList recent = recentFiles();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    QSettings().setValue(QLatin1String(kRecentKey), recent);
}

void AutoMLDataPage::fillRecentMenu()
{
    QMenu *menu = m_recent->menu();
    menu->clear();
    for (const QString &file : recentFiles()) {
        QAction *action = menu->addAction(QDir::toNativeSeparators(file));
        action->setEnabled(QFileInfo::exists(file));
        connect(action, &QAction::triggered, this, [this, file] { setPath(file); });
    }
    if (menu->isEmpty())
        menu->addAction(tr("No recent files"))->setEnabled(false);
}

QString AutoMLDataPage::droppedCsv(const QMimeData *mime)
{
    if (!mime || !mime->hasUrls())
        return {};
    for (const QUrl &url : mime->urls())
        if (url.isLocalFile() && isCsvPath(url.toLocalFile()))
            return url.toLocalFile();
    return {};
}

void AutoMLDataPage::setDropHighlight(bool on)
{
    // A dashed frame says where files go; it lights up while one is dragged over the page.
    const QPalette pal = palette();
    const QColor border = on ? pal.color(QPalette::Highlight) : pal.color(QPalette::Mid);
    m_dropHint->setStyleSheet(QStringLiteral("QLabel { border: 2px dashed %1; border-radius: 6px; padding: 6px; %2 }")
                                  .arg(border.name(), on ? QStringLiteral("font-weight: bold;") : QString()));
}

void AutoMLDataPage::dragEnterEvent(QDragEnterEvent *event)
{
    if (!droppedCsv(event->mimeData()).isEmpty()) {
        event->acceptProposedAction();
        setDropHighlight(true);
    }
}

void AutoMLDataPage::dragMoveEvent(QDragMoveEvent *event)
{
    if (!droppedCsv(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void AutoMLDataPage::dragLeaveEvent(QDragLeaveEvent *)
{
    setDropHighlight(false);
}

void AutoMLDataPage::dropEvent(QDropEvent *event)
{
    setDropHighlight(false);
    const QString file = droppedCsv(event->mimeData());
    if (file.isEmpty())
        return;
    event->acceptProposedAction();
    setPath(file);
}

// ---------------------------------------------------------------------------------------------
// Page 2: target, problem type, metric, profile

AutoMLTargetPage::AutoMLTargetPage(AutoMLDataPage *data, QWidget *parent)
    : QWizardPage(parent), m_data(data), m_target(new QComboBox(this)), m_problemType(new QComboBox(this)), m_metric(new QComboBox(this)),
      m_targetSummary(new QLabel(this)), m_profileLabel(new QLabel(tr("Data profile:"), this)), m_profileView(makeTable(this, QStringLiteral("profile"))),
      m_profileModel(new QStandardItemModel(this)), m_dropped(new QLabel(this)), m_errorLabel(makeErrorLabel(this))
{
    setTitle(tr("Target"));
    setSubTitle(tr("What to predict and how to judge the models. Auto picks from the data."));
    auto *v = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_target->setObjectName(QStringLiteral("target"));
    m_target->setToolTip(tr("The column the models learn to predict"));
    form->addRow(tr("Target column:"), m_target);
    m_problemType->setObjectName(QStringLiteral("problemType"));
    m_problemType->addItem(tr("Auto"), QStringLiteral("auto"));
    m_problemType->addItem(tr("Binary classification"), QStringLiteral("binary"));
    m_problemType->addItem(tr("Multiclass classification"), QStringLiteral("multiclass"));
    m_problemType->addItem(tr("Regression"), QStringLiteral("regression"));
    form->addRow(tr("Problem type:"), m_problemType);
    m_metric->setObjectName(QStringLiteral("metric"));
    m_metric->setToolTip(tr("The objective the candidates are ranked by"));
    form->addRow(tr("Objective metric:"), m_metric);
    m_targetSummary->setObjectName(QStringLiteral("targetSummary"));
    m_targetSummary->setWordWrap(true);
    form->addRow(tr("Target values:"), m_targetSummary);
    v->addLayout(form);
    v->addWidget(m_errorLabel);

    v->addWidget(m_profileLabel);
    m_profileView->setModel(m_profileModel);
    m_profileView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_profileView->horizontalHeader()->setStretchLastSection(true);
    v->addWidget(m_profileView, 1);
    m_dropped->setObjectName(QStringLiteral("dropped"));
    m_dropped->setWordWrap(true);
    v->addWidget(m_dropped);
    m_spacerIndex = v->count();
    v->addStretch(0);
    m_layout = v;
    setProfileShown(false);

    connect(m_target, &QComboBox::currentIndexChanged, this, &AutoMLTargetPage::reprofile);
    connect(m_problemType, &QComboBox::currentIndexChanged, this, &AutoMLTargetPage::reprofile);
    connect(m_metric, &QComboBox::currentIndexChanged, this, &QWizardPage::completeChanged);
}

void AutoMLTargetPage::setProfileShown(bool shown)
{
    m_profileLabel->setVisible(shown);
    m_profileView->setVisible(shown);
    m_layout->setStretch(m_spacerIndex, shown ? 0 : 1);
}

void AutoMLTargetPage::initializePage()
{
    const auto table = m_data->table();
    if (!table || table.get() == m_tableSeen)
        return; // back from the next page with the same data: keep the choices
    m_tableSeen = table.get();
    const QStringList columns = table->columnNames();
    {
        const QSignalBlocker block(m_target);
        m_target->clear();
        for (const data::Column &c : table->columns)
            m_target->addItem(QStringLiteral("%1  (%2)").arg(c.name, data::columnTypeName(c.type)), c.name);
        m_target->setCurrentIndex(m_target->findData(gui::DataPicker::guessTarget(columns)));
    }
    {
        const QSignalBlocker block(m_problemType);
        m_problemType->setCurrentIndex(0);
    }
    reprofile();
}

QString AutoMLTargetPage::target() const
{
    return m_target->currentData().toString();
}

QString AutoMLTargetPage::problemType() const
{
    return m_problemType->currentData().toString();
}

QString AutoMLTargetPage::metric() const
{
    return m_metric->currentData().toString();
}

bool AutoMLTargetPage::isComplete() const
{
    return !m_profiling && m_profileReady && m_error.isEmpty() && !target().isEmpty() && !metric().isEmpty();
}

void AutoMLTargetPage::reprofile()
{
    const auto table = m_data->table();
    const int generation = ++m_generation;
    m_profileReady = false;
    m_error.clear();
    setError(m_errorLabel, {});
    m_profileModel->clear();
    m_dropped->clear();
    m_targetSummary->clear();
    setProfileShown(false);
    if (!table) {
        m_profiling = false;
        Q_EMIT completeChanged();
        return;
    }
    const QString column = target();
    if (column.isEmpty()) {
        m_profiling = false;
        m_error = tr("Choose the target column to predict.");
        setError(m_errorLabel, m_error);
        Q_EMIT completeChanged();
        return;
    }
    std::optional<Task> forced;
    if (problemType() != QLatin1String("auto"))
        forced = taskFromName(problemType());
    m_profiling = true;
    m_targetSummary->setText(tr("Analysing the data…"));
    Q_EMIT completeChanged();
    auto *watcher = new QFutureWatcher<ProfileResult>(this);
    connect(watcher, &QFutureWatcher<ProfileResult>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        m_profiling = false;
        const ProfileResult r = watcher->result();
        m_problemType->setItemText(0, r.detected ? tr("Auto (detected: %1)").arg(taskText(*r.detected)) : tr("Auto"));
        if (!r.error.isEmpty()) {
            m_error = r.error;
            m_targetSummary->clear();
            setError(m_errorLabel, r.error);
            Q_EMIT completeChanged();
            Q_EMIT profiled(false);
            return;
        }
        m_profile = r.profile;
        m_profileReady = true;
        setProfileShown(true);
        showProfile();
        updateMetrics();
        Q_EMIT completeChanged();
        Q_EMIT profiled(true);
    });
    watcher->setFuture(QtConcurrent::run(profileData, table, column, forced));
}

void AutoMLTargetPage::showProfile()
{
    m_profileModel->setHorizontalHeaderLabels({tr("Column"), tr("Type"), tr("Missing"), tr("Distinct"), tr("Use")});
    const double rows = double(std::max<qsizetype>(1, m_profile.rows));
    QStringList dropped;
    for (const automl::ColumnProfile &c : m_profile.columns) {
        QList<QStandardItem *> row;
        row << new QStandardItem(c.name) << new QStandardItem(data::columnTypeName(c.type));
        auto *missing = new QStandardItem(c.missing == 0 ? QStringLiteral("0")
                                                         : QStringLiteral("%1 (%2 %)").arg(c.missing).arg(100.0 * double(c.missing) / rows, 0, 'f', 1));
        missing->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        auto *distinct = new QStandardItem(QString::number(c.distinct));
        distinct->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        row << missing << distinct;
        QString use;
        if (c.flag == QLatin1String("target"))
            use = tr("target");
        else if (c.dropped)
            use = tr("dropped: %1").arg(c.reason);
        else
            use = tr("feature");
        auto *useItem = new QStandardItem(use);
        useItem->setToolTip(c.reason);
        row << useItem;
        if (c.dropped || c.flag == QLatin1String("target")) {
            for (QStandardItem *item : row) {
                QFont f = item->font();
                f.setItalic(c.dropped);
                f.setBold(!c.dropped);
                item->setFont(f);
                if (c.dropped)
                    item->setForeground(QColor(0xd6, 0x27, 0x28));
            }
        }
        if (c.dropped)
            dropped << QStringLiteral("<b>%1</b> (%2)").arg(c.name.toHtmlEscaped(), c.reason.toHtmlEscaped());
        m_profileModel->appendRow(row);
    }
    m_profileView->resizeColumnsToContents();
    m_dropped->setText(dropped.isEmpty() ? tr("Every column is used as a feature.")
                                         : tr("Dropped before training: %1.").arg(dropped.join(QStringLiteral(", "))));

    // The target in one line: its classes with their counts, or its range.
    const QJsonObject d = m_profile.targetDistribution;
    QString summary;
    if (d.value(QStringLiteral("kind")).toString() == QLatin1String("classes")) {
        QStringList parts;
        const QJsonArray classes = d.value(QStringLiteral("classes")).toArray();
        for (const QJsonValue &v : classes) {
            const QJsonObject o = v.toObject();
            parts << QStringLiteral("%1 (%2)").arg(o.value(QStringLiteral("value")).toVariant().toString()).arg(o.value(QStringLiteral("count")).toVariant().toLongLong());
            if (parts.size() == 8 && classes.size() > 9) {
                parts << tr("… %n more", nullptr, int(classes.size() - 8));
                break;
            }
        }
        summary = tr("%1: %n class(es): %2", nullptr, int(classes.size())).arg(taskText(m_profile.task), parts.join(QStringLiteral(", ")));
    } else {
        summary = tr("%1: from %2 to %3, mean %4")
                      .arg(taskText(m_profile.task))
                      .arg(d.value(QStringLiteral("min")).toDouble(), 0, 'g', 6)
                      .arg(d.value(QStringLiteral("max")).toDouble(), 0, 'g', 6)
                      .arg(d.value(QStringLiteral("mean")).toDouble(), 0, 'g', 6);
    }
    const qint64 missing = d.value(QStringLiteral("missing")).toVariant().toLongLong();
    if (missing > 0)
        summary += tr("; %n row(s) without a target are left out", nullptr, int(missing));
    m_targetSummary->setText(summary);
}

void AutoMLTargetPage::updateMetrics()
{
    const QString previous = metric();
    const QSignalBlocker block(m_metric);
    m_metric->clear();
    m_metric->addItem(tr("Auto (%1)").arg(automl::defaultMetric(m_profile.task)), QStringLiteral("auto"));
    for (const QString &m : automl::metricsFor(m_profile.task))
        m_metric->addItem(m, m);
    m_metric->setCurrentIndex(std::max(0, m_metric->findData(previous)));
}

// ---------------------------------------------------------------------------------------------
// Page 3: budget

AutoMLBudgetPage::AutoMLBudgetPage(gui::JobService *service, gui::StudioContext *context, AutoMLDataPage *data, AutoMLTargetPage *target,
                                   QWidget *parent)
    : QWizardPage(parent), m_service(service), m_context(context), m_data(data), m_target(target), m_time(new QTimeEdit(this)),
      m_maxCandidates(new QSpinBox(this)), m_algorithms(new QListWidget(this)), m_ensemble(new QCheckBox(tr("Ensemble of the best candidates"), this)),
      m_experiment(new QComboBox(this)), m_name(new QLineEdit(this)), m_validation(new QLabel(this)), m_errorLabel(makeErrorLabel(this))
{
    setTitle(tr("Budget"));
    setSubTitle(tr("How long to search and what to try. The search stops at whichever limit comes first."));
    setCommitPage(true);
    setButtonText(QWizard::CommitButton, tr("Start"));
    auto *outer = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    outer->addLayout(form);
    outer->addStretch(1);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_time->setObjectName(QStringLiteral("timeLimit"));
    m_time->setDisplayFormat(QStringLiteral("H:mm:ss"));
    m_time->setTime(QTime(0, 10, 0));
    m_time->setMaximumWidth(m_time->fontMetrics().horizontalAdvance(QStringLiteral("00:00:00")) * 2 + 40);
    m_time->setToolTip(tr("Hours:minutes:seconds. Candidates still training when it runs out are stopped."));
    form->addRow(tr("Time limit:"), m_time);
    m_maxCandidates->setObjectName(QStringLiteral("maxCandidates"));
    m_maxCandidates->setRange(0, 10000);
    m_maxCandidates->setSpecialValueText(tr("no limit"));
    m_maxCandidates->setMaximumWidth(m_time->maximumWidth());
    m_maxCandidates->setToolTip(tr("The most candidate models to train (0: as many as the time allows)"));
    form->addRow(tr("Max candidates:"), m_maxCandidates);
    m_algorithms->setObjectName(QStringLiteral("algorithms"));
    m_algorithms->setMaximumHeight(m_algorithms->fontMetrics().height() * 6 + 12);
    form->addRow(tr("Algorithms:"), m_algorithms);
    m_ensemble->setObjectName(QStringLiteral("ensemble"));
    m_ensemble->setChecked(true);
    m_ensemble->setToolTip(tr("Combine the best candidates when that beats the best one alone"));
    form->addRow(QString(), m_ensemble);
    m_validation->setObjectName(QStringLiteral("validation"));
    m_validation->setWordWrap(true);
    form->addRow(tr("Validation:"), m_validation);
    m_experiment->setObjectName(QStringLiteral("experiment"));
    m_experiment->setEditable(true);
    m_experiment->setInsertPolicy(QComboBox::NoInsert);
    form->addRow(tr("Experiment:"), m_experiment);
    m_name->setObjectName(QStringLiteral("runName"));
    m_name->setPlaceholderText(tr("automatic (automl-TARGET)"));
    form->addRow(tr("Name:"), m_name);
    m_hosts = new gui::HostChecklist(this);
    m_hosts->setObjectName(QStringLiteral("hosts"));
    m_hosts->setToolTip(tr("Where the candidates train: this machine and any of your SSH hosts. With several ticked, "
                           "each candidate goes to the host with the most free room (its job limit applies)"));
    form->addRow(tr("Hosts:"), m_hosts);
    form->addRow(m_errorLabel);
    connect(m_time, &QTimeEdit::timeChanged, this, &AutoMLBudgetPage::updateState);
    connect(m_hosts, &gui::HostChecklist::hostsChanged, this, &AutoMLBudgetPage::updateState);
    connect(m_algorithms, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        const QString id = item->data(Qt::UserRole).toString();
        m_unticked.removeAll(id);
        if (item->checkState() != Qt::Checked)
            m_unticked << id;
        updateState();
    });
}

void AutoMLBudgetPage::initializePage()
{
    fillAlgorithms();
    gui::reloadExperimentCombo(m_experiment, m_context);
    const qsizetype rows = m_target->hasProfile() ? m_target->profile().rows : (m_data->table() ? m_data->table()->rowCount() : 0);
    const QString scheme = rows <= kCrossValidationMaxRows ? tr("5-fold cross-validation for these %1 rows").arg(QLocale().toString(rows))
                                                           : tr("a held-out share of these %1 rows").arg(QLocale().toString(rows));
    m_validation->setText(tr("auto (5-fold ≤ 20,000 rows, else hold-out): %1").arg(scheme));
    updateState();
}

void AutoMLBudgetPage::fillAlgorithms()
{
    const QString task = taskName(m_target->task());
    const QSignalBlocker block(m_algorithms);
    m_algorithms->clear();
    for (const QJsonObject &meta : m_service->plugins().algorithmMetadata()) {
        if (meta.value(QStringLiteral("input")).toString() != QLatin1String("tabular"))
            continue;
        const QJsonArray tasks = meta.value(QStringLiteral("tasks")).toArray();
        if (!tasks.contains(task))
            continue;
        const QString id = meta.value(QStringLiteral("id")).toString();
        auto *item = new QListWidgetItem(QStringLiteral("%1  (%2)").arg(gui::DisplayText::pluginText(meta.value(QStringLiteral("name")).toString(id)), id), m_algorithms);
        item->setData(Qt::UserRole, id);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(m_unticked.contains(id) ? Qt::Unchecked : Qt::Checked);
    }
}

int AutoMLBudgetPage::timeLimitSeconds() const
{
    return QTime(0, 0).secsTo(m_time->time());
}

void AutoMLBudgetPage::setTimeLimitSeconds(int seconds)
{
    m_time->setTime(QTime(0, 0).addSecs(seconds));
}

QStringList AutoMLBudgetPage::algorithms() const
{
    QStringList ids;
    for (int i = 0; i < m_algorithms->count(); ++i)
        if (m_algorithms->item(i)->checkState() == Qt::Checked)
            ids << m_algorithms->item(i)->data(Qt::UserRole).toString();
    return ids;
}

QString AutoMLBudgetPage::problem() const
{
    if (!m_service->manager())
        return tr("Open a workspace to run AutoML.");
    if (timeLimitSeconds() <= 0)
        return tr("Set a time limit above zero.");
    if (m_algorithms->count() == 0)
        return tr("No installed algorithm handles %1.").arg(taskText(m_target->task()));
    if (algorithms().isEmpty())
        return tr("Tick at least one algorithm to try.");
    if (m_hosts->hosts().isEmpty())
        return tr("Tick at least one host to train the candidates on.");
    return {};
}

bool AutoMLBudgetPage::isComplete() const
{
    return problem().isEmpty();
}

void AutoMLBudgetPage::updateState()
{
    setError(m_errorLabel, problem());
    Q_EMIT completeChanged();
}

// ---------------------------------------------------------------------------------------------
// Page 4: run

AutoMLRunPage::AutoMLRunPage(Starter starter, QWidget *parent)
    : QWizardPage(parent), m_starter(std::move(starter)), m_phase(new QLabel(this)), m_progress(new QLabel(this)), m_time(new QLabel(this)),
      m_view(makeTable(this, QStringLiteral("leaderboard"))), m_model(new LeaderboardModel(this)), m_plot(new BestObjectivePlot(this)),
      m_stop(new QPushButton(tr("Stop"), this)), m_errorLabel(makeErrorLabel(this)), m_clock(new QTimer(this))
{
    setTitle(tr("Run"));
    setSubTitle(tr("Candidates train in the background; closing this window leaves the job running in the AutoML panel."));
    auto *v = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    auto *texts = new QVBoxLayout;
    m_phase->setObjectName(QStringLiteral("phase"));
    m_phase->setTextFormat(Qt::RichText);
    m_phase->setWordWrap(true);
    m_progress->setObjectName(QStringLiteral("progress"));
    m_time->setObjectName(QStringLiteral("time"));
    texts->addWidget(m_phase);
    texts->addWidget(m_progress);
    texts->addWidget(m_time);
    bar->addLayout(texts, 1);
    m_stop->setObjectName(QStringLiteral("stop"));
    m_stop->setToolTip(tr("Stop the search: the candidates trained so far are kept and the best of them is saved"));
    bar->addWidget(m_stop, 0, Qt::AlignTop);
    v->addLayout(bar);
    v->addWidget(m_errorLabel);
    auto *split = new QSplitter(Qt::Vertical, this);
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->horizontalHeader()->setStretchLastSection(true);
    split->addWidget(m_view);
    m_plot->setObjectName(QStringLiteral("bestObjective"));
    m_plot->setEmptyMessage(tr("The objective of each candidate appears here as it finishes"));
    split->addWidget(m_plot);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    v->addWidget(split, 1);
    connect(m_stop, &QPushButton::clicked, this, [this] {
        if (m_job && !m_ended) {
            m_job->stop();
            m_stop->setEnabled(false);
            m_phase->setText(tr("<b>Stopping…</b>"));
        }
    });
    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, &AutoMLRunPage::updateTime);
}

automl::AutoMLSpec AutoMLRunPage::specFromWizard() const
{
    auto *w = qobject_cast<AutoMLWizard *>(wizard());
    automl::AutoMLSpec spec;
    spec.trainPath = w->dataPage()->path();
    spec.target = w->targetPage()->target();
    spec.problemType = w->targetPage()->problemType();
    spec.metric = w->targetPage()->metric();
    AutoMLBudgetPage *budget = w->budgetPage();
    spec.timeLimitSeconds = budget->timeLimitSeconds();
    spec.maxCandidates = budget->maxCandidatesSpin()->value();
    spec.algorithms = budget->algorithms();
    spec.ensemble = budget->ensembleCheck()->isChecked();
    spec.experiment = budget->experimentCombo()->currentText().trimmed();
    spec.name = budget->nameEdit()->text().trimmed();
    // One host: every candidate there (`--host`); several: spread over them (`--hosts`).
    const QStringList hosts = budget->hostList()->hosts();
    if (hosts.size() == 1)
        spec.host = hosts.first();
    else
        spec.hosts = hosts;
    return spec;
}

void AutoMLRunPage::initializePage()
{
    if (m_job)
        return; // a commit page comes before: this page starts one job per wizard
    m_spec = specFromWizard();
    auto *w = qobject_cast<AutoMLWizard *>(wizard());
    m_metric = m_spec.metric == QLatin1String("auto") ? automl::defaultMetric(w->targetPage()->task()) : m_spec.metric;
    try {
        m_job = m_starter(m_spec);
    } catch (const Error &e) {
        m_errorLabel->setText(tr("AutoML could not start: %1").arg(e.message()));
        m_errorLabel->show();
        m_phase->clear();
        m_stop->setEnabled(false);
        m_ended = true;
        return;
    }
    m_startedMs = QDateTime::currentMSecsSinceEpoch();
    m_phase->setText(tr("<b>Starting…</b>"));
    connect(m_job, &automl::AutoMLJob::phaseChanged, this, [this](const QString &phase, const QString &message) {
        m_phase->setText(QStringLiteral("<b>%1</b> %2").arg(phase.toHtmlEscaped(), message.toHtmlEscaped()));
    });
    connect(m_job, &automl::AutoMLJob::leaderboardChanged, this, &AutoMLRunPage::refresh);
    connect(m_job, &automl::AutoMLJob::candidateStarted, this, &AutoMLRunPage::refresh);
    connect(m_job, &automl::AutoMLJob::candidateFinished, this, &AutoMLRunPage::refresh);
    connect(m_job, &automl::AutoMLJob::finished, this, [this](bool ok, const QString &message) {
        m_ended = true;
        m_ok = ok;
        m_endedMs = QDateTime::currentMSecsSinceEpoch();
        m_clock->stop();
        m_stop->setEnabled(false);
        m_phase->setText(ok ? tr("<b>Finished</b> %1").arg(message.toHtmlEscaped()) : QString());
        if (!ok) {
            m_errorLabel->setText(tr("AutoML failed: %1").arg(message));
            m_errorLabel->show();
        }
        refresh();
        updateTime();
        Q_EMIT completeChanged();
        Q_EMIT jobEnded(ok);
    });
    m_clock->start();
    refresh();
    updateTime();
}

void AutoMLRunPage::refresh()
{
    if (!m_job)
        return;
    const QList<automl::Candidate> board = m_job->leaderboard();
    m_model->setCandidates(board, m_metric);
    m_view->resizeColumnsToContents();
    int done = 0, running = 0, failed = 0;
    for (const automl::Candidate &c : board) {
        if (c.state == QLatin1String("running") || c.state == QLatin1String("queued"))
            ++running;
        else
            ++done;
        if (c.state == QLatin1String("failed"))
            ++failed;
    }
    QString text = m_spec.maxCandidates > 0 ? tr("%1 of at most %2 candidates done, %3 training").arg(done).arg(m_spec.maxCandidates).arg(running)
                                            : tr("%1 candidates done, %2 training").arg(done).arg(running);
    if (failed > 0)
        text += tr(", %n failed", nullptr, failed);
    if (!board.isEmpty() && std::isfinite(board.first().objective))
        text += tr("; best %1 = %2").arg(m_metric).arg(board.first().objective, 0, 'g', 5);
    m_progress->setText(text);
    m_plot->setPoints(objectiveHistory(board), m_metric, automl::metricMaximized(m_metric), m_spec.maxCandidates);
}

void AutoMLRunPage::updateTime()
{
    if (m_startedMs == 0) {
        m_time->clear();
        return;
    }
    const qint64 now = m_ended ? m_endedMs : QDateTime::currentMSecsSinceEpoch();
    const qint64 elapsed = (now - m_startedMs) / 1000;
    if (m_ended)
        m_time->setText(tr("Took %1").arg(durationText(elapsed)));
    else
        // The job's own clock: it ends by its limit, the finish included.
        m_time->setText(tr("Elapsed %1, at most %2 left")
                            .arg(durationText(elapsed),
                                 durationText(m_job ? (m_job->remainingMs() + 999) / 1000 : m_spec.timeLimitSeconds - elapsed)));
}

bool AutoMLRunPage::isComplete() const
{
    return m_job && m_ended && m_ok;
}

// ---------------------------------------------------------------------------------------------
// Page 5: finish

AutoMLFinishPage::AutoMLFinishPage(gui::StudioContext *context, AutoMLRunPage *run, QWidget *parent)
    : QWizardPage(parent), m_context(context), m_run(run), m_view(new AutoMLResultView(context, this))
{
    setTitle(tr("Best model"));
    setSubTitle(tr("The best model is saved with the AutoML run: “cairn predict --model RUN” scores raw CSV rows with it."));
    setFinalPage(true);
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    m_view->setLeaderboardVisible(false);
    v->addWidget(m_view);
}

void AutoMLFinishPage::initializePage()
{
    automl::AutoMLJob *job = m_run->job();
    if (!job)
        return;
    QString artifactDir;
    if (m_context->hasWorkspace() && !job->runUuid().isEmpty())
        artifactDir = m_context->workspace().artifactDir(job->runUuid());
    m_view->setResult(AutoMLResult::fromJob(job, m_run->spec(), artifactDir));
}

// ---------------------------------------------------------------------------------------------

AutoMLWizard::AutoMLWizard(gui::StudioContext *context, gui::JobService *service, AutoMLRunPage::Starter starter, QWidget *parent)
    : QWizard(parent)
{
    setWindowTitle(tr("New AutoML job"));
    setObjectName(QStringLiteral("automlWizard"));
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnLastPage, true);
    setOption(QWizard::NoCancelButtonOnLastPage, true);
    m_data = new AutoMLDataPage(this);
    m_target = new AutoMLTargetPage(m_data, this);
    m_budget = new AutoMLBudgetPage(service, context, m_data, m_target, this);
    m_run = new AutoMLRunPage(std::move(starter), this);
    m_finish = new AutoMLFinishPage(context, m_run, this);
    setPage(DataPageId, m_data);
    setPage(TargetPageId, m_target);
    setPage(BudgetPageId, m_budget);
    setPage(RunPageId, m_run);
    setPage(FinishPageId, m_finish);
    // Once the job runs, Cancel only closes the window: the job goes on in the panel.
    const QString cancel = buttonText(QWizard::CancelButton);
    connect(this, &QWizard::currentIdChanged, this, [this, cancel](int id) {
        setButtonText(QWizard::CancelButton, id == RunPageId ? tr("Close") : cancel);
    });
    // Ctrl+Enter goes on from any page (Start on the budget page), as Train does in the Training form;
    // the buttons sit below every page, always in view.
    for (const QKeySequence &keys : {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)}) {
        auto *shortcut = new QShortcut(keys, this);
        connect(shortcut, &QShortcut::activated, this, [this] {
            for (const auto which : {QWizard::CommitButton, QWizard::NextButton, QWizard::FinishButton}) {
                QAbstractButton *b = button(which);
                if (b && b->isVisible() && b->isEnabled()) {
                    b->click();
                    return;
                }
            }
        });
    }
    button(QWizard::CommitButton)->setToolTip(tr("Start the AutoML job (Ctrl+Enter)"));
    resize(1000, 720);
}

} // namespace cairn::panels

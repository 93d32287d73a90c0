#include "rundetailview.h"

#include "historyloader.h"
#include "runcolumn.h"
#include "threadstore.h"

#include "curveplot.h"
#include "displaytext.h"
#include "metriccatalog.h"
#include "plotcolors.h"
#include "plotexport.h"
#include "studiocontext.h"

#include "cairn/data/csvreader.h"
#include "cairn/store/experimentstore.h"
#include "cairn/store/runexport.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImageReader>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QMimeDatabase>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSet>
#include <QSlider>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolButton>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace cairn::panels {

namespace {

QTableWidget *makeTable(const QStringList &headers, QWidget *parent)
{
    auto *table = new QTableWidget(0, int(headers.size()), parent);
    table->setHorizontalHeaderLabels(headers);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    table->horizontalHeader()->setStretchLastSection(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setAlternatingRowColors(true);
    table->setSortingEnabled(false);
    table->setWordWrap(false);
    return table;
}

QTableWidgetItem *item(const QString &text, bool numeric = false)
{
    auto *i = new QTableWidgetItem(text);
    i->setToolTip(text);
    if (numeric)
        i->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return i;
}

QString humanSize(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

} // namespace

RunDetailView::RunDetailView(gui::StudioContext *context, QWidget *parent) : QWidget(parent), m_context(context)
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_stack = new QStackedWidget(this);
    outer->addWidget(m_stack);

    m_placeholder = new QLabel(tr("Select a run to see its parameters, metrics, curves, tags and artifacts.\n"
                                  "Select two or more to compare them."),
                               this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_stack->addWidget(m_placeholder);

    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(6, 6, 6, 6);
    m_title = new QLabel(page);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_info = new QLabel(page);
    m_info->setObjectName(QStringLiteral("runInfo"));
    m_info->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_info->setWordWrap(true);
    connect(m_info, &QLabel::linkActivated, this, [this](const QString &link) {
        if (link.startsWith(QLatin1String("run:")))
            Q_EMIT runRequested(link.mid(4));
        else if (link.startsWith(QLatin1String("file:")))
            QDesktopServices::openUrl(QUrl(link));
    });
    layout->addWidget(m_title);
    layout->addWidget(m_info);

    m_tabs = new QTabWidget(page);
    m_tabs->setDocumentMode(true);
    layout->addWidget(m_tabs, 1);

    // Overview: params and metrics side by side.
    auto *overview = new QSplitter(Qt::Horizontal, m_tabs);
    m_params = makeTable({tr("Parameter"), tr("Value")}, overview);
    m_metrics = makeTable({tr("Metric"), tr("Last"), tr("Min"), tr("Max"), tr("Step"), tr("Points")}, overview);
    m_params->setSortingEnabled(true);
    m_metrics->setSortingEnabled(true);
    m_params->sortByColumn(0, Qt::AscendingOrder);
    m_metrics->sortByColumn(0, Qt::AscendingOrder);
    overview->addWidget(m_params);
    overview->addWidget(m_metrics);
    overview->setStretchFactor(0, 2);
    overview->setStretchFactor(1, 3);
    m_tabs->addTab(overview, tr("Overview"));

    // Curves: pick metrics on the left, plot on the right.
    auto *curves = new QWidget(m_tabs);
    auto *curvesLayout = new QHBoxLayout(curves);
    curvesLayout->setContentsMargins(0, 4, 0, 0);
    m_curveKeys = new QListWidget(curves);
    m_curveKeys->setMaximumWidth(200);
    m_curveKeys->setToolTip(tr("Tick the metrics to plot"));
    curvesLayout->addWidget(m_curveKeys);
    auto *plotSide = new QVBoxLayout;
    auto *plotBar = new QHBoxLayout;
    m_xAxis = new QComboBox(curves);
    m_xAxis->addItem(tr("Step"), int(XAxisKind::Step));
    m_xAxis->addItem(tr("Relative time (s)"), int(XAxisKind::RelativeSeconds));
    m_xAxis->addItem(tr("Wall time"), int(XAxisKind::WallTime));
    m_smoothing = new QSlider(Qt::Horizontal, curves);
    m_smoothing->setRange(0, 99);
    m_smoothing->setMaximumWidth(140);
    m_smoothing->setToolTip(tr("Smoothing (exponential moving average)"));
    m_logY = new QCheckBox(tr("Log scale"), curves);
    auto *exportButton = new QToolButton(curves);
    exportButton->setText(tr("Export…"));
    exportButton->setToolTip(tr("Save the plot as PNG or SVG"));
    plotBar->addWidget(new QLabel(tr("X:"), curves));
    plotBar->addWidget(m_xAxis);
    plotBar->addWidget(new QLabel(tr("Smoothing:"), curves));
    plotBar->addWidget(m_smoothing);
    plotBar->addWidget(m_logY);
    plotBar->addStretch(1);
    plotBar->addWidget(exportButton);
    plotSide->addLayout(plotBar);
    m_plot = new gui::CurvePlot(curves);
    m_plot->setEmptyMessage(tr("Tick a metric on the left to plot it"));
    plotSide->addWidget(m_plot, 1);
    curvesLayout->addLayout(plotSide, 1);
    m_tabs->addTab(curves, tr("Curves"));
    connect(m_curveKeys, &QListWidget::itemChanged, this, [this] {
        if (!m_filling)
            loadCurves();
    });
    connect(m_xAxis, &QComboBox::currentIndexChanged, this, [this] { loadCurves(); });
    connect(m_smoothing, &QSlider::valueChanged, this, [this](int v) { m_plot->setSmoothing(v / 100.0); });
    connect(m_logY, &QCheckBox::toggled, m_plot, &gui::CurvePlot::setLogY);
    connect(exportButton, &QToolButton::clicked, this,
            [this] { gui::exportPlotInteractively(m_plot, this, m_run.name + QStringLiteral("-curves")); });

    // Tags: edit in place, add and remove.
    auto *tagsPage = new QWidget(m_tabs);
    auto *tagsLayout = new QVBoxLayout(tagsPage);
    tagsLayout->setContentsMargins(0, 4, 0, 0);
    m_tags = makeTable({tr("Tag"), tr("Value")}, tagsPage);
    m_tags->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed | QAbstractItemView::AnyKeyPressed);
    connect(m_tags, &QTableWidget::cellChanged, this, &RunDetailView::tagEdited);
    auto *tagButtons = new QHBoxLayout;
    auto *addTag = new QPushButton(style()->standardIcon(QStyle::SP_FileDialogNewFolder), tr("Add Tag…"), tagsPage);
    auto *removeTag = new QPushButton(style()->standardIcon(QStyle::SP_TrashIcon), tr("Remove Tag"), tagsPage);
    tagButtons->addWidget(addTag);
    tagButtons->addWidget(removeTag);
    tagButtons->addStretch(1);
    tagButtons->addWidget(new QLabel(tr("Double-click a value to edit it."), tagsPage));
    tagsLayout->addLayout(tagButtons);
    tagsLayout->addWidget(m_tags, 1);
    connect(addTag, &QPushButton::clicked, this, &RunDetailView::addTag);
    connect(removeTag, &QPushButton::clicked, this, &RunDetailView::removeTag);
    m_tabs->addTab(tagsPage, tr("Tags"));

    // Artifacts: list, preview, open with the desktop.
    auto *artifacts = new QSplitter(Qt::Horizontal, m_tabs);
    auto *artifactSide = new QWidget(artifacts);
    auto *artifactLayout = new QVBoxLayout(artifactSide);
    artifactLayout->setContentsMargins(0, 4, 0, 0);
    m_artifacts = new QTreeWidget(artifactSide);
    m_artifacts->setObjectName(QStringLiteral("artifactList"));
    m_artifacts->setHeaderLabels({tr("Artifact"), tr("Size")});
    m_artifacts->setRootIsDecorated(false);
    m_artifacts->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_artifacts->header()->setStretchLastSection(false);
    artifactLayout->addWidget(m_artifacts, 1);
    auto *artifactButtons = new QHBoxLayout;
    m_openArtifact = new QPushButton(style()->standardIcon(QStyle::SP_DialogOpenButton), tr("Open"), artifactSide);
    m_openArtifact->setToolTip(tr("Open with the desktop's application for this file type"));
    auto *showFolder = new QPushButton(style()->standardIcon(QStyle::SP_DirOpenIcon), tr("Show Folder"), artifactSide);
    artifactButtons->addWidget(m_openArtifact);
    artifactButtons->addWidget(showFolder);
    artifactButtons->addStretch(1);
    artifactLayout->addLayout(artifactButtons);
    m_preview = new QStackedWidget(artifacts);
    m_previewMessage = new QLabel(m_preview);
    m_previewMessage->setAlignment(Qt::AlignCenter);
    m_previewMessage->setWordWrap(true);
    m_textPreview = new QPlainTextEdit(m_preview);
    m_textPreview->setReadOnly(true);
    m_textPreview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_textPreview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_imageScroll = new QScrollArea(m_preview);
    m_imagePreview = new QLabel(m_imageScroll);
    m_imagePreview->setAlignment(Qt::AlignCenter);
    m_imageScroll->setWidget(m_imagePreview);
    m_imageScroll->setWidgetResizable(true);
    // A confusion matrix reads as a coloured grid, not as CSV.
    m_matrixPage = new QWidget(m_preview);
    auto *matrixLayout = new QVBoxLayout(m_matrixPage);
    matrixLayout->setContentsMargins(0, 0, 0, 0);
    auto *matrixCaption = new QLabel(tr("Rows: the true class · columns: the predicted class · colour: the share of the row "
                                        "(the diagonal is right)"),
                                     m_matrixPage);
    matrixCaption->setWordWrap(true);
    m_matrix = new QTableWidget(m_matrixPage);
    m_matrix->setObjectName(QStringLiteral("confusionMatrix"));
    m_matrix->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_matrix->setSelectionMode(QAbstractItemView::NoSelection);
    m_matrix->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_matrix->verticalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    matrixLayout->addWidget(matrixCaption);
    matrixLayout->addWidget(m_matrix, 1);
    m_preview->addWidget(m_previewMessage);
    m_preview->addWidget(m_textPreview);
    m_preview->addWidget(m_imageScroll);
    m_preview->addWidget(m_matrixPage);
    artifacts->addWidget(artifactSide);
    artifacts->addWidget(m_preview);
    artifacts->setStretchFactor(1, 2);
    m_tabs->addTab(artifacts, tr("Artifacts"));
    connect(m_artifacts, &QTreeWidget::currentItemChanged, this, &RunDetailView::previewArtifact);
    auto openCurrent = [this] {
        if (QTreeWidgetItem *current = m_artifacts->currentItem())
            QDesktopServices::openUrl(QUrl::fromLocalFile(current->data(0, Qt::UserRole).toString()));
    };
    connect(m_openArtifact, &QPushButton::clicked, this, openCurrent);
    connect(m_artifacts, &QTreeWidget::itemDoubleClicked, this, openCurrent);
    connect(showFolder, &QPushButton::clicked, this, [this] {
        const QString dir = m_context->workspace().artifactDir(m_run.uuid);
        if (QFileInfo::exists(dir))
            QDesktopServices::openUrl(QUrl::fromLocalFile(dir));
        else
            showError(tr("This run has no artifact folder yet (%1).").arg(dir));
    });

    // Child runs (tuning trials).
    m_childList = new QTreeWidget(m_tabs);
    m_childList->setHeaderLabels({tr("Child run"), tr("Status"), tr("Run id")});
    m_childList->setRootIsDecorated(false);
    connect(m_childList, &QTreeWidget::itemActivated, this,
            [this](QTreeWidgetItem *i) { Q_EMIT runRequested(i->data(0, Qt::UserRole).toString()); });
    m_tabs->addTab(m_childList, tr("Child Runs"));

    m_stack->addWidget(page);
    clear();
}

void RunDetailView::clear()
{
    m_run = Run();
    m_stack->setCurrentIndex(0);
}

void RunDetailView::showError(const QString &message)
{
    QMessageBox::warning(this, tr("Run"), message);
}

void RunDetailView::showRun(qint64 runId)
{
    try {
        const QList<Run> runs = m_context->store().runsByIds({runId});
        if (runs.isEmpty()) {
            clear();
            return;
        }
        const bool sameRun = runs.first().id == m_run.id;
        m_run = runs.first();
        m_children = m_run.uuid.isEmpty() ? QList<Run>() : m_context->store().childRuns(m_run.uuid);
        fillHeader();
        fillTables();
        if (!sameRun)
            fillArtifacts();
        m_stack->setCurrentIndex(1);
        if (!sameRun || m_run.status == RunStatus::Running)
            loadCurves();
    } catch (const Error &e) {
        m_placeholder->setText(tr("Cannot read the run: %1").arg(e.message()));
        clear();
    }
}

void RunDetailView::reload()
{
    if (m_run.id >= 0)
        showRun(m_run.id);
}

void RunDetailView::fillHeader()
{
    const Run &r = m_run;
    static const QHash<RunStatus, const char *> colors = {{RunStatus::Scheduled, "#e09a1a"}, {RunStatus::Running, "#2f7fe0"},
                                                          {RunStatus::Finished, "#2ca04c"}, {RunStatus::Failed, "#d63a3a"},
                                                          {RunStatus::Killed, "#8a8a8a"}};
    m_title->setText(QStringLiteral("<span style='font-size:large'><b>%1</b></span> &nbsp; <b style='color:%3'>%2</b>")
                         .arg(r.name.toHtmlEscaped(), gui::DisplayText::runStatus(r.status), QString::fromLatin1(colors.value(r.status))));
    QStringList parts;
    QString experimentName;
    try {
        experimentName = m_context->store().experiment(r.experimentId).name;
    } catch (const Error &) {
    }
    parts << tr("Run id <code>%1</code>").arg(r.uuid);
    parts << tr("Experiment <b>%1</b>").arg(experimentName.toHtmlEscaped());
    parts << tr("Started %1").arg(gui::DisplayText::dateTime(r.startTime));
    parts << tr("Duration %1%2").arg(formatDuration(r.durationMs()), r.endTime > 0 ? QString() : tr(" (still running)"));
    QString source = r.sourceType.toHtmlEscaped();
    if (!r.sourceRef.isEmpty()) {
        if (QFileInfo::exists(r.sourceRef))
            source += QStringLiteral(" <a href='%1'>%2</a>").arg(QUrl::fromLocalFile(r.sourceRef).toString(), r.sourceRef.toHtmlEscaped());
        else
            source += QLatin1Char(' ') + r.sourceRef.toHtmlEscaped();
    }
    parts << tr("Source %1").arg(source);
    parts << tr("Host %1").arg(r.host.toHtmlEscaped());
    // A distributed run: its ranks and where each ran, as rank 0 recorded them.
    for (const Tag &t : m_context->store().tags(r.id))
        if (t.key == QLatin1String("distributed.ranks")) {
            const int ranks = int(t.value.count(QLatin1Char('=')));
            parts << tr("Distributed over %n rank(s): %1", nullptr, ranks).arg(t.value.toHtmlEscaped());
        }
    if (!r.parentUuid.isEmpty())
        parts << tr("Parent <a href='run:%1'>%2</a>").arg(r.parentUuid, r.parentUuid.left(8));
    if (!m_children.isEmpty())
        parts << tr("%n child runs", nullptr, int(m_children.size()));
    m_info->setText(parts.join(QStringLiteral(" &nbsp;·&nbsp; ")));
    if (r.lifecycle == Lifecycle::Deleted)
        m_info->setText(m_info->text() + QStringLiteral("<br><i>") + tr("This run is deleted; restore it from the table's menu.") + QStringLiteral("</i>"));
}

void RunDetailView::fillTables()
{
    m_filling = true;
    ExperimentStore &store = m_context->store();
    const QList<Param> params = store.params(m_run.id);
    m_params->setSortingEnabled(false);
    m_params->setRowCount(int(params.size()));
    for (int i = 0; i < params.size(); ++i) {
        m_params->setItem(i, 0, item(params.at(i).key));
        m_params->setItem(i, 1, item(params.at(i).value));
    }
    m_params->setSortingEnabled(true);
    m_params->resizeColumnToContents(0);

    const QList<MetricSummary> metrics = store.metricSummaries(m_run.id);
    m_metrics->setSortingEnabled(false);
    m_metrics->setRowCount(int(metrics.size()));
    for (int i = 0; i < metrics.size(); ++i) {
        const MetricSummary &m = metrics.at(i);
        m_metrics->setItem(i, 0, item(m.key));
        auto number = [](double v) {
            auto *cell = item(compactNumber(v), true);
            cell->setToolTip(formatMetricValue(v));
            cell->setData(Qt::UserRole, v);
            return cell;
        };
        m_metrics->setItem(i, 1, number(m.last));
        m_metrics->setItem(i, 2, number(m.min));
        m_metrics->setItem(i, 3, number(m.max));
        m_metrics->setItem(i, 4, item(QString::number(m.lastStep), true));
        m_metrics->setItem(i, 5, item(QString::number(m.count), true));
    }
    m_metrics->setSortingEnabled(true);
    m_metrics->resizeColumnsToContents();

    // The metric list keeps its ticks across reloads; a new run starts on the curves its
    // algorithm is judged by (series with steps, never a single value).
    m_algorithm.clear();
    for (const Param &p : params)
        if (p.key == QLatin1String("algorithm"))
            m_algorithm = p.value;
    QHash<QString, qint64> counts;
    for (const MetricSummary &m : metrics)
        counts.insert(m.key, m.count);
    QStringList ticked = checkedCurveKeys();
    const bool sameRun = m_curveKeys->property("runId").toLongLong() == m_run.id;
    if (!sameRun)
        ticked.clear();
    bool listChanged = m_curveKeys->count() != metrics.size();
    for (int i = 0; i < m_curveKeys->count() && !listChanged; ++i)
        listChanged = m_curveKeys->item(i)->data(Qt::UserRole).toString() != metrics.at(i).key
                   || m_curveKeys->item(i)->data(Qt::UserRole + 1).toLongLong() != metrics.at(i).count;
    if (listChanged || !sameRun) {
        const bool wasDefault = ticked.isEmpty() || ticked == m_curveKeys->property("defaultKeys").toStringList();
        const QStringList defaults = gui::MetricCatalog::defaultCurves(m_algorithm, counts);
        if (wasDefault)
            ticked = defaults; // still on the defaults: follow them as a running run grows
        m_curveKeys->clear();
        for (const MetricSummary &m : metrics) {
            // What each series is: per step, per epoch… or one value.
            const QString what = m.count <= 1 ? tr("one value")
                                              : gui::MetricCatalog::unitText(gui::MetricCatalog::unitOf(m_algorithm, m.key));
            auto *i = new QListWidgetItem(tr("%1 (%2)").arg(m.key, what), m_curveKeys);
            i->setData(Qt::UserRole, m.key);
            i->setData(Qt::UserRole + 1, m.count);
            i->setToolTip(tr("%1: %n point(s)", nullptr, int(m.count)).arg(m.key));
            i->setFlags(i->flags() | Qt::ItemIsUserCheckable);
            i->setCheckState(ticked.contains(m.key) ? Qt::Checked : Qt::Unchecked);
        }
        m_curveKeys->setProperty("runId", m_run.id);
        m_curveKeys->setProperty("defaultKeys", defaults);
    }

    const QList<Tag> tags = store.tags(m_run.id);
    m_tags->setRowCount(int(tags.size()));
    for (int i = 0; i < tags.size(); ++i) {
        auto *key = item(tags.at(i).key);
        key->setFlags(key->flags() & ~Qt::ItemIsEditable);
        m_tags->setItem(i, 0, key);
        m_tags->setItem(i, 1, item(tags.at(i).value));
    }
    m_tags->resizeColumnToContents(0);

    m_childList->clear();
    for (const Run &child : std::as_const(m_children)) {
        auto *i = new QTreeWidgetItem(m_childList, {child.name, gui::DisplayText::runStatus(child.status), child.uuid});
        i->setData(0, Qt::UserRole, child.uuid);
    }
    m_tabs->setTabVisible(m_tabs->indexOf(m_childList), !m_children.isEmpty());
    m_filling = false;
}

void RunDetailView::fillArtifacts()
{
    m_artifacts->clear();
    const Workspace &workspace = m_context->workspace();
    const QString root = workspace.artifactDir(m_run.uuid);
    for (const ArtifactInfo &a : workspace.artifacts(m_run.uuid)) {
        if (a.isDir)
            continue;
        auto *i = new QTreeWidgetItem(m_artifacts, {a.path, humanSize(a.size)});
        i->setData(0, Qt::UserRole, QDir(root).filePath(a.path));
        i->setData(1, Qt::UserRole, a.size);
        i->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
    }
    m_previewMessage->setText(m_artifacts->topLevelItemCount() == 0
                                  ? tr("This run has no artifacts.\nLog them with cairn.log_artifact() or a job's output.")
                                  : tr("Select an artifact to preview it."));
    m_preview->setCurrentWidget(m_previewMessage);
    m_openArtifact->setEnabled(false);
}

void RunDetailView::previewArtifact()
{
    QTreeWidgetItem *current = m_artifacts->currentItem();
    m_openArtifact->setEnabled(current != nullptr);
    if (!current) {
        m_preview->setCurrentWidget(m_previewMessage);
        return;
    }
    const QString path = current->data(0, Qt::UserRole).toString();
    const qint64 size = current->data(1, Qt::UserRole).toLongLong();
    const QMimeType mime = QMimeDatabase().mimeTypeForFile(path);
    if (QImageReader::imageFormat(path).size() > 0) {
        QImageReader reader(path);
        reader.setAutoTransform(true);
        const QImage image = reader.read();
        if (!image.isNull()) {
            QPixmap pixmap = QPixmap::fromImage(image);
            QSize room = m_imageScroll->viewport()->size() - QSize(8, 8);
            if (room.width() < 200 || room.height() < 150) // not laid out yet (a tab just shown)
                room = QSize(800, 600);
            if (pixmap.width() > room.width() || pixmap.height() > room.height())
                pixmap = pixmap.scaled(room, Qt::KeepAspectRatio, Qt::SmoothTransformation);
            m_imagePreview->setPixmap(pixmap);
            m_preview->setCurrentWidget(m_imageScroll);
            return;
        }
    }
    if (QFileInfo(path).fileName().startsWith(QLatin1String("confusion_matrix")) && showConfusionMatrix(path))
        return;
    if (mime.inherits(QStringLiteral("text/plain")) || mime.name() == QLatin1String("application/json")
        || mime.name() == QLatin1String("application/x-yaml")) {
        QFile file(path);
        if (file.open(QIODevice::ReadOnly)) {
            constexpr qint64 kMaxPreview = 256 * 1024; // a preview, not an editor
            QString text = QString::fromUtf8(file.read(kMaxPreview));
            if (size > kMaxPreview)
                text += tr("\n… (%1 more; open the file to see all of it)").arg(humanSize(size - kMaxPreview));
            m_textPreview->setPlainText(text);
            m_preview->setCurrentWidget(m_textPreview);
            return;
        }
    }
    m_previewMessage->setText(tr("No preview for %1 (%2, %3).\nUse Open to view it with the desktop's application.")
                                  .arg(QFileInfo(path).fileName(), mime.comment(), humanSize(size)));
    m_preview->setCurrentWidget(m_previewMessage);
}

bool RunDetailView::showConfusionMatrix(const QString &path)
{
    data::Table table;
    try {
        table = data::CsvReader::read(path);
    } catch (const Error &) {
        return false; // not the matrix we write: show the text
    }
    const qsizetype classes = table.rowCount();
    if (classes == 0 || table.columnCount() != classes + 1)
        return false;
    QStringList truth, predicted;
    for (qsizetype r = 0; r < classes; ++r)
        truth << table.columns.at(0).text(r);
    for (qsizetype c = 1; c < table.columnCount(); ++c)
        predicted << table.columns.at(c).name;
    m_matrix->clear();
    m_matrix->setRowCount(int(classes));
    m_matrix->setColumnCount(int(classes));
    m_matrix->setVerticalHeaderLabels(truth);
    m_matrix->setHorizontalHeaderLabels(predicted);
    const QColor base = palette().color(QPalette::Base);
    const QColor strong = gui::seriesColor(0);
    for (qsizetype r = 0; r < classes; ++r) {
        double rowSum = 0;
        for (qsizetype c = 1; c <= classes; ++c)
            rowSum += table.columns.at(c).text(r).toDouble();
        for (qsizetype c = 1; c <= classes; ++c) {
            const double n = table.columns.at(c).text(r).toDouble();
            const double share = rowSum > 0 ? n / rowSum : 0;
            auto *cell = new QTableWidgetItem(QLocale().toString(qint64(n)));
            cell->setTextAlignment(Qt::AlignCenter);
            // From the background to the series colour by the share of the row.
            const QColor fill = QColor::fromRgbF(float(base.redF() + (strong.redF() - base.redF()) * share),
                                                 float(base.greenF() + (strong.greenF() - base.greenF()) * share),
                                                 float(base.blueF() + (strong.blueF() - base.blueF()) * share));
            cell->setBackground(fill);
            cell->setForeground(fill.lightnessF() < 0.5 ? Qt::white : Qt::black);
            cell->setToolTip(tr("True %1, predicted %2: %3 (%4% of %1)")
                                 .arg(truth.at(r), predicted.at(c - 1), QLocale().toString(qint64(n)))
                                 .arg(share * 100, 0, 'f', 1));
            m_matrix->setItem(int(r), int(c - 1), cell);
        }
    }
    m_preview->setCurrentWidget(m_matrixPage);
    return true;
}

QStringList RunDetailView::checkedCurveKeys() const
{
    QStringList keys;
    for (int i = 0; i < m_curveKeys->count(); ++i)
        if (m_curveKeys->item(i)->checkState() == Qt::Checked)
            keys << m_curveKeys->item(i)->data(Qt::UserRole).toString();
    return keys;
}

void RunDetailView::loadCurves()
{
    // One history load at a time (as CompareView): live refreshes must not pile loads up.
    if (m_curvesInFlight) {
        m_curvesAgain = true;
        return;
    }
    const QStringList keys = checkedCurveKeys();
    const int request = ++m_curveRequest;
    const auto kind = XAxisKind(m_xAxis->currentData().toInt());
    m_plot->setXKind(kind == XAxisKind::WallTime ? gui::CurvePlot::XKind::WallTime
                     : kind == XAxisKind::Step  ? gui::CurvePlot::XKind::Step
                                                : gui::CurvePlot::XKind::Seconds);
    // Steps of one unit (epochs, rounds) name the axis; curves of different units say theirs.
    QSet<int> units;
    for (const QString &key : keys)
        units.insert(int(gui::MetricCatalog::unitOf(m_algorithm, key)));
    const bool oneUnit = units.size() == 1;
    const QString xLabel = kind == XAxisKind::Step && oneUnit ? gui::MetricCatalog::axisText(gui::MetricCatalog::Unit(*units.cbegin()))
                                                              : m_xAxis->currentText();
    m_plot->setLabels(xLabel, keys.size() == 1 ? keys.first() : tr("value"));
    const QString algorithm = m_algorithm;
    if (keys.isEmpty()) {
        m_plot->setCurves({});
        return;
    }
    const Run run = m_run;
    const QString path = m_context->store().databasePath();
    auto *watcher = new QFutureWatcher<QList<RunHistory>>(this);
    m_curvesInFlight = true;
    connect(watcher, &QFutureWatcher<QList<RunHistory>>::finished, this, [this, watcher, request, kind, oneUnit, algorithm] {
        watcher->deleteLater();
        m_curvesInFlight = false;
        if (m_curvesAgain) {
            m_curvesAgain = false;
            loadCurves();
            return;
        }
        if (request != m_curveRequest)
            return;
        QList<gui::CurvePlot::Curve> curves;
        for (const RunHistory &h : watcher->result()) {
            gui::CurvePlot::Curve c;
            c.name = oneUnit || kind != XAxisKind::Step
                         ? h.series.key
                         : tr("%1 (%2)").arg(h.series.key, gui::MetricCatalog::unitText(gui::MetricCatalog::unitOf(algorithm, h.series.key)));
            historyToXY(h, kind, c.x, c.y);
            curves << c;
        }
        m_plot->setCurves(curves);
    });
    watcher->setFuture(QtConcurrent::run([path, run, keys] {
        QList<RunHistory> out;
        for (const QString &key : keys) {
            RunHistory h;
            h.run = run;
            try {
                h.series = threadStore(path).metricHistory(run.id, key);
            } catch (const std::exception &) {
                h.series.key = key;
            }
            out << h;
        }
        return out;
    }));
}

void RunDetailView::addTag()
{
    bool ok = false;
    const QString key = QInputDialog::getText(this, tr("Add Tag"), tr("Tag name:"), QLineEdit::Normal, {}, &ok).trimmed();
    if (!ok || key.isEmpty())
        return;
    const QString value = QInputDialog::getText(this, tr("Add Tag"), tr("Value of %1:").arg(key), QLineEdit::Normal, {}, &ok);
    if (!ok)
        return;
    try {
        m_context->store().setTag(m_run.uuid, key, value);
        m_context->notifyStoreChanged();
        showRun(m_run.id);
    } catch (const Error &e) {
        showError(e.message());
    }
}

void RunDetailView::removeTag()
{
    const int row = m_tags->currentRow();
    if (row < 0 || !m_tags->item(row, 0))
        return;
    try {
        m_context->store().deleteTag(m_run.uuid, m_tags->item(row, 0)->text());
        m_context->notifyStoreChanged();
        showRun(m_run.id);
    } catch (const Error &e) {
        showError(e.message());
    }
}

void RunDetailView::tagEdited(int row, int column)
{
    if (m_filling || column != 1 || !m_tags->item(row, 0) || !m_tags->item(row, 1))
        return;
    try {
        m_context->store().setTag(m_run.uuid, m_tags->item(row, 0)->text(), m_tags->item(row, 1)->text());
        m_context->notifyStoreChanged();
    } catch (const Error &e) {
        showError(e.message());
    }
}

} // namespace cairn::panels

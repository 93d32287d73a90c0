#include "datapicker.h"
#include "studiocontext.h"
#include "tablepreview.h"

#include "cairn/data/csvreader.h"
#include "cairn/jobs/jobspeccheck.h"
#include "cairn/util/error.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTableView>
#include <QtConcurrent>

namespace cairn::gui {

namespace {
struct PreviewResult
{
    data::Table table;
    QString error;
};

PreviewResult readPreview(const QString &path)
{
    PreviewResult r;
    try {
        // The whole file as the job will read it: a ragged row further down, or a table too
        // big for this machine's memory, is refused here rather than by a failed job (first, so
        // a too big file is refused from its head alone).
        checkTableFile(DataPicker::channelFor(path));
        data::CsvOptions options;
        options.maxRows = 500; // enough rows to infer types; the head of a big file only
        r.table = data::CsvReader::read(path, options);
    } catch (const Error &e) {
        r.error = e.message();
    } catch (const std::exception &e) {
        r.error = QString::fromLocal8Bit(e.what());
    }
    return r;
}
} // namespace

DataPicker::DataPicker(QWidget *parent)
    : QWidget(parent), m_train(new QLineEdit(this)), m_validation(new QLineEdit(this)), m_preview(new QTableView(this)),
      m_model(new QStandardItemModel(this)), m_status(new QLabel(this)), m_targetLabel(new QLabel(tr("Target:"), this)),
      m_target(new QComboBox(this))
{
    auto *form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    auto pathRow = [&](QLineEdit *edit, const QString &placeholder, const QString &dialogTitle) {
        auto *row = new QWidget(this);
        auto *h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        edit->setPlaceholderText(placeholder);
        edit->setClearButtonEnabled(true);
        auto *browseButton = new QPushButton(tr("Browse…"), row);
        h->addWidget(edit, 1);
        h->addWidget(browseButton);
        connect(browseButton, &QPushButton::clicked, this, [this, edit, dialogTitle] { browse(edit, dialogTitle); });
        if (edit == m_train) {
            // Image folders (one sub-folder per class) are picked as folders, not files.
            auto *folderButton = new QPushButton(tr("Folder…"), row);
            folderButton->setToolTip(tr("Choose an image folder with one sub-folder per class"));
            h->addWidget(folderButton);
            connect(folderButton, &QPushButton::clicked, this, [this, edit] {
                const QString start = edit->text().isEmpty() ? StudioContext::dialogFolder() : QFileInfo(edit->text()).absolutePath();
                const QString path = QFileDialog::getExistingDirectory(this, tr("Choose an image folder"), start);
                StudioContext::rememberDialogPath(path);
                if (path.isEmpty())
                    return;
                edit->setText(QDir::toNativeSeparators(path));
                loadPreview();
            });
        }
        return row;
    };
    m_train->setObjectName(QStringLiteral("trainPath"));
    m_validation->setObjectName(QStringLiteral("validationPath"));
    form->addRow(tr("Training data:"), pathRow(m_train, tr("CSV file, IDX images or an image folder"), tr("Choose the training data")));
    form->addRow(tr("Validation data:"), pathRow(m_validation, tr("optional: a share of the training data is held out"), tr("Choose the validation data")));
    connect(m_train, &QLineEdit::editingFinished, this, &DataPicker::loadPreview);
    connect(m_validation, &QLineEdit::editingFinished, this, &DataPicker::changed);

    m_preview->setObjectName(QStringLiteral("dataPreview"));
    m_preview->setModel(m_model);
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->setAlternatingRowColors(true);
    m_preview->setSelectionMode(QAbstractItemView::NoSelection);
    m_preview->verticalHeader()->setDefaultSectionSize(m_preview->fontMetrics().height() + 6);
    m_preview->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_preview->setMinimumHeight(140);
    m_preview->hide();
    form->addRow(m_preview);
    m_status->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("dataStatus"));
    form->addRow(m_status);
    m_target->setObjectName(QStringLiteral("target"));
    m_target->setToolTip(tr("The column the model learns to predict"));
    form->addRow(m_targetLabel, m_target);
    connect(m_target, &QComboBox::currentIndexChanged, this, &DataPicker::changed);
}

DataPicker::~DataPicker() = default;

void DataPicker::browse(QLineEdit *edit, const QString &title)
{
    const QString start = edit->text().isEmpty() ? StudioContext::dialogFolder() : QFileInfo(edit->text()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, title, start, tr("Data (*.csv *.tsv *.txt *.gz *-ubyte *.idx *.jsonl *.manifest);;All files (*)"));
    StudioContext::rememberDialogPath(path);
    if (path.isEmpty())
        return;
    edit->setText(QDir::toNativeSeparators(path));
    if (edit == m_train)
        loadPreview();
    else
        Q_EMIT changed();
}

void DataPicker::setTrainPath(const QString &path)
{
    m_train->setText(path);
    loadPreview();
}

QString DataPicker::trainPath() const
{
    return m_train->text().trimmed();
}

void DataPicker::setValidationPath(const QString &path)
{
    m_validation->setText(path);
    Q_EMIT changed();
}

QString DataPicker::validationPath() const
{
    return m_validation->text().trimmed();
}

void DataPicker::setTarget(const QString &column)
{
    m_pendingTarget = column;
    const int i = m_target->findData(column);
    if (i >= 0) {
        m_target->setCurrentIndex(i);
        m_pendingTarget.clear();
    }
}

QString DataPicker::target() const
{
    if (m_loading && !m_pendingTarget.isEmpty())
        return m_pendingTarget;
    return m_target->currentData().toString();
}

void DataPicker::setTargetVisible(bool visible)
{
    m_target->setVisible(visible);
    m_targetLabel->setVisible(visible);
}

data::ChannelSpec DataPicker::channelFor(const QString &path)
{
    data::ChannelSpec c;
    c.path = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    c.type = data::ChannelSpec::guessType(c.path);
    if (c.type == data::ChannelSpec::Type::Idx) {
        // The usual MNIST naming: xxx-images-idx3-ubyte.gz goes with xxx-labels-idx1-ubyte.gz.
        QString guess = c.path;
        guess.replace(QStringLiteral("-images-idx3-"), QStringLiteral("-labels-idx1-"));
        if (guess != c.path && QFileInfo::exists(guess))
            c.labelsPath = guess;
    }
    return c;
}

bool DataPicker::isTabular() const
{
    return !trainPath().isEmpty() && data::ChannelSpec::guessType(trainPath()) == data::ChannelSpec::Type::Csv;
}

QString DataPicker::problem() const
{
    const QString path = trainPath();
    if (path.isEmpty())
        return tr("Choose the training data.");
    if (!QFileInfo::exists(path))
        return tr("The training data %1 does not exist.").arg(path);
    if (!validationPath().isEmpty() && !QFileInfo::exists(validationPath()))
        return tr("The validation data %1 does not exist.").arg(validationPath());
    if (!m_error.isEmpty())
        return m_error;
    return {};
}

void DataPicker::loadPreview()
{
    const QString path = trainPath();
    if (path == m_loadedPath && (m_loading || !m_columns.isEmpty() || !m_error.isEmpty()))
        return;
    m_loadedPath = path;
    const int generation = ++m_generation;
    m_model->clear();
    m_columns.clear();
    m_types.clear();
    m_error.clear();
    {
        const QSignalBlocker block(m_target);
        if (!m_target->currentData().toString().isEmpty() && m_pendingTarget.isEmpty())
            m_pendingTarget = m_target->currentData().toString();
        m_target->clear();
    }
    m_preview->hide();
    if (path.isEmpty()) {
        m_status->clear();
        m_loading = false;
        Q_EMIT changed();
        return;
    }
    const QFileInfo info(path);
    if (!info.exists()) {
        m_status->setText(tr("%1 does not exist.").arg(path));
        m_loading = false;
        Q_EMIT changed();
        Q_EMIT previewLoaded(false);
        return;
    }
    const data::ChannelSpec channel = channelFor(path);
    if (channel.type != data::ChannelSpec::Type::Csv) {
        m_status->setText(tr("%1: %2 (the labels come with the data; no target column to pick).")
                              .arg(info.fileName(), data::ChannelSpec::typeName(channel.type)));
        setTargetVisible(false);
        m_loading = false;
        Q_EMIT changed();
        Q_EMIT previewLoaded(true);
        return;
    }
    m_loading = true;
    m_status->setText(tr("Reading %1…").arg(info.fileName()));
    auto *watcher = new QFutureWatcher<PreviewResult>(this);
    connect(watcher, &QFutureWatcher<PreviewResult>::finished, this, [this, watcher, generation, path] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        m_loading = false;
        const PreviewResult r = watcher->result();
        if (!r.error.isEmpty()) {
            m_error = r.error;
            m_status->setText(r.error);
            Q_EMIT changed();
            Q_EMIT previewLoaded(false);
            return;
        }
        const data::Table &t = r.table;
        for (const data::Column &c : t.columns) {
            m_columns << c.name;
            m_types << data::columnTypeName(c.type);
        }
        fillTablePreview(m_model, t, kPreviewRows);
        fitPreviewColumns(m_preview);
        m_preview->show();
        m_status->setText(tr("%1: %n column(s); the first rows with the type inferred for each column.", nullptr, int(t.columnCount()))
                              .arg(QFileInfo(path).fileName()));
        setTargetVisible(true);
        {
            const QSignalBlocker block(m_target);
            for (int i = 0; i < m_columns.size(); ++i)
                m_target->addItem(QStringLiteral("%1  (%2)").arg(m_columns.at(i), m_types.at(i)), m_columns.at(i));
            const QString want = !m_pendingTarget.isEmpty() && m_columns.contains(m_pendingTarget) ? m_pendingTarget : guessTarget(m_columns);
            m_target->setCurrentIndex(std::max(0, int(m_target->findData(want))));
            m_pendingTarget.clear();
        }
        Q_EMIT changed();
        Q_EMIT previewLoaded(true);
    });
    watcher->setFuture(QtConcurrent::run(readPreview, path));
    Q_EMIT changed();
}

QString DataPicker::guessTarget(const QStringList &columns)
{
    static const QStringList usual = {QStringLiteral("target"), QStringLiteral("label"), QStringLiteral("class"), QStringLiteral("y"),
                                      QStringLiteral("survived"), QStringLiteral("species"), QStringLiteral("outcome")};
    for (const QString &name : columns)
        if (usual.contains(name.toLower()))
            return name;
    return columns.isEmpty() ? QString() : columns.last();
}

} // namespace cairn::gui

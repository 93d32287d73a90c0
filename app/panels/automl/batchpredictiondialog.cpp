#include "batchpredictiondialog.h"
#include "hostpicker.h"
#include "studiocontext.h"

#include "cairn/algorithms/modelloader.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/algorithms/predictionscsv.h"
#include "cairn/data/csvreader.h"
#include "cairn/util/error.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSaveFile>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace cairn::panels {

namespace {

struct BatchResult
{
    qsizetype rows = 0;
    QString error;
};

/// Loads the model, scores every row of `input` and writes `output` (on a worker thread).
BatchResult predictCsv(const QString &modelDir, const QString &input, const QString &output)
{
    BatchResult r;
    try {
        PluginManager plugins;
        ModelCard card;
        std::unique_ptr<Predictor> predictor = loadPredictor(plugins, modelDir, &card);
        const data::Table table = data::CsvReader::read(input);
        PredictionInput in;
        in.channel.path = input;
        in.channel.type = data::ChannelSpec::Type::Csv;
        in.table = &table;
        const Predictions p = predictor->predict(in);
        const QByteArray out = predictionsCsv(p);
        QSaveFile f(output);
        if (!f.open(QIODevice::WriteOnly) || f.write(out) != out.size() || !f.commit())
            throw Error(BatchPredictionDialog::tr("cannot write %1: %2").arg(output, f.errorString()));
        r.rows = p.rows();
    } catch (const Error &e) {
        r.error = e.message();
    } catch (const std::exception &e) {
        r.error = QString::fromLocal8Bit(e.what());
    }
    return r;
}

/// Scores on an SSH host the way `cairn predict --host` does (the model and the input go over
/// once, the predictions come back): by running that very command.
BatchResult predictCsvOnHost(const QString &modelDir, const QString &input, const QString &output, const QString &host)
{
    BatchResult r;
    const QString next = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("cairn"));
    const QString program = QFileInfo(next).isExecutable() ? next : qEnvironmentVariable("CAIRN_CLI", QStringLiteral("cairn"));
    QStringList args;
    // The model folder lies in <workspace>/artifacts/<run>/model.
    const QString workspace = QDir::cleanPath(modelDir + QStringLiteral("/../../.."));
    if (QFileInfo::exists(QDir(workspace).filePath(QStringLiteral("cairn.db"))))
        args << QStringLiteral("--workspace") << workspace;
    args << QStringLiteral("predict") << QStringLiteral("--model") << modelDir << QStringLiteral("--input") << input << QStringLiteral("--output") << output
         << QStringLiteral("--host") << host;
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(-1) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        const QString err = QString::fromLocal8Bit(p.readAllStandardError()).trimmed();
        r.error = err.isEmpty() ? p.errorString() : err.section(QLatin1Char('\n'), -1);
        return r;
    }
    QFile f(output);
    if (f.open(QIODevice::ReadOnly))
        r.rows = std::max<qsizetype>(0, f.readAll().count('\n') - 1);
    return r;
}

} // namespace

BatchPredictionDialog::BatchPredictionDialog(const QString &modelDir, const QString &runUuid, QWidget *parent)
    : QDialog(parent), m_modelDir(modelDir), m_runUuid(runUuid), m_input(new QLineEdit(this)),
      m_output(new QLineEdit(this)), m_start(new QPushButton(tr("Predict"), this)), m_status(new QLabel(this))
{
    setWindowTitle(tr("Batch prediction"));
    setObjectName(QStringLiteral("batchPrediction"));
    auto *v = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Scores every row of a CSV with the best model of run %1 (the same columns as the training data; the "
                                "target may be missing) and writes the predictions to a new CSV.")
                                 .arg(runUuid.left(8)),
                             this);
    intro->setWordWrap(true);
    v->addWidget(intro);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto pathRow = [this](QLineEdit *edit, bool save) {
        auto *row = new QWidget(this);
        auto *h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        edit->setClearButtonEnabled(true);
        h->addWidget(edit, 1);
        auto *browse = new QPushButton(tr("Browse…"), row);
        h->addWidget(browse);
        connect(browse, &QPushButton::clicked, this, [this, edit, save] {
            const QString start = edit->text().isEmpty() ? gui::StudioContext::dialogFolder() : QFileInfo(edit->text()).absolutePath();
            const QString filter = tr("CSV files (*.csv);;All files (*)");
            const QString path = save ? QFileDialog::getSaveFileName(this, tr("Write the predictions to"), start, filter)
                                      : QFileDialog::getOpenFileName(this, tr("Rows to score"), start, filter);
            if (path.isEmpty())
                return;
            gui::StudioContext::rememberDialogPath(path);
            if (save)
                m_outputTouched = true;
            edit->setText(QDir::toNativeSeparators(path));
            if (!save)
                setInputPath(path);
        });
        return row;
    };
    m_input->setObjectName(QStringLiteral("input"));
    m_output->setObjectName(QStringLiteral("output"));
    form->addRow(tr("Input CSV:"), pathRow(m_input, false));
    form->addRow(tr("Output CSV:"), pathRow(m_output, true));
    m_host = new gui::HostPicker(this);
    m_host->setObjectName(QStringLiteral("host"));
    m_host->setToolTip(tr("Where to score: this machine, or an SSH host (the model and the rows go over once, the predictions come back)"));
    form->addRow(tr("Host:"), m_host);
    v->addLayout(form);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_status);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_start->setObjectName(QStringLiteral("predict"));
    m_start->setDefault(true);
    buttons->addButton(m_start, QDialogButtonBox::ActionRole);
    v->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_start, &QPushButton::clicked, this, [this] { start(); });
    connect(m_input, &QLineEdit::textEdited, this, [this](const QString &text) { setInputPath(text); });
    connect(m_output, &QLineEdit::textEdited, this, [this] {
        m_outputTouched = true;
        m_showingResult = false;
        updateState();
    });
    resize(640, sizeHint().height());
    updateState();
}

BatchPredictionDialog::~BatchPredictionDialog() = default;

void BatchPredictionDialog::setInputPath(const QString &path)
{
    m_showingResult = false;
    if (m_input->text() != path)
        m_input->setText(path);
    // The output goes next to the input unless the user chose where.
    if (!m_outputTouched && !path.trimmed().isEmpty()) {
        const QFileInfo in(path.trimmed());
        m_output->setText(QDir::toNativeSeparators(in.absoluteDir().filePath(in.completeBaseName() + QStringLiteral("-predictions.csv"))));
    }
    updateState();
}

void BatchPredictionDialog::setOutputPath(const QString &path)
{
    m_showingResult = false;
    m_outputTouched = true;
    m_output->setText(path);
    updateState();
}

bool BatchPredictionDialog::isRunning() const
{
    return m_running;
}

QString BatchPredictionDialog::problem() const
{
    const QString in = m_input->text().trimmed(), out = m_output->text().trimmed();
    if (!QFileInfo::exists(QDir(m_modelDir).filePath(QStringLiteral("model.json"))))
        return tr("Run %1 has no saved model.").arg(m_runUuid.left(8));
    if (in.isEmpty())
        return tr("Choose the CSV to score.");
    if (!QFileInfo(in).isFile())
        return tr("%1 does not exist.").arg(in);
    if (out.isEmpty())
        return tr("Choose where to write the predictions.");
    if (QFileInfo(out).absoluteFilePath() == QFileInfo(in).absoluteFilePath())
        return tr("The output would overwrite the input: choose another file.");
    if (!QFileInfo(QFileInfo(out).absolutePath()).isDir())
        return tr("The folder of %1 does not exist.").arg(out);
    return {};
}

void BatchPredictionDialog::updateState()
{
    if (isRunning())
        return;
    const QString p = problem();
    m_start->setEnabled(p.isEmpty());
    if (!p.isEmpty())
        m_status->setText(p);
    else if (!m_showingResult)
        m_status->clear();
}

bool BatchPredictionDialog::start()
{
    if (isRunning())
        return false;
    if (const QString p = problem(); !p.isEmpty()) {
        m_status->setText(p);
        return false;
    }
    const QString in = QFileInfo(m_input->text().trimmed()).absoluteFilePath();
    const QString out = QFileInfo(m_output->text().trimmed()).absoluteFilePath();
    m_running = true;
    m_start->setEnabled(false);
    m_status->setText(tr("Scoring %1…").arg(QFileInfo(in).fileName()));
    auto *watcher = new QFutureWatcher<BatchResult>(this);
    connect(watcher, &QFutureWatcher<BatchResult>::finished, this, [this, watcher, out] {
        watcher->deleteLater();
        m_running = false;
        m_showingResult = true;
        const BatchResult r = watcher->result();
        const bool ok = r.error.isEmpty();
        m_status->setText(ok ? tr("Wrote %n prediction(s) to %1.", nullptr, int(r.rows)).arg(QDir::toNativeSeparators(out))
                             : tr("The prediction failed: %1").arg(r.error));
        m_start->setEnabled(problem().isEmpty());
        Q_EMIT predictionFinished(ok);
    });
    const QString host = m_host->host();
    if (host == QLatin1String("local"))
        watcher->setFuture(QtConcurrent::run(predictCsv, m_modelDir, in, out));
    else
        watcher->setFuture(QtConcurrent::run(predictCsvOnHost, m_modelDir, in, out, host));
    return true;
}

} // namespace cairn::panels

#include "automlresultview.h"

#include "batchpredictiondialog.h"
#include "displaytext.h"
#include "leaderboardmodel.h"
#include "studiocontext.h"

#include "cairn/algorithms/explain.h"
#include "cairn/automl/dataprofile.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <cmath>

namespace cairn::panels {

namespace {

QJsonDocument readJson(const QString &path, QString *error = nullptr)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = AutoMLResultView::tr("cannot read %1: %2").arg(path, f.errorString());
        return {};
    }
    QJsonParseError parseError;
    QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError && error)
        *error = AutoMLResultView::tr("%1 is not valid JSON: %2").arg(path, parseError.errorString());
    return doc;
}

QList<ImportancePlot::Bar> barsFrom(const QList<FeatureImportance> &importance)
{
    QList<ImportancePlot::Bar> bars;
    for (const FeatureImportance &f : importance)
        bars << ImportancePlot::Bar{f.feature, f.importance, f.stddev};
    return bars;
}

/// explanations/*.json: [{feature, importance, stddev}] (importanceToJson).
QList<ImportancePlot::Bar> readImportance(const QString &path)
{
    QList<ImportancePlot::Bar> bars;
    if (!QFileInfo::exists(path))
        return bars;
    const QJsonDocument doc = readJson(path);
    const QJsonArray items = doc.isArray() ? doc.array() : doc.object().value(QStringLiteral("features")).toArray();
    for (const QJsonValue &v : items) {
        const QJsonObject o = v.toObject();
        bars << ImportancePlot::Bar{o.value(QStringLiteral("feature")).toString(), o.value(QStringLiteral("importance")).toDouble(),
                                    o.value(QStringLiteral("stddev")).toDouble()};
    }
    return bars;
}

QString existing(const QString &path)
{
    return QFileInfo::exists(path) ? path : QString();
}

QString metricText(const QString &name, double value)
{
    return QStringLiteral("%1 %2").arg(name.toHtmlEscaped()).arg(value, 0, 'g', 5);
}

} // namespace

QList<QPair<int, double>> objectiveHistory(const QList<automl::Candidate> &candidates)
{
    // Candidates are numbered in the order they were started; those that finished are plotted in
    // that order (the leaderboard itself is sorted best first). Ensembles come after the search.
    QList<automl::Candidate> order = candidates;
    std::stable_sort(order.begin(), order.end(), [](const automl::Candidate &a, const automl::Candidate &b) {
        if (a.ensemble != b.ensemble)
            return !a.ensemble;
        return a.index < b.index;
    });
    QList<QPair<int, double>> points;
    for (const automl::Candidate &c : order)
        if (c.state.compare(QLatin1String("finished"), Qt::CaseInsensitive) == 0 && std::isfinite(c.objective))
            points << qMakePair(c.index, c.objective);
    return points;
}

const automl::Candidate *AutoMLResult::best() const
{
    for (const automl::Candidate &c : leaderboard)
        if (c.state.compare(QLatin1String("finished"), Qt::CaseInsensitive) == 0 && std::isfinite(c.objective))
            return &c;
    return nullptr;
}

AutoMLResult AutoMLResult::fromJob(automl::AutoMLJob *job, const automl::AutoMLSpec &spec, const QString &artifactDir)
{
    AutoMLResult r;
    r.runUuid = job->runUuid();
    r.name = spec.name;
    r.target = spec.target;
    r.task = taskName(job->profile().task);
    r.metric = job->metric();
    if (r.metric.isEmpty() || r.metric == QLatin1String("auto"))
        r.metric = spec.metric == QLatin1String("auto") ? automl::defaultMetric(job->profile().task) : spec.metric;
    r.running = !job->isFinished();
    r.leaderboard = job->leaderboard();
    r.importance = barsFrom(job->importance());
    if (!artifactDir.isEmpty()) {
        r.shap = readImportance(QDir(artifactDir).filePath(QStringLiteral("explanations/shap_importance.json")));
        for (QString path : job->notebooks()) {
            if (QFileInfo(path).isRelative())
                path = QDir(artifactDir).filePath(path);
            if (path.endsWith(QLatin1String("data_exploration.ipynb")))
                r.dataNotebook = existing(path);
            else if (path.endsWith(QLatin1String("candidate_definitions.ipynb")))
                r.candidateNotebook = existing(path);
        }
    }
    return r;
}

QList<automl::Candidate> AutoMLResult::parseLeaderboard(const QJsonDocument &doc)
{
    const QJsonArray items = doc.isArray() ? doc.array() : doc.object().value(QStringLiteral("candidates")).toArray();
    QList<automl::Candidate> candidates;
    for (const QJsonValue &v : items)
        candidates << automl::Candidate::fromJson(v.toObject());
    return candidates;
}

AutoMLResult AutoMLResult::load(const QString &runUuid, const QString &artifactDir)
{
    AutoMLResult r;
    r.runUuid = runUuid;
    const QDir dir(artifactDir);
    const QString specPath = dir.filePath(QStringLiteral("automl/spec.json"));
    if (QFileInfo::exists(specPath)) {
        const automl::AutoMLSpec spec = automl::AutoMLSpec::fromJson(readJson(specPath).object());
        r.name = spec.name;
        r.target = spec.target;
        r.metric = spec.metric;
    }
    const QString profilePath = dir.filePath(QStringLiteral("automl/profile.json"));
    if (QFileInfo::exists(profilePath)) {
        const automl::DataProfile profile = automl::DataProfile::fromJson(readJson(profilePath).object());
        r.task = taskName(profile.task);
        if (r.target.isEmpty())
            r.target = profile.target;
        if (r.metric.isEmpty() || r.metric == QLatin1String("auto"))
            r.metric = automl::defaultMetric(profile.task);
    }
    const QString boardPath = dir.filePath(QStringLiteral("automl/leaderboard.json"));
    if (QFileInfo::exists(boardPath)) {
        QString error;
        const QJsonDocument doc = readJson(boardPath, &error);
        r.error = error;
        r.leaderboard = parseLeaderboard(doc);
        // The leaderboard names the objective and the task as resolved from "auto".
        r.metric = doc.object().value(QStringLiteral("metric")).toString(r.metric);
        r.task = doc.object().value(QStringLiteral("task")).toString(r.task);
    }
    r.importance = readImportance(dir.filePath(QStringLiteral("explanations/importance.json")));
    r.shap = readImportance(dir.filePath(QStringLiteral("explanations/shap_importance.json")));
    r.dataNotebook = existing(dir.filePath(QStringLiteral("notebooks/data_exploration.ipynb")));
    r.candidateNotebook = existing(dir.filePath(QStringLiteral("notebooks/candidate_definitions.ipynb")));
    return r;
}

AutoMLResultView::AutoMLResultView(gui::StudioContext *context, QWidget *parent)
    : QWidget(parent), m_context(context), m_summary(new QLabel(this)), m_split(new QSplitter(Qt::Vertical, this)),
      m_view(new QTableView(m_split)), m_model(new LeaderboardModel(this)), m_tabs(new QTabWidget(m_split)),
      m_importance(new ImportancePlot(m_tabs)), m_objective(new BestObjectivePlot(m_tabs)),
      m_openData(new QPushButton(tr("Open data exploration notebook"), this)),
      m_openCandidates(new QPushButton(tr("Open candidate notebook"), this)), m_openRun(new QPushButton(tr("Open runs"), this)),
      m_batch(new QPushButton(tr("Batch prediction…"), this))
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);
    m_summary->setObjectName(QStringLiteral("summary"));
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_summary);
    auto *buttons = new QHBoxLayout;
    m_openData->setObjectName(QStringLiteral("openDataNotebook"));
    m_openData->setToolTip(tr("The data analysis as a notebook: profile, distributions, dropped columns"));
    m_openCandidates->setObjectName(QStringLiteral("openCandidateNotebook"));
    m_openCandidates->setToolTip(tr("A notebook that retrains each candidate through the CLI or the Python client"));
    m_openRun->setObjectName(QStringLiteral("openRun"));
    m_openRun->setToolTip(tr("Show the AutoML run (its candidates are child runs) in the Experiments panel"));
    m_batch->setObjectName(QStringLiteral("batchPrediction"));
    m_batch->setToolTip(tr("Score a CSV with the best model and write the predictions to another CSV"));
    for (QPushButton *b : {m_openData, m_openCandidates, m_openRun, m_batch})
        buttons->addWidget(b);
    // The winner's model goes to the Models panel: registered as a version, or served.
    auto *registerModel = new QPushButton(tr("Register model…"), this);
    registerModel->setObjectName(QStringLiteral("registerModel"));
    registerModel->setToolTip(tr("Register the best model as a new version of a registered model"));
    auto *deployModel = new QPushButton(tr("Deploy…"), this);
    deployModel->setObjectName(QStringLiteral("deployModel"));
    deployModel->setToolTip(tr("Serve the best model behind an HTTP endpoint"));
    buttons->addWidget(registerModel);
    buttons->addWidget(deployModel);
    connect(registerModel, &QPushButton::clicked, this, [this] { Q_EMIT m_context->registerModelRequested(m_result.runUuid); });
    connect(deployModel, &QPushButton::clicked, this, [this] { Q_EMIT m_context->deployModelRequested(m_result.runUuid); });
    buttons->addStretch(1);
    v->addLayout(buttons);

    m_view->setObjectName(QStringLiteral("leaderboard"));
    m_view->setModel(m_model);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        const QString uuid = m_model->index(index.row(), 0).data(LeaderboardModel::kRunRole).toString();
        if (!uuid.isEmpty())
            Q_EMIT m_context->showRunRequested(uuid);
    });
    m_importance->setObjectName(QStringLiteral("importance"));
    m_importance->setEmptyMessage(tr("Feature importance appears when the best model is known"));
    m_objective->setObjectName(QStringLiteral("objectiveOverCandidates"));
    m_objective->setEmptyMessage(tr("No finished candidate"));
    m_tabs->addTab(m_importance, tr("Feature importance"));
    m_tabs->addTab(m_objective, tr("Objective over candidates"));
    m_split->addWidget(m_view);
    m_split->addWidget(m_tabs);
    m_split->setStretchFactor(0, 2);
    m_split->setStretchFactor(1, 3);
    v->addWidget(m_split, 1);

    connect(m_openData, &QPushButton::clicked, this, [this] { Q_EMIT m_context->openNotebookRequested(m_result.dataNotebook); });
    connect(m_openCandidates, &QPushButton::clicked, this, [this] { Q_EMIT m_context->openNotebookRequested(m_result.candidateNotebook); });
    connect(m_openRun, &QPushButton::clicked, this, [this] { Q_EMIT m_context->showRunRequested(m_result.runUuid); });
    connect(m_batch, &QPushButton::clicked, this, &AutoMLResultView::batchPrediction);
    clear(tr("Run an AutoML job or pick one to see its results."));
}

void AutoMLResultView::setLeaderboardVisible(bool visible)
{
    m_view->setVisible(visible);
}

void AutoMLResultView::clear(const QString &message)
{
    ++m_generation;
    m_loading = false;
    m_result = {};
    m_summary->setText(QStringLiteral("<i>%1</i>").arg(message.toHtmlEscaped()));
    m_model->setCandidates({}, {});
    m_importance->setImportance({}, {}, {});
    m_objective->setPoints({}, {}, true, 0);
    updateButtons();
}

void AutoMLResultView::setResult(const AutoMLResult &result)
{
    ++m_generation;
    m_loading = false;
    m_result = result;
    m_model->setCandidates(result.leaderboard, result.metric);
    m_view->resizeColumnsToContents();
    m_importance->setImportance(result.importance, result.shap, result.metric);
    m_objective->setPoints(objectiveHistory(result.leaderboard), result.metric, automl::metricMaximized(result.metric), 0);

    QString text;
    const QString name = result.name.isEmpty() ? result.runUuid.left(8) : result.name;
    if (!result.error.isEmpty())
        text += QStringLiteral("<p style='color:#d62728'>%1</p>").arg(result.error.toHtmlEscaped());
    QString about = tr("<b>%1</b>: predicts <b>%2</b> (%3), objective %4")
                        .arg(name.toHtmlEscaped(), result.target.toHtmlEscaped(), gui::DisplayText::task(result.task).toHtmlEscaped(), result.metric.toHtmlEscaped());
    if (result.running)
        about += tr(" — running");
    text += about;
    if (const automl::Candidate *b = result.best()) {
        QStringList metrics;
        for (auto it = b->metrics.constBegin(); it != b->metrics.constEnd(); ++it)
            if (it.key() != result.metric && std::isfinite(it.value()))
                metrics << metricText(it.key(), it.value());
        text += QStringLiteral("<br>") + tr("Best model: <b>%1</b> with %2 = <b>%3</b>")
                                             .arg((b->ensemble ? LeaderboardModel::algorithmText(*b) : b->name()).toHtmlEscaped())
                                             .arg(result.metric.toHtmlEscaped())
                                             .arg(b->objective, 0, 'g', 6);
        if (!metrics.isEmpty())
            text += QStringLiteral("; ") + metrics.join(QStringLiteral(", "));
        text += QStringLiteral("<br>") + tr("Trains in %1 s, predicts in %2 µs per row.")
                                             .arg(b->trainSeconds, 0, 'f', 2)
                                             .arg(b->predictMicrosPerRow, 0, 'f', 1);
        if (b->ensemble) {
            QStringList members;
            for (auto it = b->params.constBegin(); it != b->params.constEnd(); ++it)
                members << QStringLiteral("%1 × %2").arg(it.key().toHtmlEscaped()).arg(it.value().toDouble(), 0, 'g', 3);
            if (!members.isEmpty())
                text += QStringLiteral("<br>") + tr("Members: %1").arg(members.join(QStringLiteral(", ")));
        }
    } else if (!result.running) {
        text += QStringLiteral("<br>") + tr("No candidate finished.");
    }
    m_summary->setText(text);
    updateButtons();
    Q_EMIT resultShown();
}

void AutoMLResultView::showStoredRun(const QString &runUuid)
{
    QString dir;
    try {
        dir = m_context->workspace().artifactDir(runUuid);
    } catch (const Error &e) {
        clear(e.message());
        return;
    }
    const int generation = ++m_generation;
    m_loading = true;
    m_summary->setText(QStringLiteral("<i>%1</i>").arg(tr("Reading the run's results…")));
    auto *watcher = new QFutureWatcher<AutoMLResult>(this);
    connect(watcher, &QFutureWatcher<AutoMLResult>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        setResult(watcher->result());
    });
    watcher->setFuture(QtConcurrent::run(&AutoMLResult::load, runUuid, dir));
}

void AutoMLResultView::updateButtons()
{
    const bool finished = !m_result.runUuid.isEmpty() && !m_result.running;
    m_openData->setEnabled(!m_result.dataNotebook.isEmpty());
    m_openCandidates->setEnabled(!m_result.candidateNotebook.isEmpty());
    m_openRun->setEnabled(!m_result.runUuid.isEmpty());
    m_batch->setEnabled(finished && m_result.best());
    for (const char *name : {"registerModel", "deployModel"})
        if (auto *b = findChild<QPushButton *>(QLatin1String(name)))
            b->setEnabled(m_batch->isEnabled());
}

void AutoMLResultView::batchPrediction()
{
    QString modelDir;
    try {
        modelDir = QDir(m_context->workspace().artifactDir(m_result.runUuid)).filePath(QStringLiteral("model"));
    } catch (const Error &e) {
        Q_EMIT m_context->statusMessage(e.message());
        return;
    }
    auto *dialog = new BatchPredictionDialog(modelDir, m_result.runUuid, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

} // namespace cairn::panels

#include "cairn/automl/automljob.h"

#include "automlsupport.h"

#include "cairn/algorithms/ensemble.h"
#include "cairn/algorithms/explain.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/algorithms/modelloader.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/data/csvwriter.h"
#include "cairn/automl/notebooks.h"
#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/remote/hostplacement.h"
#include "cairn/store/experimentstore.h"
#include "cairn/tuning/strategy.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"


#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QSaveFile>
#include <QSysInfo>
#include <QThread>
#include <QTimer>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace cairn::automl {

using detail::PreparedData;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kEnsembleRounds = 25;
constexpr int kEnsembleCandidates = 10;
constexpr qsizetype kImportanceRows = 2000;
// Tree SHAP costs leaves × depth² per tree and row: deep, long ensembles need seconds per hundred rows,
// and the mean |SHAP| of a column settles well within a hundred rows.
constexpr qsizetype kShapRows = 100;

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue();
}

double numberOf(const QJsonValue &v)
{
    return v.isDouble() ? v.toDouble() : kNaN;
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
        throw Error(QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
}

QString candidateName(const Candidate &c)
{
    return c.name();
}

} // namespace

// ---- spec and candidate ----------------------------------------------------------------

QJsonObject AutoMLSpec::toJson() const
{
    return QJsonObject{{QStringLiteral("version"), kVersion},
                       {QStringLiteral("train"), trainPath},
                       {QStringLiteral("target"), target},
                       {QStringLiteral("problemType"), problemType},
                       {QStringLiteral("metric"), metric},
                       {QStringLiteral("timeLimitSeconds"), timeLimitSeconds},
                       {QStringLiteral("maxCandidates"), maxCandidates},
                       {QStringLiteral("maxParallel"), maxParallel},
                       {QStringLiteral("experiment"), experiment},
                       {QStringLiteral("name"), name},
                       {QStringLiteral("seed"), QString::number(seed)},
                       {QStringLiteral("algorithms"), QJsonArray::fromStringList(algorithms)},
                       {QStringLiteral("ensemble"), ensemble},
                       {QStringLiteral("host"), host},
                       {QStringLiteral("hosts"), QJsonArray::fromStringList(hosts)}};
}

AutoMLSpec AutoMLSpec::fromJson(const QJsonObject &json)
{
    if (json.value(QStringLiteral("version")).toInt(kVersion) > kVersion)
        throw Error(QStringLiteral("this AutoML spec needs a newer Cairn Studio (version %1)").arg(json.value(QStringLiteral("version")).toInt()));
    AutoMLSpec s;
    s.trainPath = json.value(QStringLiteral("train")).toString();
    s.target = json.value(QStringLiteral("target")).toString();
    s.problemType = json.value(QStringLiteral("problemType")).toString(s.problemType);
    s.metric = json.value(QStringLiteral("metric")).toString(s.metric);
    s.timeLimitSeconds = json.value(QStringLiteral("timeLimitSeconds")).toInt(s.timeLimitSeconds);
    s.maxCandidates = json.value(QStringLiteral("maxCandidates")).toInt(s.maxCandidates);
    s.maxParallel = json.value(QStringLiteral("maxParallel")).toInt(s.maxParallel);
    s.experiment = json.value(QStringLiteral("experiment")).toString();
    s.name = json.value(QStringLiteral("name")).toString();
    s.seed = json.value(QStringLiteral("seed")).toVariant().toULongLong();
    if (!json.contains(QStringLiteral("seed")))
        s.seed = 42;
    for (const QJsonValue &v : json.value(QStringLiteral("algorithms")).toArray())
        s.algorithms << v.toString();
    s.ensemble = json.value(QStringLiteral("ensemble")).toBool(true);
    s.host = json.value(QStringLiteral("host")).toString(s.host);
    for (const QJsonValue &v : json.value(QStringLiteral("hosts")).toArray())
        s.hosts << v.toString();
    return s;
}

QString Candidate::name() const
{
    return ensemble ? algorithm : QStringLiteral("%1-%2").arg(algorithm).arg(index);
}

QJsonObject Candidate::toJson() const
{
    QJsonObject m;
    for (auto it = metrics.constBegin(); it != metrics.constEnd(); ++it)
        m.insert(it.key(), number(it.value()));
    return QJsonObject{{QStringLiteral("index"), index},
                       {QStringLiteral("name"), candidateName(*this)},
                       {QStringLiteral("algorithm"), algorithm},
                       {QStringLiteral("params"), params},
                       {QStringLiteral("runUuid"), runUuid},
                       {QStringLiteral("state"), state},
                       {QStringLiteral("message"), message},
                       {QStringLiteral("objective"), number(objective)},
                       {QStringLiteral("metrics"), m},
                       {QStringLiteral("trainSeconds"), trainSeconds},
                       {QStringLiteral("predictMicrosPerRow"), predictMicrosPerRow},
                       {QStringLiteral("ensemble"), ensemble},
                       {QStringLiteral("preset"), preset},
                       {QStringLiteral("host"), host},
                       {QStringLiteral("targetTransform"), targetTransform}};
}

Candidate Candidate::fromJson(const QJsonObject &json)
{
    Candidate c;
    c.index = json.value(QStringLiteral("index")).toInt();
    c.algorithm = json.value(QStringLiteral("algorithm")).toString();
    c.params = json.value(QStringLiteral("params")).toObject();
    c.runUuid = json.value(QStringLiteral("runUuid")).toString();
    c.state = json.value(QStringLiteral("state")).toString();
    c.message = json.value(QStringLiteral("message")).toString();
    c.objective = numberOf(json.value(QStringLiteral("objective")));
    const QJsonObject m = json.value(QStringLiteral("metrics")).toObject();
    for (auto it = m.constBegin(); it != m.constEnd(); ++it)
        c.metrics.insert(it.key(), numberOf(it.value()));
    c.trainSeconds = json.value(QStringLiteral("trainSeconds")).toDouble();
    c.predictMicrosPerRow = json.value(QStringLiteral("predictMicrosPerRow")).toDouble();
    c.ensemble = json.value(QStringLiteral("ensemble")).toBool();
    c.preset = json.value(QStringLiteral("preset")).toString();
    c.host = json.value(QStringLiteral("host")).toString();
    c.targetTransform = json.value(QStringLiteral("targetTransform")).toString();
    return c;
}

// ---- the engine ------------------------------------------------------------------------

namespace {

/// What scoring one finished candidate found (computed off the GUI thread).
struct Evaluation
{
    QString error;
    std::vector<double> oof;        ///< rows × width, NaN where the row was never validated
    QMap<QString, double> metrics;
    double objective = kNaN;        ///< detail::selectionScore
    double predictMicrosPerRow = 0;
};

/// A combination of candidates the finish tried against the best single candidate.
struct Combination
{
    QString algorithm;              ///< "ensemble" (Caruana's selection) or "stack"
    bool passed = false;            ///< beat the best single candidate by more than the noise
    bool chosen = false;            ///< the saved model
    QJsonObject weights;            ///< candidate name → weight
    QMap<QString, double> metrics;  ///< of its cross-fitted out-of-fold predictions
    double objective = kNaN;
    double predictMicros = 0;
    double trainSeconds = 0;
    QString reason;                 ///< why it is used or not
};

/// What the finish phase produced.
struct Outcome
{
    QString error;                  ///< the best model could not be saved
    QStringList warnings;           ///< importance or notebooks failed; the model is fine
    QList<Combination> combinations;
    QList<FeatureImportance> importance;
    bool shap = false;
};

} // namespace

struct AutoMLJob::Private
{
    struct Algorithm
    {
        QString id;
        AlgorithmInfo info;
        detail::AlgorithmPlan plan;
        std::unique_ptr<tuning::Strategy> strategy;
        bool defaultsStarted = false;
        int presetsStarted = 0;        ///< plan.presets launched so far
        bool exhausted = false;
        int finished = 0;
        int failed = 0;
        double best = kNaN;            ///< oriented (lower is better)
        double wallMs = 0;             ///< mean wall time of its finished trials
        double wallCost = 0;           ///< mean cost() of those trials, to scale wallMs by
        int measured = 0;              ///< trials in wallMs
        /// Its defaults timed on a subsample (PreparedData::probeTrainCsv) before its first
        /// candidate, so that this candidate gets a budget from an estimate too.
        QString probeJob;
        qint64 probeLaunchedMs = 0;
        qint64 probeWorkMs = -1;       ///< when the probe's worker began on its data
        qint64 probeDeadlineMs = 0;
        bool probeStopping = false;    ///< stopped for taking too long: what it did is a lower bound
        bool probed = false;
        bool probing() const { return !probeJob.isEmpty() && !probed; }
    };

    /// What launchTrial starts: an algorithm's defaults, one of its presets, or a tuned point.
    struct Choice
    {
        int algorithm = -1;
        int preset = -1;               ///< -1: defaults (first) or tuned (later)
    };

    struct Trial
    {
        Candidate candidate;
        int algorithm = 0;
        std::vector<double> point;     ///< empty for the defaults trial
        QStringList jobIds;            ///< one per fold
        QStringList modelDirs;         ///< one per fold
        QList<JobState> states;
        QList<bool> reached;           ///< per fold: its worker started (a failure is not the host's)
        QJsonObject hyper;             ///< what its jobs train with
        bool hostFailed = false;       ///< a fold failed on an SSH host before its worker ran
        qint64 launchedMs = 0;
        qint64 deadlineMs = 0;         ///< its jobs are stopped here (the partial models kept)
        qint64 scoringStartedMs = 0;
        double cost = 1;               ///< relative training cost of its hyperparameters
        bool logTarget = false;        ///< learns log1p(target) from the log fold CSVs
        bool budgetSpent = false;
        bool evaluating = false;
        bool done = false;
        std::vector<double> oof;
    };

    AutoMLJob *q;
    Workspace &workspace;
    JobManager &jobs;
    AutoMLSpec spec;
    std::shared_ptr<PluginManager> plugins = std::make_shared<PluginManager>();
    std::shared_ptr<QMutex> pluginMutex = std::make_shared<QMutex>();
    std::shared_ptr<const PreparedData> data;
    DataProfile emptyProfile;
    QString runUuid;
    QString artifactDir;
    QElapsedTimer clock;
    qint64 limitMs = 0;                ///< the whole job ends here
    qint64 finishMs = 0;               ///< the finish (ensemble, model, explanations) starts here at the latest
    qint64 hardMs = 0;                 ///< running jobs are stopped here, so they have ended by finishMs
    qint64 stopMarginMs = 0;           ///< between hardMs and finishMs
    qint64 slowestScoringMs = 0;       ///< the longest a candidate's scoring took (loading its fold models)
    QTimer budgetTimer;                ///< checks the candidates' budgets and the limit
    int maxParallel = 1;
    remote::HostPlacement placement;   ///< spec.hosts, their room, those dropped
    std::vector<Algorithm> algorithms;
    std::vector<Trial> trials;
    QHash<QString, int> trialOfJob;
    QHash<QString, int> probeOfJob;    ///< probe job → algorithm
    QList<Candidate> combinations;     ///< the ensemble and the stack, once the finish has tried them
    int slot = 0;
    bool started = false;
    bool stopRequested = false;
    bool finishing = false;
    bool isFinished = false;
    QString model;
    QStringList notebooks;
    QList<FeatureImportance> importance;
    QList<QFutureWatcherBase *> watchers;

    Private(AutoMLJob *owner, Workspace &ws, JobManager &jm, AutoMLSpec s)
        : q(owner), workspace(ws), jobs(jm), spec(std::move(s))
    {
    }

    double oriented(double v) const { return data && data->maximize ? -v : v; }
    qint64 elapsed() const { return clock.elapsed(); }
    double costOf(const QString &algorithm, const QJsonObject &hyper) const;
    /// The expected wall time of a candidate (ms), or 0 when nothing is known yet.
    double estimateMs(const Algorithm &a, double cost) const;
    void checkBudgets();
    bool needsProbe(const Algorithm &a) const;
    void launchProbe(int algorithm);
    void probeSettled(int algorithm, JobState state);
    JobSpec jobFor(const Algorithm &a, const QJsonObject &hyper, const QString &train, const QString &validation, const QString &host) const;
    QJsonObject hyperOf(const Algorithm &a, const Choice &c) const;

    template <typename T, typename Work, typename Done>
    void async(Work work, Done done)
    {
        auto *watcher = new QFutureWatcher<T>(q);
        watchers << watcher;
        QObject::connect(watcher, &QFutureWatcherBase::finished, q, [this, watcher, done] {
            watchers.removeOne(watcher);
            watcher->deleteLater();
            done(watcher->result());
        });
        watcher->setFuture(QtConcurrent::run(std::move(work)));
    }

    void phase(const QString &name, const QString &message)
    {
        Q_EMIT q->phaseChanged(name, message);
    }

    void onPrepared(PreparedData prepared);
    void setupAlgorithms();
    Choice nextChoice(bool peek = false);
    bool canLaunch() const;
    void launchMore();
    void launchTrial(const Choice &choice);
    void submitFolds(Trial &trial, int index);
    QString pickHost() const;
    bool retryOnAnotherHost(Trial &trial);
    int outstandingJobs() const;
    QList<int> retry;                  ///< trials to train again on another host
    void onJobFinished(const QString &jobId, JobState state, const QString &message);
    void trialSettled(Trial &trial);
    void onEvaluated(int trialIndex, const Evaluation &e);
    void closeTrial(Trial &trial, RunStatus status);
    void stopJobs(const QString &reason);
    void maybeFinish();
    void onOutcome(const Outcome &o);
    void fail(const QString &message);
    QList<Candidate> leaderboard() const;
    void writeLeaderboard() const;
};

AutoMLJob::AutoMLJob(Workspace &workspace, JobManager &jobs, AutoMLSpec spec, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>(this, workspace, jobs, std::move(spec)))
{
    qRegisterMetaType<cairn::automl::Candidate>();
    connect(&d->jobs, &JobManager::jobFinished, this, [this](const QString &id, JobState state, const QString &message) {
        d->onJobFinished(id, state, message);
    });
    connect(&d->jobs, &JobManager::jobEvent, this, [this](const QString &id, const JobEvent &event) {
        if (event.type == JobEvent::Type::Progress)
            if (const auto p = d->probeOfJob.constFind(id); p != d->probeOfJob.constEnd() && d->algorithms[size_t(p.value())].probeWorkMs < 0)
                d->algorithms[size_t(p.value())].probeWorkMs = d->elapsed(); // its worker began on the data
        if (event.type != JobEvent::Type::Status || event.status() != QLatin1String("running"))
            return;
        if (const auto it = d->trialOfJob.constFind(id); it != d->trialOfJob.constEnd()) {
            Private::Trial &t = d->trials[size_t(it.value())];
            const qsizetype f = t.jobIds.indexOf(id);
            if (f >= 0 && f < t.reached.size())
                t.reached[f] = true;
        }
    });
    d->budgetTimer.setInterval(200);
    connect(&d->budgetTimer, &QTimer::timeout, this, [this] { d->checkBudgets(); });
}

AutoMLJob::~AutoMLJob()
{
    // Worker threads read the prepared data and write into the run's folder: let them end.
    for (QFutureWatcherBase *w : std::as_const(d->watchers))
        w->waitForFinished();
}

const AutoMLSpec &AutoMLJob::spec() const { return d->spec; }
QString AutoMLJob::runUuid() const { return d->runUuid; }
const DataProfile &AutoMLJob::profile() const { return d->data ? d->data->profile : d->emptyProfile; }
QString AutoMLJob::metric() const { return d->data ? d->data->metric : QString(); }
bool AutoMLJob::maximize() const { return d->data && d->data->maximize; }
QString AutoMLJob::validation() const { return !d->data ? QString() : d->data->holdout ? QStringLiteral("holdout") : QStringLiteral("k-fold"); }
int AutoMLJob::folds() const { return d->data ? d->data->folds : 0; }
int AutoMLJob::repeats() const { return d->data ? d->data->repeats : 0; }
QList<Candidate> AutoMLJob::leaderboard() const { return d->leaderboard(); }
bool AutoMLJob::isFinished() const { return d->isFinished; }
qint64 AutoMLJob::remainingMs() const
{
    if (!d->started || d->isFinished)
        return 0;
    return std::max<qint64>(0, d->limitMs - d->elapsed());
}
QString AutoMLJob::modelDir() const { return d->model; }
QStringList AutoMLJob::notebooks() const { return d->notebooks; }
QList<FeatureImportance> AutoMLJob::importance() const { return d->importance; }

QList<Candidate> AutoMLJob::candidates() const
{
    QList<Candidate> out;
    for (const Private::Trial &t : d->trials)
        out << t.candidate;
    out << d->combinations;
    return out;
}

void AutoMLJob::start()
{
    if (d->started)
        throw Error(QStringLiteral("this AutoML job has already started"));
    AutoMLSpec &s = d->spec;
    if (s.trainPath.isEmpty() || !QFileInfo(s.trainPath).isFile())
        throw Error(QStringLiteral("training data %1 does not exist").arg(s.trainPath.isEmpty() ? QStringLiteral("(none given)") : s.trainPath));
    s.trainPath = QFileInfo(s.trainPath).absoluteFilePath();
    if (s.target.isEmpty())
        throw Error(QStringLiteral("AutoML needs a target column"));
    s.problemType = s.problemType.isEmpty() ? QStringLiteral("auto") : s.problemType.toLower();
    static const QStringList problemTypes{QStringLiteral("auto"), QStringLiteral("binary"), QStringLiteral("multiclass"), QStringLiteral("regression")};
    if (!problemTypes.contains(s.problemType))
        throw Error(QStringLiteral("unknown problem type '%1' (use auto, binary, multiclass or regression)").arg(s.problemType));
    s.metric = s.metric.isEmpty() ? QStringLiteral("auto") : s.metric.toLower();
    if (s.metric != QLatin1String("auto")) {
        QStringList known;
        for (Task t : {Task::Binary, Task::Multiclass, Task::Regression})
            for (const QString &m : metricsFor(t))
                if (!known.contains(m))
                    known << m;
        if (!known.contains(s.metric))
            throw Error(QStringLiteral("unknown metric '%1' (use auto or one of: %2)").arg(s.metric, known.join(QStringLiteral(", "))));
        if (s.problemType != QLatin1String("auto")) {
            const Task t = *taskFromName(s.problemType);
            if (!metricsFor(t).contains(s.metric))
                throw Error(QStringLiteral("metric '%1' does not apply to %2 problems (use one of: %3)")
                                .arg(s.metric, s.problemType, metricsFor(t).join(QStringLiteral(", "))));
        }
    }
    if (s.timeLimitSeconds < 1)
        throw Error(QStringLiteral("the time limit must be at least one second"));
    if (s.maxCandidates < 0)
        throw Error(QStringLiteral("the maximum number of candidates cannot be negative"));
    d->maxParallel = s.maxParallel > 0 ? s.maxParallel : std::max(1, QThread::idealThreadCount());
    s.hosts.removeDuplicates();
    d->placement = remote::HostPlacement(s.hosts, d->maxParallel); // throws, listing the known names
    d->started = true;
    d->clock.start();
    // The limit is a promise: the finish (scoring the last candidates, the ensemble, saving the
    // model, explanations sized to the time left, notebooks) gets a reserve at the end, and
    // running jobs are stopped early enough to have ended before it starts.
    d->limitMs = qint64(s.timeLimitSeconds) * 1000;
    const qint64 finishReserve = std::clamp<qint64>(d->limitMs * 12 / 100, 3000, 60000);
    const qint64 stopMargin = std::clamp<qint64>(d->limitMs / 20, 1000, 5000);
    d->finishMs = std::max<qint64>(d->limitMs - finishReserve, d->limitMs / 2);
    d->stopMarginMs = stopMargin;
    d->hardMs = std::max<qint64>(d->finishMs - stopMargin, d->limitMs / 3);
    d->budgetTimer.start();

    ExperimentStore &store = d->workspace.store();
    const QString experiment = s.experiment.isEmpty() ? QStringLiteral("Default") : s.experiment;
    s.experiment = experiment;
    if (s.name.isEmpty())
        s.name = QStringLiteral("automl-%1").arg(QFileInfo(s.trainPath).completeBaseName());
    const Run run = store.createRun({.experimentId = store.ensureExperiment(experiment),
                                     .name = s.name,
                                     .sourceType = QStringLiteral("AUTOML"),
                                     .sourceRef = s.trainPath,
                                     .host = QSysInfo::machineHostName(),
                                     .pid = QCoreApplication::applicationPid()});
    d->runUuid = run.uuid;
    d->artifactDir = d->workspace.artifactDir(run.uuid);
    store.setTag(run.uuid, QStringLiteral("cairn.automl"), QStringLiteral("1"));
    store.setTag(run.uuid, QStringLiteral("cairn.kind"), QStringLiteral("automl"));
    store.logParam(run.uuid, QStringLiteral("train"), s.trainPath);
    store.logParam(run.uuid, QStringLiteral("target"), s.target);
    store.logParam(run.uuid, QStringLiteral("time_limit"), QString::number(s.timeLimitSeconds));
    store.logParam(run.uuid, QStringLiteral("max_candidates"), QString::number(s.maxCandidates));
    store.logParam(run.uuid, QStringLiteral("max_parallel"), QString::number(d->maxParallel));
    store.logParam(run.uuid, QStringLiteral("seed"), QString::number(s.seed));
    store.logParam(run.uuid, QStringLiteral("ensemble"), s.ensemble ? QStringLiteral("true") : QStringLiteral("false"));
    if (!s.algorithms.isEmpty())
        store.logParam(run.uuid, QStringLiteral("algorithms"), s.algorithms.join(QLatin1Char(',')));
    if (!s.hosts.isEmpty())
        store.logParam(run.uuid, QStringLiteral("hosts"), s.hosts.join(QLatin1Char(',')));
    writeFile(QDir(d->artifactDir).filePath(QStringLiteral("automl/spec.json")), QJsonDocument(s.toJson()).toJson());

    d->phase(QStringLiteral("profiling"), tr("reading and profiling %1").arg(QFileInfo(s.trainPath).fileName()));
    const AutoMLSpec spec = s;
    const QString dir = d->artifactDir;
    const std::shared_ptr<PluginManager> pm = d->plugins;
    const std::shared_ptr<QMutex> mutex = d->pluginMutex;
    d->async<PreparedData>([spec, dir, pm, mutex] {
                               // Loading the plugins (libtorch) takes seconds on a busy machine:
                               // here it overlaps with reading the data instead of following it.
                               auto preload = QtConcurrent::run([pm, mutex] {
                                   QMutexLocker lock(mutex.get());
                                   for (const QJsonObject &meta : pm->algorithmMetadata()) {
                                       try {
                                           pm->algorithm(meta.value(QStringLiteral("id")).toString());
                                       } catch (const Error &) {
                                       }
                                   }
                               });
                               PreparedData p = detail::prepareData(spec, dir);
                               preload.waitForFinished();
                               return p;
                           },
                           [this](const PreparedData &p) { d->onPrepared(p); });
}

void AutoMLJob::stop()
{
    if (d->isFinished || d->stopRequested)
        return;
    d->stopRequested = true;
    d->stopJobs(tr("the AutoML job was stopped"));
    d->maybeFinish();
}

void AutoMLJob::Private::onPrepared(PreparedData prepared)
{
    if (!prepared.error.isEmpty()) {
        fail(prepared.error);
        return;
    }
    data = std::make_shared<const PreparedData>(std::move(prepared));
    ExperimentStore &store = workspace.store();
    try {
        store.logParam(runUuid, QStringLiteral("problem_type"), taskName(data->task));
        store.logParam(runUuid, QStringLiteral("metric"), data->metric);
        store.logParam(runUuid, QStringLiteral("validation"), data->holdout ? QStringLiteral("holdout")
                                                           : data->repeats > 1 ? QStringLiteral("%1-fold x%2").arg(data->folds).arg(data->repeats)
                                                                               : QStringLiteral("%1-fold").arg(data->folds));
        store.logParam(runUuid, QStringLiteral("rows"), QString::number(data->table.rowCount()));
        const QStringList dropped = data->profile.droppedColumns();
        if (!dropped.isEmpty())
            store.logParam(runUuid, QStringLiteral("dropped_columns"), dropped.join(QLatin1Char(',')));
    } catch (const Error &e) {
        fail(e.message());
        return;
    }
    Q_EMIT q->profileReady();
    try {
        setupAlgorithms();
    } catch (const Error &e) {
        fail(e.message());
        return;
    }
    QStringList names;
    for (const Algorithm &a : algorithms)
        names << a.id;
    store.logParam(runUuid, QStringLiteral("candidates_from"), names.join(QLatin1Char(',')));
    jobs.setMaxConcurrentJobs(maxParallel);
    phase(QStringLiteral("searching"),
          tr("%1, objective %2 (%3), %4; algorithms: %5")
              .arg(taskName(data->task), data->metric, data->maximize ? tr("maximised") : tr("minimised"),
                   data->holdout ? tr("hold-out validation (20 %)")
                   : data->repeats > 1 ? tr("%1-fold cross-validation repeated %2 times").arg(data->folds).arg(data->repeats)
                                       : tr("%1-fold cross-validation").arg(data->folds),
                   names.join(QStringLiteral(", "))));
    launchMore();
    maybeFinish();
}

void AutoMLJob::Private::setupAlgorithms()
{
    QStringList available;
    for (const QJsonObject &meta : plugins->algorithmMetadata()) {
        const QString id = meta.value(QStringLiteral("id")).toString();
        if (id.isEmpty() || available.contains(id))
            continue;
        AlgorithmInfo info;
        try {
            QMutexLocker lock(pluginMutex.get());
            info = plugins->algorithm(id);
        } catch (const Error &) {
            continue; // a plugin that does not load offers nothing
        }
        if (info.input != QLatin1String("tabular") || !info.tasks.contains(data->task))
            continue;
        available << id;
        if (!spec.algorithms.isEmpty() && !spec.algorithms.contains(id))
            continue;
        // Nearest neighbours compare every row with every training row: small tables only,
        // unless asked for by name.
        if (id == QLatin1String("knn") && spec.algorithms.isEmpty() && data->table.rowCount() > detail::kMaxRowsForNeighbours)
            continue;
        Algorithm a;
        a.id = id;
        a.info = info;
        a.plan = detail::planFor(id, info.schema, data->task, int(data->table.columns.size()) - 1, data->table.rowCount());
        // A skewed positive target: each algorithm's defaults once more on log1p(target) (boosted
        // trees after their first preset, which follows their defaults at once).
        if (!data->logTarget.isNone() && id != QLatin1String("knn"))
            a.plan.presets.insert(id == QLatin1String("xgboost") ? std::min<qsizetype>(1, a.plan.presets.size()) : 0,
                                  detail::AlgorithmPlan::Preset{QStringLiteral("log target"), QJsonObject(), true});
        if (a.plan.space.size() > 0)
            a.strategy = tuning::Strategy::create(QStringLiteral("bayesian"), a.plan.space, spec.seed + quint64(algorithms.size()));
        algorithms.push_back(std::move(a));
    }
    for (const QString &wanted : std::as_const(spec.algorithms))
        if (!available.contains(wanted))
            throw Error(QStringLiteral("algorithm '%1' cannot learn %2 problems from tables here (available: %3)")
                            .arg(wanted, taskName(data->task), available.isEmpty() ? QStringLiteral("none") : available.join(QStringLiteral(", "))));
    if (algorithms.empty())
        throw Error(QStringLiteral("no algorithm plugin can learn %1 problems from tables (are the plugins installed?)").arg(taskName(data->task)));
    // Boosted trees first: the strongest default on tables, so a short budget still has it.
    std::stable_sort(algorithms.begin(), algorithms.end(), [](const Algorithm &a, const Algorithm &b) {
        return (a.id == QLatin1String("xgboost")) > (b.id == QLatin1String("xgboost"));
    });
}

int AutoMLJob::Private::outstandingJobs() const
{
    int n = 0;
    for (const Algorithm &a : algorithms)
        n += a.probing() ? 1 : 0;
    for (const Trial &t : trials)
        for (JobState s : t.states)
            if (!isTerminal(s))
                ++n;
    return n;
}

bool AutoMLJob::Private::canLaunch() const
{
    if (stopRequested || finishing || !data)
        return false;
    if (spec.maxCandidates > 0 && int(trials.size()) >= spec.maxCandidates)
        return false;
    return elapsed() < hardMs;
}

double AutoMLJob::Private::costOf(const QString &algorithm, const QJsonObject &hyper) const
{
    // Relative work: what the training loop repeats, so measured times transfer between
    // candidates of one algorithm.
    auto num = [&](const char *key, double fallback) { return hyper.value(QLatin1String(key)).toDouble(fallback); };
    if (algorithm == QLatin1String("xgboost")) {
        const double depth = num("max_depth", 6);
        const double leaves = num("max_leaves", 0) > 0 ? num("max_leaves", 0) : std::pow(2.0, depth > 0 ? depth : 8);
        double rounds = num("num_round", 100);
        if (num("early_stopping_rounds", 0) > 0)
            rounds = std::min(rounds, 100 + 3 * num("early_stopping_rounds", 0)); // usually stops well before
        return rounds * num("num_parallel_tree", 1) * std::max(1.0, std::log2(std::max(leaves, 2.0))) * num("subsample", 1);
    }
    if (algorithm == QLatin1String("mlp"))
        return num("epochs", 50) * num("hidden_layers", 2) * num("units", 64);
    if (algorithm == QLatin1String("linear-learner"))
        return num("epochs", 30);
    return 1;
}

double AutoMLJob::Private::estimateMs(const Algorithm &a, double cost) const
{
    if (a.wallMs <= 0 || a.wallCost <= 0)
        return 0;
    // Per-row cost is not linear in the settings (early stopping, start-up): damp the ratio.
    const double ratio = std::clamp(cost / a.wallCost, 0.1, 20.0);
    return a.wallMs * std::sqrt(ratio) * (ratio > 1 ? std::sqrt(ratio) : 1.0);
}

QJsonObject AutoMLJob::Private::hyperOf(const Algorithm &a, const Choice &c) const
{
    QJsonObject hyper = a.plan.fixed;
    if (c.preset >= 0)
        for (auto it = a.plan.presets.at(c.preset).hyper.constBegin(); it != a.plan.presets.at(c.preset).hyper.constEnd(); ++it)
            hyper.insert(it.key(), it.value());
    return hyper;
}

AutoMLJob::Private::Choice AutoMLJob::Private::nextChoice(bool peek)
{
    const qint64 now = elapsed();
    // Skip what is expected to run past the point where running jobs are stopped.
    auto fits = [&](const Algorithm &a, double cost) {
        const double est = estimateMs(a, cost);
        return est <= 0 || double(now) + est <= double(hardMs);
    };
    auto usable = [&](const Algorithm &a) { return !a.exhausted && !a.probing() && !(a.failed >= 2 && a.finished == 0); };
    // Defaults first: every algorithm's own defaults, the first preset of the first algorithm
    // (the strongest) right after its defaults, then the other presets, and only then tuning.
    for (size_t i = 0; i < algorithms.size(); ++i) {
        const Algorithm &a = algorithms[i];
        if (!usable(a))
            continue;
        if (!a.defaultsStarted && fits(a, costOf(a.id, a.plan.fixed)))
            return {int(i), -1};
        if (i == 0 && a.defaultsStarted && a.presetsStarted == 0 && !a.plan.presets.isEmpty()
            && fits(a, costOf(a.id, hyperOf(a, {0, 0}))))
            return {0, 0};
    }
    // A skewed target's log-target candidates come before the other presets of any algorithm.
    for (size_t i = 0; i < algorithms.size(); ++i) {
        const Algorithm &a = algorithms[i];
        const int p = a.presetsStarted;
        if (usable(a) && a.defaultsStarted && p < a.plan.presets.size() && a.plan.presets.at(p).logTarget
            && fits(a, costOf(a.id, hyperOf(a, {int(i), p}))))
            return {int(i), p};
    }
    for (size_t i = 0; i < algorithms.size(); ++i) {
        const Algorithm &a = algorithms[i];
        if (!usable(a) || !a.defaultsStarted)
            continue;
        for (int p = a.presetsStarted; p < a.plan.presets.size(); ++p)
            if (fits(a, costOf(a.id, hyperOf(a, {int(i), p}))))
                return {int(i), p};
    }
    std::vector<int> order;
    for (size_t i = 0; i < algorithms.size(); ++i)
        if (usable(algorithms[i]) && algorithms[i].strategy && algorithms[i].defaultsStarted
            && algorithms[i].presetsStarted >= algorithms[i].plan.presets.size() && fits(algorithms[i], algorithms[i].wallCost))
            order.push_back(int(i));
    if (order.empty())
        return {};
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const double x = algorithms[size_t(a)].best, y = algorithms[size_t(b)].best;
        if (std::isnan(x) != std::isnan(y))
            return std::isnan(y);
        return x < y;
    });
    if (peek)
        return {order.front(), -1};
    // The best algorithm so far gets two of every three slots; the others share the third.
    const int s = slot++;
    if (order.size() == 1 || s % 3 != 2)
        return {order.front(), -1};
    return {order[1 + size_t((s / 3) % int(order.size() - 1))], -1};
}

QString AutoMLJob::Private::pickHost() const
{
    return placement.pick([this](const QString &h) {
        int running = 0;
        for (const Trial &t : trials)
            if (!t.done && t.candidate.host == h)
                for (JobState st : t.states)
                    running += isTerminal(st) ? 0 : 1;
        return running;
    });
}

void AutoMLJob::Private::launchMore()
{
    // Spread over hosts, each host takes candidates while it has room (its job limit).
    auto room = [this] { return placement.isEmpty() ? outstandingJobs() < maxParallel : !pickHost().isEmpty(); };
    // Candidates whose host could not run them go first, to another host.
    while (!retry.isEmpty() && !stopRequested && !finishing && elapsed() < hardMs && room()) {
        const int index = retry.takeFirst();
        Trial &t = trials[size_t(index)];
        const qint64 allowance = t.deadlineMs - t.launchedMs;
        t.launchedMs = elapsed();
        t.deadlineMs = std::min(t.launchedMs + allowance, hardMs);
        t.candidate.host = pickHost();
        t.candidate.state = QStringLiteral("running");
        try {
            workspace.store().setTag(t.candidate.runUuid, QStringLiteral("cairn.host"), t.candidate.host);
        } catch (const Error &) {
        }
        submitFolds(t, index);
        Q_EMIT q->candidateStarted(t.candidate);
        if (t.candidate.state == QLatin1String("failed")) {
            for (const QString &id : std::as_const(t.jobIds))
                jobs.stop(id, t.candidate.message); // it settles when they end
            if (t.jobIds.isEmpty()) {
                ++algorithms[size_t(t.algorithm)].failed;
                closeTrial(t, RunStatus::Failed);
                Q_EMIT q->candidateFinished(t.candidate);
                Q_EMIT q->leaderboardChanged();
            }
        }
    }
    while (canLaunch() && room()) {
        const Choice c = nextChoice();
        if (c.algorithm < 0)
            break;
        if (needsProbe(algorithms[size_t(c.algorithm)])) {
            launchProbe(c.algorithm);
            continue;
        }
        launchTrial(c); // a strategy with no points left marks its algorithm exhausted
    }
}

void AutoMLJob::Private::launchTrial(const Choice &choice)
{
    const int algorithmIndex = choice.algorithm;
    Algorithm &a = algorithms[size_t(algorithmIndex)];
    Trial trial;
    trial.algorithm = algorithmIndex;
    trial.candidate.index = int(trials.size()) + 1;
    trial.candidate.algorithm = a.id;
    trial.candidate.state = QStringLiteral("running");
    QJsonObject hyper = hyperOf(a, choice);
    if (!a.defaultsStarted) {
        a.defaultsStarted = true;
        trial.candidate.params = a.plan.fixed;
        trial.candidate.preset = QStringLiteral("defaults");
    } else if (choice.preset >= 0) {
        a.presetsStarted = choice.preset + 1;
        trial.candidate.params = hyper;
        trial.candidate.preset = a.plan.presets.at(choice.preset).label;
        trial.logTarget = a.plan.presets.at(choice.preset).logTarget;
        if (trial.logTarget)
            trial.candidate.targetTransform = data->logTarget.name;
    } else {
        std::vector<double> point;
        if (!a.strategy->suggest(point)) {
            a.exhausted = true;
            return;
        }
        a.strategy->addPending(point);
        trial.point = point;
        trial.candidate.params = a.plan.space.toParams(point);
        for (auto it = a.plan.tunedFixed.constBegin(); it != a.plan.tunedFixed.constEnd(); ++it)
            hyper.insert(it.key(), it.value());
        for (auto it = trial.candidate.params.constBegin(); it != trial.candidate.params.constEnd(); ++it)
            hyper.insert(it.key(), it.value());
    }
    trial.launchedMs = elapsed();
    trial.cost = costOf(a.id, hyper);
    // Its budget: 2.5 times what it is expected to take (at least 5 s: starting a fold's process on
    // a busy machine can take seconds whatever the model), or, when nothing is known yet, all the
    // time left for the very first candidate and half of it for the others.
    const qint64 left = std::max<qint64>(0, hardMs - trial.launchedMs);
    const double est = estimateMs(a, trial.cost);
    const qint64 allowance = est > 0 ? qint64(std::min<double>(double(left), std::max(2.5 * est, 5000.0)))
                                     : (trials.empty() ? left : std::max<qint64>(left / 2, std::min<qint64>(left, 5000)));
    trial.deadlineMs = trial.launchedMs + allowance;
    trial.hyper = hyper;
    trial.candidate.host = placement.isEmpty() ? spec.host : pickHost();

    ExperimentStore &store = workspace.store();
    const QString name = candidateName(trial.candidate);
    try {
        const Run run = store.createRun({.experimentId = store.ensureExperiment(spec.experiment),
                                         .name = name,
                                         .sourceType = QStringLiteral("AUTOML"),
                                         .sourceRef = a.id,
                                         .parentUuid = runUuid,
                                         .host = QSysInfo::machineHostName(),
                                         .pid = QCoreApplication::applicationPid()});
        trial.candidate.runUuid = run.uuid;
        store.setTag(run.uuid, QStringLiteral("automl.candidate"), QString::number(trial.candidate.index));
        // Its budget, and what it was expected to take (from earlier candidates or the probe).
        store.setTag(run.uuid, QStringLiteral("automl.budget_s"), QString::number(double(allowance) / 1000.0, 'f', 1));
        if (est > 0)
            store.setTag(run.uuid, QStringLiteral("automl.estimate_s"), QString::number(est / 1000.0, 'f', 1));
        store.setTag(run.uuid, QStringLiteral("cairn.host"), trial.candidate.host);
        store.logParam(run.uuid, QStringLiteral("algorithm"), a.id);
        if (trial.logTarget)
            store.logParam(run.uuid, QStringLiteral("target_transform"), data->logTarget.name);
        for (auto it = hyper.constBegin(); it != hyper.constEnd(); ++it)
            store.logParam(run.uuid, it.key(), it.value().isDouble() ? QString::number(it.value().toDouble(), 'g', 6) : it.value().toVariant().toString());
    } catch (const Error &e) {
        trial.candidate.state = QStringLiteral("failed");
        trial.candidate.message = e.message();
    }

    submitFolds(trial, int(trials.size()));
    trials.push_back(std::move(trial));
    Trial &t = trials.back();
    Q_EMIT q->candidateStarted(t.candidate);
    if (t.candidate.state == QLatin1String("failed")) {
        // Jobs already queued for this trial are stopped; it settles when they end.
        for (int i = 0; i < t.jobIds.size(); ++i)
            jobs.stop(t.jobIds.at(i), t.candidate.message);
        if (t.jobIds.isEmpty()) {
            if (!t.point.empty())
                a.strategy->observe(t.point, kNaN);
            ++a.failed;
            closeTrial(t, RunStatus::Failed);
            Q_EMIT q->candidateFinished(t.candidate);
            Q_EMIT q->leaderboardChanged();
        }
    }
}

JobSpec AutoMLJob::Private::jobFor(const Algorithm &a, const QJsonObject &hyper, const QString &train, const QString &validation,
                                   const QString &host) const
{
    // The fold CSVs already leave out the dropped columns.
    QJsonObject preprocessing{{QStringLiteral("categoricalEncoding"), QStringLiteral("auto")},
                              {QStringLiteral("datetimeParts"), true},
                              {QStringLiteral("textFeatures"), true}};
    if (a.plan.impute)
        preprocessing.insert(QStringLiteral("impute"), true);
    JobSpec job;
    job.algorithm = a.id;
    job.hyperparameters = hyper;
    data::ChannelSpec trainChannel, validationChannel;
    trainChannel.path = train;
    validationChannel.path = validation;
    job.channels.insert(QStringLiteral("train"), trainChannel);
    job.channels.insert(QStringLiteral("validation"), validationChannel);
    job.target = spec.target;
    job.task = taskName(data->task);
    job.seed = spec.seed;
    job.experiment = spec.experiment;
    job.resources.cpus = maxParallel > 1 ? 1 : 0;
    job.resources.host = host;
    job.preprocessing = preprocessing;
    return job;
}

bool AutoMLJob::Private::needsProbe(const Algorithm &a) const
{
    // The very first candidate may use all the time left anyway; later ones of an algorithm whose
    // cost nothing tells yet are timed on the subsample first.
    return !data->probeTrainCsv.isEmpty() && a.probeJob.isEmpty() && !a.probed && a.measured == 0 && a.wallMs <= 0 && !trials.empty();
}

void AutoMLJob::Private::launchProbe(int index)
{
    Algorithm &a = algorithms[size_t(index)];
    JobSpec job = jobFor(a, a.plan.fixed, data->probeTrainCsv, data->probeValidationCsv, placement.isEmpty() ? spec.host : pickHost());
    job.runName = QStringLiteral("%1-probe").arg(a.id);
    job.parentRunUuid = runUuid;
    try {
        a.probeJob = jobs.submit(job);
    } catch (const Error &) {
        a.probed = true; // no estimate: its first candidate gets the usual share of the time left
        return;
    }
    a.probeLaunchedMs = elapsed();
    // A probe that takes a quarter of the time left has said enough: the full folds would not fit.
    a.probeDeadlineMs = a.probeLaunchedMs + std::max<qint64>(2000, (hardMs - a.probeLaunchedMs) / 4);
    probeOfJob.insert(a.probeJob, index);
}

void AutoMLJob::Private::probeSettled(int index, JobState state)
{
    Algorithm &a = algorithms[size_t(index)];
    if (a.probed)
        return;
    a.probed = true;
    const qint64 now = elapsed();
    const double wall = double(now - a.probeLaunchedMs);
    // Starting the process does not grow with the rows; reading and training do (k-NN compares
    // every validation row with every training row, and both grew by the scale).
    const double work = a.probeWorkMs >= 0 ? double(now - a.probeWorkMs) : wall;
    const double startup = std::max(0.0, wall - work);
    const double grow = std::pow(data->probeScale, a.id == QLatin1String("knn") ? 2.0 : 1.0);
    const bool timed = state == JobState::Finished || (state == JobState::Stopped && a.probeStopping);
    QString note;
    if (timed && a.measured == 0) {
        const int waves = (data->foldJobs() + std::max(1, maxParallel) - 1) / std::max(1, maxParallel);
        a.wallMs = (startup + work * grow) * waves;
        a.wallCost = costOf(a.id, a.plan.fixed);
        note = QStringLiteral("%1 s on 1/%2 of a fold (%3): its defaults expected to take %4 s")
                   .arg(wall / 1000.0, 0, 'f', 1)
                   .arg(data->probeScale, 0, 'f', 1)
                   .arg(state == JobState::Finished ? QStringLiteral("finished") : QStringLiteral("stopped, too slow"))
                   .arg(a.wallMs / 1000.0, 0, 'f', 1);
    } else {
        note = QStringLiteral("no estimate (%1)").arg(jobStateName(state));
    }
    try {
        workspace.store().setTag(runUuid, QStringLiteral("automl.probe.%1").arg(a.id), note);
    } catch (const Error &) {
    }
    launchMore();
    maybeFinish();
}

void AutoMLJob::Private::submitFolds(Trial &trial, int index)
{
    const Algorithm &a = algorithms[size_t(trial.algorithm)];
    for (int f = 0; f < data->foldJobs() && trial.candidate.state != QLatin1String("failed"); ++f) {
        JobSpec job = jobFor(a, trial.hyper, trial.logTarget ? data->logTrainCsv.at(f) : data->trainCsv.at(f),
                             trial.logTarget ? data->logValidationCsv.at(f) : data->validationCsv.at(f), trial.candidate.host);
        job.runName = QStringLiteral("%1-fold%2").arg(candidateName(trial.candidate)).arg(f);
        job.parentRunUuid = trial.candidate.runUuid;
        try {
            const QString id = jobs.submit(job);
            trial.jobIds << id;
            trial.states << JobState::Queued;
            trial.reached << false;
            trial.modelDirs << QDir(workspace.artifactDir(jobs.job(id).runUuid)).filePath(QStringLiteral("model"));
            trialOfJob.insert(id, index);
        } catch (const Error &e) {
            trial.candidate.state = QStringLiteral("failed");
            trial.candidate.message = e.message();
        }
    }
}

void AutoMLJob::Private::onJobFinished(const QString &jobId, JobState state, const QString &message)
{
    if (const auto probe = probeOfJob.constFind(jobId); probe != probeOfJob.constEnd()) {
        if (!isFinished)
            probeSettled(probe.value(), state);
        return;
    }
    const auto it = trialOfJob.constFind(jobId);
    if (it == trialOfJob.constEnd())
        return;
    Trial &t = trials[size_t(it.value())];
    if (t.done)
        return; // given up at the time limit
    const int f = int(t.jobIds.indexOf(jobId));
    t.states[f] = state;
    const JobRecord record = jobs.job(jobId);
    if (record.started > 0 && record.ended >= record.started)
        t.candidate.trainSeconds += double(record.ended - record.started) / 1000.0;
    if (state != JobState::Finished && t.candidate.message.isEmpty())
        t.candidate.message = message.isEmpty() ? QStringLiteral("fold %1 %2").arg(f).arg(jobStateName(state)) : message;
    // A fold that failed on an SSH host before its worker ran says the host cannot run
    // candidates (no connection, no worker): the candidate trains again elsewhere.
    if (state == JobState::Failed && !placement.isEmpty() && !stopRequested
        && remote::HostPlacement::failureDropsHost(t.candidate.host, t.reached.value(f)))
        t.hostFailed = true;
    for (JobState s : std::as_const(t.states))
        if (!isTerminal(s))
            return;
    trialSettled(t);
}

bool AutoMLJob::Private::retryOnAnotherHost(Trial &t)
{
    const QString host = t.candidate.host;
    const QString why = t.candidate.message;
    if (placement.drop(host, why)) {
        try {
            workspace.store().setTag(runUuid, QStringLiteral("automl.dropped_hosts"), placement.dropped().join(QStringLiteral(", ")));
        } catch (const Error &) {
        }
        Q_EMIT q->hostDropped(host, why);
    }
    if (placement.allDropped()) {
        fail(tr("no host is left to run the candidates (%1)").arg(placement.reasons()));
        return true;
    }
    try {
        workspace.store().setTag(t.candidate.runUuid, QStringLiteral("automl.retried"),
                                 tr("host '%1' could not run it: the candidate trained again on another host").arg(host));
    } catch (const Error &) {
    }
    for (const QString &id : std::as_const(t.jobIds))
        trialOfJob.remove(id);
    t.jobIds.clear();
    t.states.clear();
    t.reached.clear();
    t.modelDirs.clear();
    t.hostFailed = false;
    t.budgetSpent = false;
    t.candidate.message.clear();
    t.candidate.trainSeconds = 0;
    t.candidate.host.clear();
    t.candidate.state = QStringLiteral("queued");
    retry << t.candidate.index - 1;
    launchMore();
    return true;
}

void AutoMLJob::Private::trialSettled(Trial &t)
{
    if (t.hostFailed && !stopRequested && !finishing && !isFinished && retryOnAnotherHost(t))
        return;
    Algorithm &a = algorithms[size_t(t.algorithm)];
    const double wall = double(elapsed() - t.launchedMs);
    bool complete = t.candidate.state != QLatin1String("failed");
    bool stopped = false;
    for (int i = 0; i < t.states.size(); ++i) {
        const JobState s = t.states.at(i);
        // A fold stopped at its budget keeps what it trained so far (boosting rounds, epochs).
        const bool partial = s == JobState::Stopped && t.budgetSpent && QFileInfo::exists(QDir(t.modelDirs.at(i)).filePath(QStringLiteral("model.json")));
        complete = complete && (s == JobState::Finished || partial);
        stopped = stopped || s == JobState::Stopped;
    }
    if (complete && stopped)
        t.candidate.message = tr("its time budget was spent: scored with what it trained by then");
    if (!complete) {
        t.candidate.state = stopped && t.candidate.state != QLatin1String("failed") ? QStringLiteral("stopped") : QStringLiteral("failed");
        if (!t.point.empty())
            a.strategy->observe(t.point, kNaN);
        ++a.failed;
        closeTrial(t, stopped ? RunStatus::Killed : RunStatus::Failed);
        Q_EMIT q->candidateFinished(t.candidate);
        Q_EMIT q->leaderboardChanged();
        launchMore();
        maybeFinish();
        return;
    }
    if (!stopped) {
        a.wallMs = (a.wallMs * a.measured + wall) / (a.measured + 1);
        a.wallCost = (a.wallCost * a.measured + t.cost) / (a.measured + 1);
        ++a.measured;
    } else if (a.measured == 0) {
        // Stopped at its budget: at least this long (a lower bound, until one finishes).
        a.wallMs = std::max(a.wallMs, wall);
        a.wallCost = t.cost;
    }
    t.evaluating = true;
    t.scoringStartedMs = elapsed();
    t.candidate.state = QStringLiteral("scoring");
    const std::shared_ptr<const PreparedData> prepared = data;
    const std::shared_ptr<PluginManager> pm = plugins;
    const std::shared_ptr<QMutex> mutex = pluginMutex;
    const QStringList dirs = t.modelDirs;
    const QString candidateModel = QDir(workspace.artifactDir(t.candidate.runUuid)).filePath(QStringLiteral("model"));
    const QJsonObject params = t.candidate.params;
    const QString candidateRun = t.candidate.runUuid;
    const int index = t.candidate.index - 1;
    const bool logTarget = t.logTarget;
    async<Evaluation>(
        [prepared, pm, mutex, dirs, candidateModel, params, candidateRun, logTarget] {
            Evaluation e;
            try {
                const PreparedData &p = *prepared;
                const int w = p.width();
                const qsizetype n = p.table.rowCount();
                // Repeated k-fold: every repeat predicts each row once; the out-of-fold
                // prediction is their average.
                std::vector<double> sum(size_t(n) * size_t(w), 0.0);
                std::vector<int> seen(size_t(n), 0);
                double micros = 0;
                ModelCard first;
                for (int f = 0; f < p.foldJobs(); ++f) {
                    std::vector<qsizetype> rows;
                    for (qsizetype r = 0; r < n; ++r)
                        if (p.validates(f, r))
                            rows.push_back(r);
                    const data::Table part = p.table.select(rows);
                    std::unique_ptr<Predictor> predictor;
                    ModelCard card;
                    {
                        QMutexLocker lock(mutex.get());
                        predictor = loadPredictor(*pm, dirs.at(f), &card);
                    }
                    if (f == 0)
                        first = card;
                    PredictionInput input;
                    input.channel.type = data::ChannelSpec::Type::Csv;
                    input.table = &part;
                    const Predictions pred = predictor->predict(input);
                    {
                        // Timed on a second, warm call (the first pays for lazy set-up) on at
                        // most 1000 rows, as a deployed model would answer.
                        const qsizetype timed = std::min<qsizetype>(qsizetype(rows.size()), 1000);
                        std::vector<qsizetype> head(static_cast<size_t>(timed));
                        std::iota(head.begin(), head.end(), 0);
                        const data::Table sample = timed == qsizetype(rows.size()) ? data::Table() : part.select(head);
                        PredictionInput again = input;
                        if (timed != qsizetype(rows.size()))
                            again.table = &sample;
                        QElapsedTimer timer;
                        timer.start();
                        predictor->predict(again);
                        micros += double(timer.nsecsElapsed()) / 1000.0 / double(std::max<qsizetype>(timed, 1));
                    }
                    if (pred.rows() != qsizetype(rows.size()))
                        throw Error(QStringLiteral("fold %1's model returned %2 predictions for %3 rows").arg(f).arg(pred.rows()).arg(rows.size()));
                    for (qsizetype r : rows)
                        ++seen[size_t(r)];
                    if (p.task == Task::Regression) {
                        // Scored on the original scale, mapped back with the bounds its fold knew.
                        const TargetTransform none;
                        const TargetTransform &back = logTarget ? p.logFoldTransform.at(size_t(f)) : none;
                        for (size_t i = 0; i < rows.size(); ++i)
                            sum[size_t(rows[i])] += back.inverse(pred.values[i]);
                        continue;
                    }
                    const qsizetype mk = pred.classes.size();
                    std::vector<int> map(static_cast<size_t>(mk), -1);
                    for (qsizetype j = 0; j < mk; ++j)
                        map[size_t(j)] = int(p.classes.indexOf(pred.classes.at(j)));
                    for (size_t i = 0; i < rows.size(); ++i) {
                        double *out = &sum[size_t(rows[i]) * size_t(w)];
                        for (qsizetype j = 0; j < mk; ++j) {
                            if (map[size_t(j)] < 0)
                                continue;
                            out[map[size_t(j)]] += pred.probabilities.empty()
                                                       ? (pred.labels[i] == j ? 1.0 : 0.0)
                                                       : double(pred.probabilities[i * size_t(mk) + size_t(j)]);
                        }
                    }
                }
                e.oof.assign(size_t(n) * size_t(w), kNaN);
                for (qsizetype r = 0; r < n; ++r)
                    if (seen[size_t(r)] > 0)
                        for (int j = 0; j < w; ++j)
                            e.oof[size_t(r) * size_t(w) + size_t(j)] = sum[size_t(r) * size_t(w) + size_t(j)] / seen[size_t(r)];
                e.predictMicrosPerRow = micros; // the saved bag asks every fold model
                e.metrics = detail::scoreRows(p, e.oof, p.scoredRows());
                {
                    const std::vector<qsizetype> scored = p.scoredRows();
                    std::vector<double> compact;
                    for (qsizetype r : scored)
                        for (int j = 0; j < w; ++j)
                            compact.push_back(e.oof[size_t(r) * size_t(w) + size_t(j)]);
                    e.objective = detail::selectionScore(p, compact, scored);
                }

                // The candidate's own model: the bag of its fold models (hold-out: the model).
                // A log-target candidate's bag maps the averaged log back to the target.
                if (p.holdout && !logTarget) {
                    copyFolder(dirs.first(), candidateModel);
                } else {
                    ModelCard card;
                    card.task = taskName(p.task);
                    card.target = p.profile.target;
                    card.classes = p.classes;
                    card.inputSchema = first.inputSchema;
                    card.hyperparameters = params;
                    for (auto it = e.metrics.constBegin(); it != e.metrics.constEnd(); ++it)
                        card.metrics.insert(QStringLiteral("oof.") + it.key(), number(it.value()));
                    card.runUuid = candidateRun;
                    card.createdAt = QDateTime::currentMSecsSinceEpoch();
                    if (logTarget)
                        card.extra.insert(QStringLiteral("targetTransform"), p.logTarget.toJson());
                    QList<EnsembleMember> members;
                    for (const QString &dir : dirs)
                        members << EnsembleMember{dir, 1.0};
                    saveEnsembleModel(candidateModel, card, members);
                }
            } catch (const Error &err) {
                e.error = err.message();
            } catch (const std::exception &err) {
                e.error = QString::fromUtf8(err.what());
            }
            return e;
        },
        [this, index](const Evaluation &e) { onEvaluated(index, e); });
}

void AutoMLJob::Private::onEvaluated(int trialIndex, const Evaluation &e)
{
    Trial &t = trials[size_t(trialIndex)];
    Algorithm &a = algorithms[size_t(t.algorithm)];
    t.evaluating = false;
    if (t.done)
        return; // given up at the time limit
    // The finish loads, saves and explains the best candidates' fold models: on a busy machine
    // that costs a few times what scoring one candidate took, so the finish starts earlier.
    slowestScoringMs = std::max(slowestScoringMs, elapsed() - t.scoringStartedMs);
    const qint64 needed = 3 * slowestScoringMs + 1500;
    if (limitMs - finishMs < needed) {
        finishMs = std::max(limitMs - needed, limitMs / 2);
        hardMs = std::max(std::min(hardMs, finishMs - stopMarginMs), limitMs / 3);
    }
    ExperimentStore &store = workspace.store();
    if (!e.error.isEmpty()) {
        t.candidate.state = QStringLiteral("failed");
        t.candidate.message = e.error;
        if (!t.point.empty())
            a.strategy->observe(t.point, kNaN);
        ++a.failed;
        closeTrial(t, RunStatus::Failed);
    } else {
        t.oof = e.oof;
        t.candidate.metrics = e.metrics;
        t.candidate.objective = e.objective;
        t.candidate.predictMicrosPerRow = e.predictMicrosPerRow;
        const bool usable = std::isfinite(t.candidate.objective);
        t.candidate.state = usable ? QStringLiteral("finished") : QStringLiteral("failed");
        if (!usable)
            t.candidate.message = QStringLiteral("the out-of-fold %1 is not a number").arg(data->metric);
        const double o = usable ? oriented(t.candidate.objective) : kNaN;
        if (a.strategy && !t.logTarget) {
            // The defaults trial teaches the strategy too, at the point of the schema's defaults.
            std::vector<double> at = t.point;
            if (at.empty()) {
                QJsonObject defaults;
                for (const tuning::Dimension &dim : a.plan.space.dimensions())
                    if (const Parameter *prm = a.info.schema.find(dim.name))
                        defaults.insert(dim.name, prm->defaultValue);
                at = a.plan.space.toUnit(defaults);
            }
            a.strategy->observe(at, o);
        }
        if (usable) {
            ++a.finished;
            if (std::isnan(a.best) || o < a.best)
                a.best = o;
        } else {
            ++a.failed;
        }
        try {
            for (auto it = e.metrics.constBegin(); it != e.metrics.constEnd(); ++it)
                if (std::isfinite(it.value()))
                    store.logMetric(t.candidate.runUuid, {it.key(), it.value(), 0, 0});
            if (usable) {
                store.logMetric(t.candidate.runUuid, {QStringLiteral("objective"), t.candidate.objective, 0, 0});
                store.logMetric(runUuid, {QStringLiteral("candidate.objective"), t.candidate.objective, t.candidate.index, 0});
                double best = kNaN;
                for (const Trial &other : trials)
                    if (other.candidate.state == QLatin1String("finished") && (std::isnan(best) || oriented(other.candidate.objective) < oriented(best)))
                        best = other.candidate.objective;
                store.logMetric(runUuid, {QStringLiteral("best.objective"), best, t.candidate.index, 0});
            }
            store.logMetric(t.candidate.runUuid, {QStringLiteral("train_seconds"), t.candidate.trainSeconds, 0, 0});
            store.logMetric(t.candidate.runUuid, {QStringLiteral("predict_us_per_row"), t.candidate.predictMicrosPerRow, 0, 0});
        } catch (const Error &) {
            // The leaderboard keeps the figures even when the store is busy.
        }
        closeTrial(t, usable ? RunStatus::Finished : RunStatus::Failed);
    }
    Q_EMIT q->candidateFinished(t.candidate);
    Q_EMIT q->leaderboardChanged();
    launchMore();
    maybeFinish();
}

void AutoMLJob::Private::checkBudgets()
{
    if (finishing || isFinished || !data)
        return;
    const qint64 now = elapsed();
    for (Algorithm &a : algorithms)
        if (a.probing() && (now >= a.probeDeadlineMs || now >= hardMs)) {
            if (!a.probeStopping)
                jobs.stop(a.probeJob, tr("its cost probe took too long"));
            a.probeStopping = true;
            if (now >= finishMs)
                a.probed = true; // the finish does not wait for it
        }
    if (now >= finishMs) {
        // The finish must start now to end within the limit: whatever has not settled yet is
        // left out (its jobs were stopped at hardMs and are stopped again, harder).
        for (Trial &t : trials) {
            if (t.done)
                continue;
            for (int i = 0; i < t.jobIds.size(); ++i)
                if (!isTerminal(t.states.at(i)))
                    jobs.stop(t.jobIds.at(i), tr("the AutoML time limit was reached"));
            t.candidate.state = QStringLiteral("stopped");
            t.candidate.message = tr("the AutoML time limit was reached before it was scored");
            closeTrial(t, RunStatus::Killed);
            Q_EMIT q->candidateFinished(t.candidate);
        }
        Q_EMIT q->leaderboardChanged();
        maybeFinish();
        return;
    }
    for (Trial &t : trials) {
        if (t.done || t.evaluating)
            continue;
        const bool spent = now >= t.deadlineMs || now >= hardMs;
        if (!spent)
            continue;
        bool running = false;
        for (int i = 0; i < t.jobIds.size(); ++i)
            running = running || !isTerminal(t.states.at(i));
        if (!running)
            continue;
        if (!t.budgetSpent) {
            t.budgetSpent = true;
            const QString why = now >= hardMs ? tr("the AutoML time limit was reached") : tr("the candidate's time budget was spent");
            for (int i = 0; i < t.jobIds.size(); ++i)
                if (!isTerminal(t.states.at(i)))
                    jobs.stop(t.jobIds.at(i), why);
        }
    }
}

void AutoMLJob::Private::closeTrial(Trial &t, RunStatus status)
{
    t.done = true;
    if (t.candidate.runUuid.isEmpty())
        return;
    try {
        ExperimentStore &store = workspace.store();
        if (!t.candidate.message.isEmpty())
            store.setTag(t.candidate.runUuid, QStringLiteral("automl.message"), t.candidate.message.left(500));
        store.setRunStatus(t.candidate.runUuid, status);
    } catch (const Error &) {
    }
}

void AutoMLJob::Private::stopJobs(const QString &reason)
{
    for (const Algorithm &a : algorithms)
        if (a.probing())
            jobs.stop(a.probeJob, reason);
    for (const Trial &t : trials)
        for (int i = 0; i < t.jobIds.size(); ++i)
            if (!isTerminal(t.states.at(i)))
                jobs.stop(t.jobIds.at(i), reason);
}

void AutoMLJob::Private::maybeFinish()
{
    if (finishing || isFinished || !started)
        return;
    if (!data) {
        // Still preparing: a stop before that ends once the preparation is back.
        return;
    }
    for (const Trial &t : trials)
        if (!t.done)
            return;
    for (const Algorithm &a : algorithms)
        if (a.probing())
            return;
    if (canLaunch() && nextChoice(true).algorithm >= 0)
        return;
    finishing = true;
    budgetTimer.stop();

    QList<int> finishedTrials;
    for (size_t i = 0; i < trials.size(); ++i)
        if (trials[i].candidate.state == QLatin1String("finished"))
            finishedTrials << int(i);
    if (finishedTrials.isEmpty()) {
        QString why;
        for (const Trial &t : trials)
            if (!t.candidate.message.isEmpty()) {
                why = t.candidate.message;
                break;
            }
        fail(trials.empty() ? (stopRequested ? QStringLiteral("stopped before any candidate was trained")
                                             : QStringLiteral("no candidate could be trained within the time limit"))
                            : QStringLiteral("no candidate finished%1").arg(why.isEmpty() ? QString() : QStringLiteral(": ") + why));
        return;
    }
    // Ties keep the start order, as the leaderboard does: the single best is the one it ranks first.
    std::stable_sort(finishedTrials.begin(), finishedTrials.end(), [&](int a, int b) {
        return oriented(trials[size_t(a)].candidate.objective) < oriented(trials[size_t(b)].candidate.objective);
    });
    phase(QStringLiteral("finishing"), spec.ensemble && finishedTrials.size() > 1 ? tr("ensemble selection, the best model and its explanations")
                                                                                   : tr("the best model and its explanations"));

    struct Member
    {
        QString name;
        QString bag;                    ///< the candidate's own model (its fold models averaged)
        QStringList modelDirs;          ///< its fold models; a log-target candidate: its bag
        std::vector<double> oof;
        double objective;
        double trainSeconds;
        double predictMicros;
    };
    std::vector<Member> members;
    for (int i : finishedTrials) {
        if (int(members.size()) >= (spec.ensemble ? kEnsembleCandidates : 1))
            break;
        const Trial &t = trials[size_t(i)];
        // A log-target candidate's fold models predict the logarithm: its bag maps them back.
        const QStringList dirs = t.logTarget ? QStringList{QDir(workspace.artifactDir(t.candidate.runUuid)).filePath(QStringLiteral("model"))} : t.modelDirs;
        members.push_back({candidateName(t.candidate), QDir(workspace.artifactDir(t.candidate.runUuid)).filePath(QStringLiteral("model")), dirs, t.oof, t.candidate.objective, t.candidate.trainSeconds, t.candidate.predictMicrosPerRow});
    }
    const std::shared_ptr<const PreparedData> prepared = data;
    const std::shared_ptr<PluginManager> pm = plugins;
    const std::shared_ptr<QMutex> mutex = pluginMutex;
    const bool ensemble = spec.ensemble;
    const QString modelDir = QDir(artifactDir).filePath(QStringLiteral("model"));
    const QString explanations = QDir(artifactDir).filePath(QStringLiteral("explanations"));
    const QString run = runUuid;
    const quint64 seed = spec.seed;
    const QElapsedTimer clockCopy = clock;
    // What is left of the limit, less a moment for the notebooks, the leaderboard and exiting.
    const qint64 endMs = limitMs - std::clamp<qint64>(limitMs / 50, 500, 3000);
    async<Outcome>(
        [prepared, pm, mutex, members, ensemble, modelDir, explanations, run, seed, clockCopy, endMs] {
            auto leftMs = [&] { return endMs - clockCopy.elapsed(); };
            Outcome o;
            const PreparedData &p = *prepared;
            const std::vector<qsizetype> rows = p.scoredRows();
            const int w = p.width();
            auto orient = [&](double v) { return p.maximize ? -v : v; };
            std::vector<double> weights(members.size(), 0.0);
            weights[0] = 1.0;
            StackCombiner stack;
            if (ensemble && members.size() > 1) {
                std::vector<std::vector<double>> compact;
                for (const Member &m : members) {
                    std::vector<double> c;
                    c.reserve(rows.size() * size_t(w));
                    for (qsizetype r : rows)
                        for (int j = 0; j < w; ++j)
                            c.push_back(m.oof[size_t(r) * size_t(w) + size_t(j)]);
                    compact.push_back(std::move(c));
                }
                // Combining gets at most two fifths of the time left, half of it for each way;
                // past that nothing more is kept.
                const qint64 share = std::max<qint64>(0, leftMs() / 5);
                qint64 combineEnd = clockCopy.elapsed() + share;
                auto late = [&] { return clockCopy.elapsed() > combineEnd; };
                std::vector<size_t> all(rows.size());
                std::iota(all.begin(), all.end(), size_t(0));
                // A combination is learnt from the out-of-fold predictions it is scored on, so its
                // own score is optimistic: it is scored cross-fitted (learnt on four fifths of the
                // rows, scored on the fifth), and kept only when it beats the best single candidate
                // by more than the noise of a paired bootstrap.
                const std::vector<int> group = detail::rowGroups(rows.size(), 5, seed);
                auto caruana = [&](const std::vector<size_t> &fit) {
                    std::vector<std::vector<double>> part;
                    std::vector<qsizetype> partRows;
                    for (size_t pos : fit)
                        partRows.push_back(rows[pos]);
                    for (const std::vector<double> &c : compact) {
                        std::vector<double> x;
                        x.reserve(fit.size() * size_t(w));
                        for (size_t pos : fit)
                            for (int j = 0; j < w; ++j)
                                x.push_back(c[pos * size_t(w) + size_t(j)]);
                        part.push_back(std::move(x));
                    }
                    return greedyEnsemble(part, kEnsembleRounds, [&](const std::vector<double> &avg) {
                        return late() ? kNaN : orient(detail::selectionScore(p, avg, partRows));
                    });
                };
                auto blend = [&](const std::vector<double> &wts) {
                    std::vector<double> avg(compact.front().size(), 0.0);
                    double total = 0;
                    for (size_t m = 0; m < compact.size(); ++m) {
                        total += wts[m];
                        for (size_t i = 0; i < avg.size(); ++i)
                            avg[i] += wts[m] * compact[m][i];
                    }
                    return total > 0 ? avg : std::vector<double>();
                };
                auto judge = [&](Combination &c, const std::vector<double> &honest) {
                    detail::GuardDecision guard;
                    if (!honest.empty()) {
                        c.metrics = detail::scoreCompact(p, honest, rows);
                        c.objective = detail::selectionScore(p, honest, rows);
                        guard = detail::guardGain(p, compact.front(), honest, rows, seed, 100, late);
                    }
                    c.passed = guard.keep && std::isfinite(c.objective);
                    c.reason = guard.reason(c.algorithm == QLatin1String("stack") ? QStringLiteral("the stack") : QStringLiteral("the ensemble"),
                                            members.front().name);
                };
                std::vector<double> picked;
                {
                    Combination c;
                    c.algorithm = QStringLiteral("ensemble");
                    picked = caruana(all);
                    int used = 0;
                    for (double x : picked)
                        used += x > 0 ? 1 : 0;
                    if (used > 1) {
                        for (size_t m = 0; m < members.size(); ++m)
                            if (picked[m] > 0) {
                                c.weights.insert(members[m].name, picked[m]);
                                c.predictMicros += members[m].predictMicros;
                                c.trainSeconds += members[m].trainSeconds;
                            }
                        judge(c, detail::crossFit(rows.size(), w, group, [&](const std::vector<size_t> &fit) {
                                  return late() ? std::vector<double>() : blend(caruana(fit));
                              }));
                        o.combinations << c;
                    }
                }
                combineEnd += share; // the stack's half, whatever the ensemble left of its own
                {
                    Combination c;
                    c.algorithm = QStringLiteral("stack");
                    stack = detail::fitStack(p, compact, rows, all, 0);
                    for (size_t m = 0; m < members.size(); ++m) {
                        c.weights.insert(members[m].name, stack.weights[m]);
                        c.predictMicros += members[m].predictMicros;
                        c.trainSeconds += members[m].trainSeconds;
                    }
                    judge(c, detail::crossFit(rows.size(), w, group, [&](const std::vector<size_t> &fit) {
                              return late() ? std::vector<double>() : detail::applyStack(detail::fitStack(p, compact, rows, fit, 0, &stack), compact, w);
                          }));
                    o.combinations << c;
                }
                // The best of those that passed is the model; with none, the best single candidate.
                int best = -1;
                for (int i = 0; i < o.combinations.size(); ++i)
                    if (o.combinations[i].passed && (best < 0 || orient(o.combinations[i].objective) < orient(o.combinations[best].objective)))
                        best = i;
                if (best >= 0) {
                    o.combinations[best].chosen = true;
                    if (o.combinations[best].algorithm == QLatin1String("ensemble"))
                        weights = picked;
                } else {
                    stack = StackCombiner();
                }
                if (best < 0 || o.combinations[best].algorithm != QLatin1String("stack"))
                    stack = StackCombiner();
            }

            // The best model: the winning ensemble or stack, else the best candidate.
            try {
                QList<EnsembleMember> flat;
                if (!stack.isNone()) {
                    // The stack combines the candidates' own models, each the bag of its folds.
                    for (const Member &m : members)
                        flat << EnsembleMember{m.bag, 1.0};
                } else {
                    for (size_t m = 0; m < members.size(); ++m)
                        if (weights[m] > 0)
                            for (const QString &dir : members[m].modelDirs)
                                flat << EnsembleMember{dir, weights[m] / double(members[m].modelDirs.size())};
                }
                QDir(modelDir).removeRecursively();
                ModelCard first = ModelCard::load(flat.first().path);
                if (flat.size() == 1 && stack.isNone()) {
                    copyFolder(flat.first().path, modelDir);
                } else {
                    ModelCard card;
                    card.task = taskName(p.task);
                    card.target = p.profile.target;
                    card.classes = p.classes;
                    card.inputSchema = first.inputSchema;
                    card.runUuid = run;
                    card.createdAt = QDateTime::currentMSecsSinceEpoch();
                    QMap<QString, double> metrics;
                    for (const Combination &c : std::as_const(o.combinations))
                        if (c.chosen)
                            metrics = c.metrics;
                    for (auto it = metrics.constBegin(); it != metrics.constEnd(); ++it)
                        card.metrics.insert(QStringLiteral("oof.") + it.key(), number(it.value()));
                    QJsonObject automl{{QStringLiteral("metric"), p.metric},
                                       {QStringLiteral("validation"), p.holdout ? QStringLiteral("holdout") : QStringLiteral("k-fold")},
                                       {QStringLiteral("folds"), p.folds}};
                    QJsonObject picked;
                    for (size_t m = 0; m < members.size(); ++m)
                        if (!stack.isNone() || weights[m] > 0)
                            picked.insert(members[m].name, stack.isNone() ? weights[m] : stack.weights[m]);
                    automl.insert(QStringLiteral("candidates"), picked);
                    card.extra.insert(QStringLiteral("automl"), automl);
                    if (!stack.isNone())
                        card.extra.insert(QStringLiteral("stack"), stack.toJson());
                    saveEnsembleModel(modelDir, card, flat);
                }
            } catch (const Error &e) {
                o.error = QStringLiteral("cannot save the best model: %1").arg(e.message());
                return o;
            }

            // Global explanations of the best model on (a sample of) the validated rows.
            try {
                if (leftMs() < 300)
                    throw Error(QStringLiteral("the time limit left no time for it"));
                std::vector<qsizetype> sample = rows;
                std::mt19937_64 rng(seed);
                for (qsizetype i = qsizetype(sample.size()) - 1; i > 0; --i)
                    std::swap(sample[size_t(i)], sample[size_t(rng() % quint64(i + 1))]);
                if (qsizetype(sample.size()) > kImportanceRows)
                    sample.resize(size_t(kImportanceRows));
                ModelCard card;
                std::unique_ptr<Predictor> predictor;
                {
                    QMutexLocker lock(mutex.get());
                    predictor = loadPredictor(*pm, modelDir, &card);
                }
                // Sized to the time left: one timed prediction tells what a row costs, and
                // permutation importance predicts every row once per column and repeat.
                const int repeats = 3;
                const qsizetype columns = std::max<qsizetype>(1, p.table.columns.size() - 1);
                double rowMs = 0;
                {
                    std::vector<qsizetype> probeRows(sample.begin(), sample.begin() + std::min<qsizetype>(200, qsizetype(sample.size())));
                    std::sort(probeRows.begin(), probeRows.end());
                    const data::Table probe = p.table.select(probeRows);
                    PredictionInput input;
                    input.table = &probe;
                    predictor->predict(input); // the first call pays for lazy set-up
                    QElapsedTimer timer;
                    timer.start();
                    predictor->predict(input);
                    rowMs = double(timer.nsecsElapsed()) / 1e6 / double(std::max<qsizetype>(1, probe.rowCount()));
                }
                // A third of the time left: a busy machine makes big batches slower than the probe.
                const double importanceMs = double(leftMs()) * 0.3;
                const qsizetype affordable = rowMs > 0 ? qsizetype(importanceMs / (rowMs * double(1 + columns * repeats))) : qsizetype(sample.size());
                if (affordable < 30)
                    throw Error(QStringLiteral("the time limit left no time for it"));
                if (qsizetype(sample.size()) > affordable)
                    sample.resize(size_t(affordable));
                std::sort(sample.begin(), sample.end());
                const data::Table table = p.table.select(sample);
                o.importance = permutationImportance(*predictor, card, table, p.metric, repeats, seed);
                writeFile(QDir(explanations).filePath(QStringLiteral("importance.json")),
                          QJsonDocument(QJsonObject{{QStringLiteral("method"), QStringLiteral("permutation")},
                                                    {QStringLiteral("metric"), p.metric},
                                                    {QStringLiteral("rows"), table.rowCount()},
                                                    {QStringLiteral("features"), importanceToJson(o.importance)}})
                              .toJson());
                writeFile(QDir(explanations).filePath(QStringLiteral("importance.csv")), importanceCsv(o.importance));
                // SHAP on a few rows first, then on as many as the time left allows.
                qsizetype shapCount = 0;
                auto shapOn = [&](qsizetype count) {
                    shapCount = std::min<qsizetype>(count, table.rowCount());
                    std::vector<qsizetype> positions(static_cast<size_t>(shapCount));
                    std::iota(positions.begin(), positions.end(), 0);
                    const data::Table shapRows = table.select(positions);
                    PredictionInput input;
                    input.channel.type = data::ChannelSpec::Type::Csv;
                    input.table = &shapRows;
                    return predictor->contributions(input);
                };
                const qsizetype firstRows = 5;
                QElapsedTimer shapTimer;
                shapTimer.start();
                std::optional<Contributions> c = leftMs() > 300 ? shapOn(firstRows) : std::nullopt;
                const double shapRowMs = double(shapTimer.nsecsElapsed()) / 1e6 / double(firstRows);
                if (c && c->method == QLatin1String("shap")) {
                    const qsizetype more = shapRowMs > 0 ? qsizetype(double(leftMs()) * 0.3 / shapRowMs) : kShapRows;
                    if (more > firstRows)
                        c = shapOn(std::min<qsizetype>(kShapRows, more));
                }
                if (c && c->method == QLatin1String("shap")) {
                    const QList<FeatureImportance> shap = shapImportance(*c);
                    writeFile(QDir(explanations).filePath(QStringLiteral("shap_importance.json")),
                              QJsonDocument(QJsonObject{{QStringLiteral("method"), QStringLiteral("shap")},
                                                        {QStringLiteral("output"), c->output},
                                                        {QStringLiteral("rows"), shapCount},
                                                        {QStringLiteral("features"), importanceToJson(shap)}})
                                  .toJson());
                    writeFile(QDir(explanations).filePath(QStringLiteral("shap_importance.csv")), importanceCsv(shap));
                    o.shap = true;
                }
            } catch (const Error &e) {
                o.warnings << QStringLiteral("no feature importance: %1").arg(e.message());
            } catch (const std::exception &e) {
                o.warnings << QStringLiteral("no feature importance: %1").arg(QString::fromUtf8(e.what()));
            }
            return o;
        },
        [this](const Outcome &o) { onOutcome(o); });
}

void AutoMLJob::Private::onOutcome(const Outcome &o)
{
    ExperimentStore &store = workspace.store();
    if (!o.error.isEmpty()) {
        fail(o.error);
        return;
    }
    QStringList selection;
    for (const Combination &combo : o.combinations) {
        selection << combo.reason;
        Candidate c;
        c.index = int(trials.size()) + 1 + int(combinations.size());
        c.algorithm = combo.algorithm;
        c.ensemble = true;
        c.params = combo.weights;
        // A combination within the noise of the best single candidate is listed, not ranked.
        c.state = combo.passed ? QStringLiteral("finished") : QStringLiteral("rejected");
        c.message = combo.reason;
        c.metrics = combo.metrics;
        c.objective = combo.objective;
        c.trainSeconds = combo.trainSeconds;
        c.predictMicrosPerRow = combo.predictMicros;
        if (combo.passed) {
            try {
                const Run run = store.createRun({.experimentId = store.ensureExperiment(spec.experiment),
                                                 .name = combo.algorithm,
                                                 .sourceType = QStringLiteral("AUTOML"),
                                                 .sourceRef = combo.algorithm,
                                                 .parentUuid = runUuid,
                                                 .host = QSysInfo::machineHostName(),
                                                 .pid = QCoreApplication::applicationPid()});
                c.runUuid = run.uuid;
                for (auto it = c.params.constBegin(); it != c.params.constEnd(); ++it)
                    store.logParam(run.uuid, QStringLiteral("weight.") + it.key(), QString::number(it.value().toDouble(), 'g', 4));
                for (auto it = c.metrics.constBegin(); it != c.metrics.constEnd(); ++it)
                    if (std::isfinite(it.value()))
                        store.logMetric(run.uuid, {it.key(), it.value(), 0, 0});
                store.logMetric(run.uuid, {QStringLiteral("objective"), c.objective, 0, 0});
                store.setTag(run.uuid, QStringLiteral("automl.candidate"), combo.algorithm);
                store.setTag(run.uuid, QStringLiteral("automl.guard"), combo.reason.left(500));
                store.setRunStatus(run.uuid, RunStatus::Finished);
                // The chosen combination's model lives in the AutoML run's model/ folder.
                if (combo.chosen)
                    copyFolder(QDir(artifactDir).filePath(QStringLiteral("model")), QDir(workspace.artifactDir(run.uuid)).filePath(QStringLiteral("model")));
            } catch (const Error &) {
            }
        }
        combinations << c;
        Q_EMIT q->candidateFinished(c);
        Q_EMIT q->leaderboardChanged();
    }
    try {
        if (!selection.isEmpty())
            store.setTag(runUuid, QStringLiteral("automl.selection"), selection.join(QStringLiteral("; ")).left(1000));
    } catch (const Error &) {
    }
    model = QDir(artifactDir).filePath(QStringLiteral("model"));
    importance = o.importance;

    const QList<Candidate> board = leaderboard();
    const Candidate &best = board.first();
    try {
        writeLeaderboard();
    } catch (const Error &e) {
        fail(e.message());
        return;
    }
    try {
        notebooks = writeAutoMLNotebooks(artifactDir, spec, data->profile, board, runUuid);
    } catch (const Error &e) {
        store.setTag(runUuid, QStringLiteral("automl.notebooks_error"), e.message().left(500));
    }
    try {
        for (auto it = best.metrics.constBegin(); it != best.metrics.constEnd(); ++it)
            if (std::isfinite(it.value()))
                store.logMetric(runUuid, {it.key(), it.value(), 0, 0});
        store.logMetric(runUuid, {QStringLiteral("objective"), best.objective, 0, 0});
        store.setTag(runUuid, QStringLiteral("best_run"), best.runUuid);
        store.setTag(runUuid, QStringLiteral("best_candidate"), candidateName(best));
        store.setTag(runUuid, QStringLiteral("best_algorithm"), best.algorithm);
        for (int i = 0; i < std::min<int>(10, int(importance.size())); ++i)
            store.logParam(runUuid, QStringLiteral("importance.%1").arg(i + 1), importance.at(i).feature);
        for (const QString &w : o.warnings)
            store.setTag(runUuid, QStringLiteral("automl.warning"), w.left(500));
        store.setRunStatus(runUuid, stopRequested ? RunStatus::Killed : RunStatus::Finished);
    } catch (const Error &) {
    }
    isFinished = true;
    phase(QStringLiteral("finished"), tr("best: %1 (%2 = %3)").arg(candidateName(best), data->metric, QString::number(best.objective, 'g', 6)));
    Q_EMIT q->finished(true, o.warnings.join(QLatin1Char('\n')));
}

void AutoMLJob::Private::fail(const QString &message)
{
    if (isFinished)
        return;
    finishing = true;
    budgetTimer.stop();
    stopJobs(message);
    isFinished = true;
    try {
        if (!runUuid.isEmpty()) {
            ExperimentStore &store = workspace.store();
            store.setTag(runUuid, QStringLiteral("automl.error"), message.left(500));
            store.setRunStatus(runUuid, RunStatus::Failed);
        }
        if (data)
            writeLeaderboard();
    } catch (const Error &) {
    }
    phase(QStringLiteral("failed"), message);
    Q_EMIT q->finished(false, message);
}

QList<Candidate> AutoMLJob::Private::leaderboard() const
{
    QList<Candidate> done, rest;
    for (const Trial &t : trials)
        (t.candidate.state == QLatin1String("finished") ? done : rest) << t.candidate;
    for (const Candidate &c : combinations)
        (c.state == QLatin1String("finished") ? done : rest) << c;
    std::stable_sort(done.begin(), done.end(), [&](const Candidate &a, const Candidate &b) { return oriented(a.objective) < oriented(b.objective); });
    return done + rest;
}

void AutoMLJob::Private::writeLeaderboard() const
{
    const QList<Candidate> board = leaderboard();
    const QStringList metrics = metricsFor(data->task);
    QJsonArray entries;
    QString csv = QStringLiteral("rank,candidate,algorithm,state,objective");
    for (const QString &m : metrics)
        csv += QLatin1Char(',') + m;
    csv += QStringLiteral(",train_seconds,predict_us_per_row,run,params\n");
    int rank = 0;
    for (const Candidate &c : board) {
        const bool ranked = c.state == QLatin1String("finished");
        QJsonObject o = c.toJson();
        o.insert(QStringLiteral("rank"), ranked ? QJsonValue(++rank) : QJsonValue());
        entries.append(o);
        QStringList fields{ranked ? QString::number(rank) : QString(), candidateName(c), c.algorithm, c.state,
                           std::isfinite(c.objective) ? QString::number(c.objective, 'g', 8) : QString()};
        for (const QString &m : metrics) {
            const double v = c.metrics.value(m, kNaN);
            fields << (std::isfinite(v) ? QString::number(v, 'g', 8) : QString());
        }
        fields << QString::number(c.trainSeconds, 'f', 3) << QString::number(c.predictMicrosPerRow, 'f', 3) << c.runUuid
               << data::csvField(QString::fromUtf8(QJsonDocument(c.params).toJson(QJsonDocument::Compact)));
        csv += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    const QJsonObject doc{{QStringLiteral("run"), runUuid},
                          {QStringLiteral("task"), taskName(data->task)},
                          {QStringLiteral("metric"), data->metric},
                          {QStringLiteral("maximize"), data->maximize},
                          {QStringLiteral("validation"), data->holdout ? QStringLiteral("holdout") : QStringLiteral("k-fold")},
                          {QStringLiteral("folds"), data->folds},
                          {QStringLiteral("candidates"), entries}};
    writeFile(QDir(artifactDir).filePath(QStringLiteral("automl/leaderboard.json")), QJsonDocument(doc).toJson());
    writeFile(QDir(artifactDir).filePath(QStringLiteral("automl/leaderboard.csv")), csv.toUtf8());
}

} // namespace cairn::automl

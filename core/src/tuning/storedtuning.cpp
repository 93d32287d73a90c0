#include "cairn/tuning/storedtuning.h"

#include "cairn/jobs/jobrecord.h"
#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace cairn::tuning {

namespace {

JobState stateOf(RunStatus status)
{
    switch (status) {
    case RunStatus::Scheduled: return JobState::Queued;
    case RunStatus::Running: return JobState::Running;
    case RunStatus::Finished: return JobState::Finished;
    case RunStatus::Failed: return JobState::Failed;
    case RunStatus::Killed: return JobState::Stopped;
    }
    return JobState::Failed;
}

} // namespace

QList<Run> StoredTuning::list(Workspace &workspace)
{
    RunQuery query;
    query.filter = QStringLiteral("tags.`cairn.kind` = 'tuning'");
    query.topLevelOnly = true;
    return workspace.store().searchRuns(query);
}

StoredTuning StoredTuning::load(Workspace &workspace, const QString &runUuid)
{
    ExperimentStore &store = workspace.store();
    const Run run = store.run(runUuid);
    StoredTuning t;
    t.runUuid = run.uuid;
    t.name = run.name;
    t.status = run.status;
    QFile file(QDir(workspace.artifactDir(run.uuid)).filePath(QStringLiteral("tuning.json")));
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("run %1 is not a tuning run (it has no tuning.json)").arg(run.uuid));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        throw Error(QStringLiteral("%1: %2").arg(file.fileName(), error.errorString()));
    t.spec = TuningSpec::fromJson(doc.object());
    if (t.spec.name.isEmpty())
        t.spec.name = run.name;

    for (const Run &child : store.childRuns(run.uuid)) {
        Trial trial;
        trial.runUuid = child.uuid;
        trial.state = stateOf(child.status);
        QString jobId;
        for (const Tag &tag : store.tags(child.id)) {
            if (tag.key == QLatin1String("tuning.trial"))
                trial.index = tag.value.toInt();
            else if (tag.key == QLatin1String("tuning.early_stopped"))
                trial.earlyStopped = tag.value == QLatin1String("true");
            else if (tag.key == QLatin1String("cairn.job"))
                jobId = tag.value;
            else if (tag.key == QLatin1String("cairn.host"))
                trial.host = tag.value;
        }
        if (trial.index <= 0)
            continue;
        trial.jobId = jobId;
        const QList<Param> params = store.params(child.id);
        for (const Dimension &d : t.spec.space.dimensions()) {
            const auto it = std::find_if(params.begin(), params.end(), [&](const Param &p) { return p.key == d.name; });
            if (it != params.end())
                trial.params.insert(d.name, d.kind == Dimension::Kind::Categorical ? QJsonValue(it->value) : QJsonValue(it->value.toDouble()));
        }
        // As the tuning job counts it: the last value of a finished (or early-stopped) trial.
        if (trial.state == JobState::Finished || trial.earlyStopped)
            for (const MetricSummary &m : store.metricSummaries(child.id))
                if (m.key == t.spec.objective)
                    trial.objective = m.last;
        if (!jobId.isEmpty() && (trial.state == JobState::Failed || trial.state == JobState::Stopped)) {
            try {
                trial.message = JobRecord::load(JobRecord::dirOf(workspace.path(), jobId)).message;
            } catch (const Error &) {
            }
        }
        t.trials << trial;
    }
    std::sort(t.trials.begin(), t.trials.end(), [](const Trial &a, const Trial &b) { return a.index < b.index; });
    // Indexes are 1-based positions; fill gaps (a trial whose run is gone) so best() can index.
    QList<Trial> dense;
    for (const Trial &trial : std::as_const(t.trials)) {
        while (dense.size() + 1 < trial.index) {
            Trial missing;
            missing.index = int(dense.size()) + 1;
            missing.state = JobState::Failed;
            dense << missing;
        }
        if (dense.size() + 1 == trial.index)
            dense << trial;
    }
    t.trials = dense;
    // The tuning job's own choice once it has ended (ties go to the trial that finished first);
    // while it runs, the best finished trial so far.
    for (const Tag &tag : store.tags(run.id))
        if (tag.key == QLatin1String("best_trial") && tag.value.toInt() > 0 && tag.value.toInt() <= t.trials.size())
            t.bestIndex = tag.value.toInt();
    for (const Trial &trial : std::as_const(t.trials)) {
        if (t.bestIndex > 0 && isTerminal(t.status))
            break;
        if (trial.earlyStopped || trial.state != JobState::Finished || !std::isfinite(trial.objective))
            continue;
        const Trial *b = t.best();
        if (!b || (t.spec.maximize ? trial.objective > b->objective : trial.objective < b->objective))
            t.bestIndex = trial.index;
    }
    return t;
}

} // namespace cairn::tuning

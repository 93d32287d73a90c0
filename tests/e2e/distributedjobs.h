#pragma once
// Runs `cairn worker` on job specs of several ranks for the distributed-training tests.

#include "clirunner.h"

#include "cairn/jobs/jobevent.h"
#include "cairn/jobs/jobspec.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QProcess>

#include <cmath>

namespace distributedjobs {

using namespace cairn;

struct WorkerRun
{
    int exitCode = -1;
    QList<JobEvent> events;
    QString stderrText;

    JobEvent lastStatus() const
    {
        for (qsizetype i = events.size() - 1; i >= 0; --i)
            if (events[i].type == JobEvent::Type::Status)
                return events[i];
        return {};
    }
    QString tag(const QString &key) const
    {
        for (const JobEvent &e : events)
            if (e.type == JobEvent::Type::Tag && e.key() == key)
                return e.data.value(QStringLiteral("value")).toString();
        return {};
    }
    QList<QString> metricKeys() const
    {
        QList<QString> keys;
        for (const JobEvent &e : events)
            if (e.type == JobEvent::Type::Metric && !keys.contains(e.key()))
                keys << e.key();
        return keys;
    }
};

inline QList<JobEvent> parseEvents(const QByteArray &out)
{
    QList<JobEvent> events;
    for (const QByteArray &line : out.split('\n'))
        if (auto e = JobEvent::parse(line))
            events << *e;
    return events;
}

inline QProcessEnvironment workerEnv(double timeoutSeconds = 60)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &k : env.keys())
        if (k.startsWith(QLatin1String("SLURM_")) || k.startsWith(QLatin1String("CAIRN_RANK")))
            env.remove(k);
    env.insert(QStringLiteral("CAIRN_DIST_TIMEOUT"), QString::number(timeoutSeconds));
    return env;
}

inline WorkerRun runWorker(const QString &specPath, const QProcessEnvironment &env = workerEnv())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.setWorkingDirectory(QFileInfo(specPath).absolutePath());
    p.start(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("worker"), QStringLiteral("--spec"), specPath});
    WorkerRun r;
    if (!p.waitForFinished(240000)) {
        p.kill();
        p.waitForFinished();
        r.stderrText = QStringLiteral("timed out");
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.events = parseEvents(p.readAllStandardOutput());
    r.stderrText = QString::fromUtf8(p.readAllStandardError());
    return r;
}

inline JobSpec mlpSpec(const QString &dir, int instances)
{
    JobSpec s;
    s.id = QStringLiteral("mlp-%1").arg(instances);
    s.algorithm = QStringLiteral("mlp");
    data::ChannelSpec train;
    train.path = sharedTable(QStringLiteral("breast_cancer.csv"));
    s.channels.insert(QStringLiteral("train"), train);
    s.target = QStringLiteral("target");
    // 455 training rows in batches of 32: the short last batch splits 4 + 3 between two ranks.
    s.hyperparameters = QJsonObject{{QStringLiteral("epochs"), 3}, {QStringLiteral("batch_size"), 32}, {QStringLiteral("dropout"), 0.0},
                                    {QStringLiteral("hidden_layers"), 2}, {QStringLiteral("units"), 32}, {QStringLiteral("early_stopping_patience"), 0}};
    s.seed = 11;
    s.outputDir = QDir(dir).filePath(QStringLiteral("out"));
    s.resources.cpus = 1;
    s.resources.instances = instances;
    return s;
}

inline JobSpec cnnSpec(const QString &dir, int instances, int images, int epochs)
{
    JobSpec s;
    s.id = QStringLiteral("cnn-%1").arg(instances);
    s.algorithm = QStringLiteral("cnn");
    data::ChannelSpec train;
    train.type = data::ChannelSpec::Type::Idx;
    train.path = QStringLiteral(CAIRN_SHARED_DATA_DIR "/fashion-mnist/t10k-images-idx3-ubyte.gz");
    train.labelsPath = QStringLiteral(CAIRN_SHARED_DATA_DIR "/fashion-mnist/t10k-labels-idx1-ubyte.gz");
    s.channels.insert(QStringLiteral("train"), train);
    s.hyperparameters = QJsonObject{{QStringLiteral("epochs"), epochs}, {QStringLiteral("batch_size"), 64},
                                    {QStringLiteral("max_train_images"), images}, {QStringLiteral("conv1_channels"), 8},
                                    {QStringLiteral("conv2_channels"), 16}, {QStringLiteral("fc_units"), 32},
                                    {QStringLiteral("dropout_conv"), 0.0}, {QStringLiteral("dropout_fc"), 0.0}, {QStringLiteral("log_every"), 1}};
    s.seed = 5;
    s.outputDir = QDir(dir).filePath(QStringLiteral("out"));
    s.resources.cpus = 1;
    s.resources.instances = instances;
    return s;
}

inline QString writeSpec(const QString &dir, const JobSpec &spec)
{
    QDir().mkpath(dir);
    const QString path = QDir(dir).filePath(QStringLiteral("spec.json"));
    spec.save(path);
    return path;
}

inline double finalMetric(const WorkerRun &r, const QString &key)
{
    double v = NAN;
    for (const JobEvent &e : r.events)
        if (e.type == JobEvent::Type::Metric && e.key() == key)
            v = e.value();
    return v;
}

} // namespace distributedjobs

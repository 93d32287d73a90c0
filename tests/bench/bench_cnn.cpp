// CNN on Fashion-MNIST: our worker's epoch time vs the same network, batch size, optimizer and
// thread count in Python torch, measured in the same run. Targets (issue 4): epoch time ratio
// ≤ 0.9; test accuracy ≥ 91% within 3 epochs.
#include "cairn/store/experimentstore.h"
#include "cairn/workspace/workspace.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

#include <numeric>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    const int threads = qEnvironmentVariableIntValue("CAIRN_BENCH_THREADS") > 0 ? qEnvironmentVariableIntValue("CAIRN_BENCH_THREADS") : 2;
    // CAIRN_BENCH_TRAIN_IMAGES (e.g. 6000) times shorter epochs on a busy machine; the accuracy
    // target then does not apply. CAIRN_BENCH_EPOCHS likewise.
    const int images = qEnvironmentVariableIntValue("CAIRN_BENCH_TRAIN_IMAGES");
    const int epochs = qEnvironmentVariableIntValue("CAIRN_BENCH_EPOCHS") > 0 ? qEnvironmentVariableIntValue("CAIRN_BENCH_EPOCHS") : 3;
    const int batch = 64;
    const QString data = QStringLiteral(CAIRN_SHARED_DATA_DIR "/fashion-mnist");

    // Ours: the real path, `cairn train` → job manager → worker → torch plugin.
    QTemporaryDir ws;
    QProcess cairn;
    cairn.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    cairn.start(QStringLiteral(CAIRN_CLI_PATH),
                {QStringLiteral("--workspace"), ws.path(), QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("cnn"),
                 QStringLiteral("--train"), data + QStringLiteral("/train-images-idx3-ubyte.gz"),
                 QStringLiteral("--validation"), data + QStringLiteral("/t10k-images-idx3-ubyte.gz"),
                 QStringLiteral("--cpus"), QString::number(threads), QStringLiteral("--hp"), QStringLiteral("epochs=%1").arg(epochs),
                 QStringLiteral("--hp"), QStringLiteral("batch_size=%1").arg(batch), QStringLiteral("--hp"), QStringLiteral("optimizer=adam"),
                 QStringLiteral("--hp"), QStringLiteral("learning_rate=0.002"), QStringLiteral("--hp"), QStringLiteral("max_train_images=%1").arg(images)});
    if (!cairn.waitForFinished(3600000) || cairn.exitCode() != 0)
        qFatal("cairn train failed: %s", cairn.readAllStandardOutput().constData());
    cairn::Workspace workspace(ws.path());
    const cairn::Run run = workspace.store().searchRuns({}).first();
    const cairn::MetricSeries times = workspace.store().metricHistory(run.id, QStringLiteral("epoch_time_s"));
    const cairn::MetricSeries acc = workspace.store().metricHistory(run.id, QStringLiteral("validation.accuracy"));
    const double ourEpoch = std::accumulate(times.values.begin(), times.values.end(), 0.0) / std::max<qsizetype>(1, times.values.size());

    QProcess py;
    py.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // CAIRN_BENCH_PYTHON_OPENBLAS_THREADS=1 gives Python torch the worker's BLAS threading (one
    // OpenBLAS thread beside the OpenMP pool) to see what the fused kernels alone gain.
    const QByteArray blasThreads = qgetenv("CAIRN_BENCH_PYTHON_OPENBLAS_THREADS");
    if (!blasThreads.isEmpty()) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("OPENBLAS_NUM_THREADS"), QString::fromLatin1(blasThreads));
        py.setProcessEnvironment(env);
        out << "python torch with OPENBLAS_NUM_THREADS=" << blasThreads << "\n";
    }
    py.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral(CAIRN_SOURCE_DIR "/tests/bench/anchor_cnn.py"), data, QString::number(threads),
                                                  QString::number(epochs), QString::number(batch), QString::number(images)});
    if (!py.waitForFinished(3600000) || py.exitCode() != 0)
        qFatal("python anchor failed");
    const QByteArray pyOut = py.readAllStandardOutput();
    const QJsonObject anchor = QJsonDocument::fromJson(pyOut.mid(pyOut.lastIndexOf('{'))).object();
    double pyEpoch = 0;
    const QJsonArray pyTimes = anchor.value(QStringLiteral("epoch_s")).toArray();
    for (const QJsonValue &v : pyTimes)
        pyEpoch += v.toDouble();
    pyEpoch /= std::max<qsizetype>(1, pyTimes.size());

    QStringList ours, theirs;
    for (double v : times.values)
        ours << QString::number(v, 'f', 1);
    for (const QJsonValue &v : pyTimes)
        theirs << QString::number(v.toDouble(), 'f', 1);
    if (images > 0)
        out << "training on the first " << images << " images only\n";
    out << QStringLiteral("cnn epoch (%1 threads, batch %2): cairn %3 s [%4], python torch %5 s [%6]  ratio %7 (target <= 0.9)\n")
               .arg(threads).arg(batch).arg(ourEpoch, 0, 'f', 2).arg(ours.join(QStringLiteral(", "))).arg(pyEpoch, 0, 'f', 2)
               .arg(theirs.join(QStringLiteral(", "))).arg(ourEpoch / pyEpoch, 0, 'f', 3);
    out << QStringLiteral("test accuracy after %1 epochs: cairn %2, python %3 (target >= 0.91)\n")
               .arg(epochs).arg(acc.values.isEmpty() ? 0.0 : acc.values.last(), 0, 'f', 4)
               .arg(anchor.value(QStringLiteral("accuracy")).toDouble(), 0, 'f', 4);
    return 0;
}

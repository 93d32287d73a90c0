// Model monitor (issue 18): a drift report over ROWS rows × 50 columns (25 numeric, 25
// categorical) against a reference of the same size, ours (computeDrift, Evidently's methods for
// a large reference: normed Wasserstein, Jensen–Shannon, PSI on the same bins) vs the same
// tests in pandas + scipy (tests/bench/anchor_monitor.py) in the same run. Goal: ≤ 0.2 of its time.
// Default 200,000 rows; --rows 1000000 for the full size.
#include "cairn/data/csvreader.h"
#include "cairn/monitor/drift.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>

using namespace cairn;

namespace {

QByteArray run(const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(QStringLiteral("/usr/bin/python3"), args);
    if (!p.waitForFinished(-1) || p.exitCode() != 0)
        qFatal("python3 %s failed", qPrintable(args.join(QLatin1Char(' '))));
    return p.readAllStandardOutput();
}

QStringList drifted(const monitor::DriftReport &r)
{
    QStringList out;
    for (const monitor::FeatureDrift &f : r.features)
        if (f.drifted)
            out << f.name;
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qint64 rows = 200000;
    const QStringList args = app.arguments();
    if (const qsizetype i = args.indexOf(QStringLiteral("--rows")); i >= 0 && i + 1 < args.size())
        rows = args.at(i + 1).toLongLong();
    const QString anchor = QStringLiteral(CAIRN_SOURCE_DIR "/tests/bench/anchor_monitor.py");
    QTemporaryDir dir;
    QElapsedTimer t;
    t.start();
    run({anchor, QStringLiteral("generate"), QString::number(rows), dir.path()});
    std::printf("drift report, %lld rows x 50 columns (25 numeric, 25 categorical) vs a reference of the same size, %d cores "
                "(data generated in %.1f s)\n",
                rows, QThread::idealThreadCount(), double(t.elapsed()) / 1000);
    std::fflush(stdout);
    const QString refPath = dir.filePath(QStringLiteral("reference.csv")), curPath = dir.filePath(QStringLiteral("current.csv"));

    t.restart();
    const data::Table reference = data::CsvReader::read(refPath);
    const data::Table current = data::CsvReader::read(curPath);
    const double ourRead = double(t.elapsed()) / 1000;
    monitor::DriftOptions all;
    t.restart();
    const monitor::DriftReport report = monitor::computeDrift(reference, current, all);
    const double ours = double(t.elapsed()) / 1000;
    monitor::DriftOptions one;
    one.threads = 1;
    t.restart();
    monitor::computeDrift(reference, current, one);
    const double oursOne = double(t.elapsed()) / 1000;

    const QByteArray py = run({anchor, QStringLiteral("drift"), refPath, curPath});
    const QJsonObject o = QJsonDocument::fromJson(py.mid(py.lastIndexOf('{'))).object();
    const double pandasRead = o.value(QStringLiteral("read_s")).toDouble(), pandas = o.value(QStringLiteral("drift_s")).toDouble();
    QStringList theirs;
    for (const QJsonValue &v : o.value(QStringLiteral("drifted")).toArray())
        theirs << v.toString();

    std::printf("  cairn computeDrift      %7.2f s (%d threads), %7.2f s (1 thread); reading both CSVs %.2f s\n", ours,
                QThread::idealThreadCount(), oursOne, ourRead);
    std::printf("  pandas + scipy          %7.2f s (1 thread);                reading both CSVs %.2f s\n", pandas, pandasRead);
    std::printf("  drifted columns: cairn %s; pandas + scipy %s: %s\n", qPrintable(drifted(report).join(QLatin1Char(','))),
                qPrintable(theirs.join(QLatin1Char(','))), drifted(report) == theirs ? "the same" : "DIFFERENT");
    std::printf("drift report: %.3fx of pandas + scipy's time (goal <= 0.2); one thread %.3fx; with reading the CSVs %.3fx\n", ours / pandas,
                oursOne / pandas, (ours + ourRead) / (pandas + pandasRead));
    return drifted(report) == theirs ? 0 : 1;
}

// CSV loading and XGBoost end to end on diamonds repeated to ~1M rows, against pandas.read_csv
// and the xgboost Python package (same parameters, same thread count) measured in the same run.
// Targets (issue 4): CSV loading ≤ 0.5 of pandas; total ≤ 1.05.
#include "cairn/data/csvreader.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>
#include <QCoreApplication>

#include <algorithm>
#include <cstdio>

namespace {

const int kRepeats = 19; // 53,940 × 19 = 1,024,860 rows
const int kThreads = 2;
const int kRounds = 50;

QString makeBigCsv(const QString &dir)
{
    const QString path = QDir(dir).filePath(QStringLiteral("diamonds_1m.csv"));
    if (QFileInfo(path).size() > 50'000'000)
        return path;
    QFile in(QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/diamonds.csv"));
    if (!in.open(QIODevice::ReadOnly))
        qFatal("cannot read diamonds.csv");
    const QByteArray all = in.readAll();
    const qsizetype headerEnd = all.indexOf('\n') + 1;
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    out.write(all.left(headerEnd));
    for (int i = 0; i < kRepeats; ++i)
        out.write(all.mid(headerEnd));
    return path;
}

QJsonObject runPython(const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(QStringLiteral("/usr/bin/python3"), args);
    if (!p.waitForFinished(1800000) || p.exitCode() != 0)
        qFatal("python anchor failed: %s", p.readAllStandardOutput().constData());
    const QByteArray out = p.readAllStandardOutput();
    return QJsonDocument::fromJson(out.mid(out.lastIndexOf('{'))).object();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    const QString cache = QDir::temp().filePath(QStringLiteral("cairn-bench"));
    QDir().mkpath(cache);
    const QString csv = makeBigCsv(cache);
    out << "data: " << csv << " (" << QFileInfo(csv).size() / 1e6 << " MB)\n";
    out.flush();

    // 1. CSV loading, best of 3 each.
    double ours = 1e9;
    qsizetype rows = 0;
    for (int i = 0; i < 3; ++i) {
        QElapsedTimer t;
        t.start();
        const cairn::data::Table table = cairn::data::CsvReader::read(csv);
        ours = std::min(ours, t.nsecsElapsed() / 1e9);
        rows = table.rowCount();
    }
    const QString script = QStringLiteral(CAIRN_SOURCE_DIR "/tests/bench/anchor_xgboost.py");
    const QJsonObject pandasRead = runPython({script, QStringLiteral("read"), csv});
    const double pandas = pandasRead.value(QStringLiteral("read_s")).toDouble();
    out << QStringLiteral("csv load: cairn %1 s, pandas.read_csv %2 s, %3 rows  ratio %4 (target <= 0.5)\n")
               .arg(ours, 0, 'f', 3).arg(pandas, 0, 'f', 3).arg(rows).arg(ours / pandas, 0, 'f', 3);
    out.flush();

    // 2. End to end: read, encode, split, train with per-round evaluation, save the model.
    QTemporaryDir ws;
    QElapsedTimer t;
    t.start();
    QProcess cairn;
    cairn.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    cairn.start(QStringLiteral(CAIRN_CLI_PATH),
                {QStringLiteral("--workspace"), ws.path(), QStringLiteral("train"), QStringLiteral("--algorithm"), QStringLiteral("xgboost"),
                 QStringLiteral("--train"), csv, QStringLiteral("--target"), QStringLiteral("price"), QStringLiteral("--cpus"), QString::number(kThreads),
                 QStringLiteral("--hp"), QStringLiteral("num_round=%1").arg(kRounds), QStringLiteral("--hp"), QStringLiteral("max_depth=6"),
                 QStringLiteral("--hp"), QStringLiteral("eta=0.3"), QStringLiteral("--hp"), QStringLiteral("tree_method=hist"), QStringLiteral("-q")});
    if (!cairn.waitForFinished(1800000) || cairn.exitCode() != 0)
        qFatal("cairn train failed: %s", cairn.readAllStandardOutput().constData());
    const double oursTotal = t.nsecsElapsed() / 1e9;
    const QString summary = QString::fromUtf8(cairn.readAllStandardOutput());
    QString r2;
    for (const QString &line : summary.split(QLatin1Char('\n')))
        if (line.startsWith(QLatin1String("validation.r2")))
            r2 = line.simplified().section(QLatin1Char(' '), 1, 1);
    const QJsonObject py = runPython({script, QStringLiteral("train"), csv, QString::number(kThreads), QString::number(kRounds)});
    const double pyTotal = py.value(QStringLiteral("total_s")).toDouble();
    out << QStringLiteral("xgboost end to end (%1 rounds, %2 threads): cairn train %3 s (validation R² %4), "
                          "python pandas+xgboost %5 s (read %6 s, train %7 s, R² %8)  ratio %9 (target <= 1.05)\n")
               .arg(kRounds).arg(kThreads).arg(oursTotal, 0, 'f', 2).arg(r2).arg(pyTotal, 0, 'f', 2)
               .arg(py.value(QStringLiteral("read_s")).toDouble(), 0, 'f', 2).arg(py.value(QStringLiteral("train_s")).toDouble(), 0, 'f', 2)
               .arg(py.value(QStringLiteral("r2")).toDouble(), 0, 'f', 4).arg(oursTotal / pyTotal, 0, 'f', 3);
    return 0;
}

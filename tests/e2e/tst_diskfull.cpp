// A full disk: the workspace lives on a small tmpfs that the test mounts (as root), the space is
// filled, and then metric logging and a notebook save must fail with an error that says the disk
// is full, lose nothing already written, and work again once space returns.
#include "cairn/notebook/notebook.h"
#include "cairn/store/experimentstore.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/store/storewriter.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace cairn;

namespace {

/// Fills the file system that holds dir until it refuses more; returns the filler's path.
QString fill(const QString &dir)
{
    const QString path = dir + QStringLiteral("/filler");
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    const QByteArray chunk(64 * 1024, 'f');
    while (f.write(chunk) == chunk.size() && f.flush()) {
    }
    // The last partial chunks: down to single blocks.
    const QByteArray small(512, 'f');
    while (f.write(small) == small.size() && f.flush()) {
    }
    f.close();
    return path;
}

} // namespace

class TestDiskFull : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_mount;
    bool m_mounted = false;

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to mount a small tmpfs (the test fills it to make a disk full)");
        m_mount = m_dir.path() + QStringLiteral("/small");
        QVERIFY(QDir().mkpath(m_mount));
        QProcess mount;
        mount.start(QStringLiteral("mount"), {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"), QStringLiteral("size=8m"),
                                              QStringLiteral("tmpfs"), m_mount});
        if (!mount.waitForFinished(30000) || mount.exitCode() != 0)
            QSKIP(qPrintable(QStringLiteral("this machine does not let root mount a tmpfs here: %1")
                                 .arg(QString::fromLocal8Bit(mount.readAllStandardError()).trimmed())));
        m_mounted = true;
    }
    void cleanupTestCase()
    {
        if (m_mounted)
            QProcess::execute(QStringLiteral("umount"), {QStringLiteral("-l"), m_mount});
    }

    void metricLoggingOnAFullDisk()
    {
        const QString wsPath = m_mount + QStringLiteral("/ws");
        Workspace ws(wsPath);
        ExperimentStore &store = ws.store();
        const Run run = store.createRun({.experimentId = store.ensureExperiment(QStringLiteral("full")), .name = QStringLiteral("logging")});
        StoreWriter writer(store);
        qint64 step = 0;
        const auto logBatch = [&] {
            for (int i = 0; i < 2000; ++i, ++step)
                writer.logMetric(run.id, QStringLiteral("loss"), double(step), step);
        };
        logBatch();
        writer.flush();
        const qint64 acknowledged = step;

        const QString filler = fill(m_mount);
        QVERIFY(!filler.isEmpty());
        // Batches go on until the disk refuses one (the WAL may still have room for a few).
        QString error;
        for (int attempt = 0; attempt < 200 && error.isEmpty(); ++attempt) {
            logBatch();
            try {
                writer.flush();
            } catch (const Error &e) {
                error = e.message();
            }
        }
        QVERIFY2(!error.isEmpty(), "the full disk never refused a write");
        qInfo("error on a full disk: %s", qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("disk")) && error.contains(QLatin1String("full")) && error.contains(wsPath), qPrintable(error));
        QVERIFY(writer.pending() > 0); // the refused batch is kept for a retry

        // What was written before is all there and the store is sound, even with the disk full.
        {
            ExperimentStore reader(ws.databasePath());
            QVERIFY(reader.metricHistory(run.id, QStringLiteral("loss")).steps.size() >= acknowledged);
            auto check = reader.database().query(QStringLiteral("PRAGMA quick_check"));
            QVERIFY(check.next());
            QCOMPARE(check.text(0), QStringLiteral("ok"));
        }

        // Space returns: the same writer flushes what it kept, and logging goes on.
        QVERIFY(QFile::remove(filler));
        writer.flush();
        logBatch();
        writer.flush();
        const MetricSeries loss = store.metricHistory(run.id, QStringLiteral("loss"));
        QCOMPARE(loss.steps.size(), step);
        for (qint64 i = 0; i < step; ++i)
            QCOMPARE(loss.steps.at(i), i);
        auto check = store.database().query(QStringLiteral("PRAGMA integrity_check"));
        QVERIFY(check.next());
        QCOMPARE(check.text(0), QStringLiteral("ok"));
    }

    void notebookSaveOnAFullDisk()
    {
        const QString path = m_mount + QStringLiteral("/work.ipynb");
        Notebook nb;
        nb.cells().first().setSource(QStringLiteral("saved = 1"));
        nb.save(path);
        const QByteArray before = [&] {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        QVERIFY(!before.isEmpty());

        const QString filler = fill(m_mount);
        QVERIFY(!filler.isEmpty());
        nb.cells().first().setSource(QStringLiteral("saved = 2"));
        nb.cells().first().setOutputs(QJsonArray{QJsonObject{{QStringLiteral("output_type"), QStringLiteral("stream")},
                                                             {QStringLiteral("name"), QStringLiteral("stdout")},
                                                             {QStringLiteral("text"), QString(256 * 1024, QLatin1Char('x'))}}});
        QString error;
        try {
            nb.save(path);
        } catch (const Error &e) {
            error = e.message();
        }
        qInfo("error on a full disk: %s", qPrintable(error));
        QVERIFY2(error.contains(path) && error.contains(QLatin1String("No space left"), Qt::CaseInsensitive), qPrintable(error));
        // The old file is untouched and no half-written temporary is left beside it.
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), before);
        f.close();
        QCOMPARE(QDir(m_mount).entryList({QStringLiteral("work.ipynb*")}, QDir::Files | QDir::Hidden), QStringList{QStringLiteral("work.ipynb")});

        QVERIFY(QFile::remove(filler));
        nb.save(path);
        QCOMPARE(Notebook::load(path).cells().first().source(), QStringLiteral("saved = 2"));
    }
};

QTEST_GUILESS_MAIN(TestDiskFull)
#include "tst_diskfull.moc"

// `cairn hosts usage` on a workspace with job runs on a priced host: busy time per day with
// overlapping jobs counted once, the cost at the host's price, JSON and table, an unknown host.
#include "clirunner.h"

#include "cairn/store/experimentstore.h"
#include "cairn/store/sqlitedatabase.h"
#include "cairn/workspace/workspace.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;

class tst_HostsUsage : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QProcessEnvironment m_env;

    ProcessResult cairn(const QStringList &args)
    {
        return runProgram(QStringLiteral(CAIRN_CLI_PATH), QStringList{QStringLiteral("--workspace"), m_dir.filePath(QStringLiteral("ws"))} + args, m_env);
    }

    static void jobRun(Workspace &ws, const QString &host, qint64 start, qint64 end)
    {
        ExperimentStore::NewRun nr;
        nr.sourceType = QStringLiteral("JOB");
        const Run run = ws.store().createRun(nr);
        ws.store().setTag(run.uuid, QStringLiteral("cairn.host"), host);
        auto q = ws.store().database().query(QStringLiteral("UPDATE runs SET start_time = ?, end_time = ?, status = 'FINISHED' WHERE uuid = ?"));
        q.bind(1, start).bind(2, end).bind(3, run.uuid);
        q.exec();
    }

private Q_SLOTS:
    void usagePerHostAndDay()
    {
        m_env = QProcessEnvironment::systemEnvironment();
        m_env.remove(QStringLiteral("CAIRN_WORKSPACE"));
        m_env.insert(QStringLiteral("CAIRN_HOSTS_FILE"), m_dir.filePath(QStringLiteral("hosts.json")));
        m_env.insert(QStringLiteral("CAIRN_SSH_CONFIG"), QStringLiteral("/dev/null"));
        ProcessResult r = runProgram(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("hosts"), QStringLiteral("add"), QStringLiteral("cloud1"), QStringLiteral("--host"),
                                                                      QStringLiteral("203.0.113.9"), QStringLiteral("--price-per-hour"), QStringLiteral("2.48")}, m_env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const qint64 minute = 60000;
        const qint64 today = QDateTime(QDate::currentDate(), QTime(0, 0)).toMSecsSinceEpoch();
        const qint64 yesterday = QDateTime(QDate::currentDate().addDays(-1), QTime(0, 0)).toMSecsSinceEpoch();
        {
            Workspace ws(m_dir.filePath(QStringLiteral("ws")));
            // Yesterday: 9:00–9:50 and 9:20–10:02 overlap (62 min busy), then 14:00–14:10.
            jobRun(ws, QStringLiteral("cloud1"), yesterday + 540 * minute, yesterday + 590 * minute);
            jobRun(ws, QStringLiteral("cloud1"), yesterday + 560 * minute, yesterday + 602 * minute);
            jobRun(ws, QStringLiteral("cloud1"), yesterday + 840 * minute, yesterday + 850 * minute);
            // Today, just after midnight: 25 min (in the past whenever the test runs after 00:30).
            jobRun(ws, QStringLiteral("cloud1"), today + 1 * minute, today + 26 * minute);
        }
        r = cairn({QStringLiteral("hosts"), QStringLiteral("usage"), QStringLiteral("--days"), QStringLiteral("2"), QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonArray days = r.json().array();
        QCOMPARE(days.size(), 2);
        const QJsonObject y = days.at(0).toObject(), t = days.at(1).toObject();
        QCOMPARE(y.value(QStringLiteral("host")).toString(), QStringLiteral("cloud1"));
        QCOMPARE(y.value(QStringLiteral("day")).toString(), QDate::currentDate().addDays(-1).toString(Qt::ISODate));
        QCOMPARE(y.value(QStringLiteral("runs")).toInt(), 3);
        QCOMPARE(qint64(y.value(QStringLiteral("busyMs")).toDouble()), 72 * minute); // the overlap once
        QVERIFY(qAbs(y.value(QStringLiteral("cost")).toDouble() - 1.2 * 2.48) < 1e-9);
        QCOMPARE(qint64(t.value(QStringLiteral("busyMs")).toDouble()), 25 * minute);
        QVERIFY(qAbs(t.value(QStringLiteral("cost")).toDouble() - 25.0 / 60.0 * 2.48) < 1e-9);

        r = cairn({QStringLiteral("hosts"), QStringLiteral("usage"), QStringLiteral("cloud1"), QStringLiteral("--days"), QStringLiteral("2")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QRegularExpression(QStringLiteral("cloud1\\s+total\\s+4\\s+1h 37m\\s+4\\.01"))), qPrintable(r.out));

        r = cairn({QStringLiteral("hosts"), QStringLiteral("usage"), QStringLiteral("no such host")});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QStringLiteral("known: local, cloud1")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(tst_HostsUsage)
#include "tst_hostsusage.moc"

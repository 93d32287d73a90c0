// Where a rank of a distributed job stands, from Cairn's or Slurm's environment variables.
#include "cairn/jobs/distributed.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/util/error.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace cairn;

class tst_DistributedPlace : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void noVariablesIsOneProcess()
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin"));
        QVERIFY(!DistributedPlace::fromEnvironment(env).has_value());
    }

    void cairnVariables()
    {
        QProcessEnvironment env;
        DistributedPlace in;
        in.rank = 2;
        in.worldSize = 4;
        in.localRank = 0;
        in.masterAddr = QStringLiteral("gpu1");
        in.masterPort = 29400;
        in.exportTo(env);
        const auto p = DistributedPlace::fromEnvironment(env);
        QVERIFY(p.has_value());
        QCOMPARE(p->rank, 2);
        QCOMPARE(p->worldSize, 4);
        QCOMPARE(p->masterAddr, QStringLiteral("gpu1"));
        QCOMPARE(p->masterPort, 29400);
        QCOMPARE(p->source, QStringLiteral("cairn"));
        QVERIFY(p->isDistributed());
        QVERIFY(!p->isMaster());
    }

    void placeInASpec()
    {
        // A rank started over SSH gets its place in its spec (no environment goes with it).
        DistributedPlace in;
        in.rank = 1;
        in.worldSize = 2;
        in.masterAddr = QStringLiteral("10.0.0.5");
        in.masterPort = 31000;
        in.hostName = QStringLiteral("gpu2");
        JobSpec spec;
        spec.algorithm = QStringLiteral("mlp");
        data::ChannelSpec train;
        train.path = QStringLiteral("/data/train.csv");
        spec.channels.insert(QStringLiteral("train"), train);
        spec.resources.hosts = {QStringLiteral("gpu1"), QStringLiteral("gpu2")};
        spec.distributed = in.toJson(QJsonObject{{QStringLiteral("CAIRN_DIST_TIMEOUT"), QStringLiteral("30")}});
        const JobSpec back = JobSpec::fromJson(spec.toJson());
        QCOMPARE(back.resources.hosts, spec.resources.hosts);
        const DistributedPlace p = DistributedPlace::fromJson(back.distributed);
        QCOMPARE(p.rank, 1);
        QCOMPARE(p.worldSize, 2);
        QCOMPARE(p.masterAddr, QStringLiteral("10.0.0.5"));
        QCOMPARE(p.masterPort, 31000);
        QCOMPARE(p.hostName, QStringLiteral("gpu2"));
        QCOMPARE(back.distributed.value(QStringLiteral("environment")).toObject().value(QStringLiteral("CAIRN_DIST_TIMEOUT")).toString(), QStringLiteral("30"));
        // The host name travels in the environment too (the trainer records it).
        QProcessEnvironment env;
        p.exportTo(env);
        QCOMPARE(DistributedPlace::fromEnvironment(env)->hostName, QStringLiteral("gpu2"));
        // A place that is not one, and hosts that are not names, are errors.
        QVERIFY_THROWS_EXCEPTION(Error, DistributedPlace::fromJson(QJsonObject{{QStringLiteral("rank"), 2}, {QStringLiteral("worldSize"), 2}}));
        QVERIFY_THROWS_EXCEPTION(Error, DistributedPlace::fromJson(QJsonObject{{QStringLiteral("rank"), 0}, {QStringLiteral("worldSize"), 2}}));
        QJsonObject bad = spec.toJson();
        QJsonObject res = bad.value(QStringLiteral("resources")).toObject();
        res.insert(QStringLiteral("hosts"), QJsonArray{QStringLiteral("gpu1"), 3});
        bad.insert(QStringLiteral("resources"), res);
        QVERIFY_THROWS_EXCEPTION(Error, JobSpec::fromJson(bad));
    }

    void cairnVariablesWinOverSlurm()
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("CAIRN_RANK"), QStringLiteral("1"));
        env.insert(QStringLiteral("CAIRN_WORLD_SIZE"), QStringLiteral("2"));
        env.insert(QStringLiteral("CAIRN_MASTER_PORT"), QStringLiteral("1234"));
        env.insert(QStringLiteral("SLURM_PROCID"), QStringLiteral("0"));
        env.insert(QStringLiteral("SLURM_NTASKS"), QStringLiteral("8"));
        const auto p = DistributedPlace::fromEnvironment(env);
        QCOMPARE(p->worldSize, 2);
        QCOMPARE(p->masterAddr, QStringLiteral("127.0.0.1"));
    }

    void slurmVariables()
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("SLURM_PROCID"), QStringLiteral("3"));
        env.insert(QStringLiteral("SLURM_NTASKS"), QStringLiteral("4"));
        env.insert(QStringLiteral("SLURM_LOCALID"), QStringLiteral("1"));
        env.insert(QStringLiteral("SLURM_JOB_ID"), QStringLiteral("20017"));
        env.insert(QStringLiteral("SLURM_JOB_NODELIST"), QStringLiteral("node[07-09],login"));
        const auto p = DistributedPlace::fromEnvironment(env);
        QVERIFY(p.has_value());
        QCOMPARE(p->source, QStringLiteral("slurm"));
        QCOMPARE(p->rank, 3);
        QCOMPARE(p->worldSize, 4);
        QCOMPARE(p->localRank, 1);
        QCOMPARE(p->masterAddr, QStringLiteral("node07"));
        QCOMPARE(p->masterPort, masterPortForSlurmJob(20017));
        QCOMPARE(p->masterPort, 29500 + 17);
    }

    void firstHost_data()
    {
        QTest::addColumn<QString>("list");
        QTest::addColumn<QString>("first");
        QTest::newRow("one") << "node1" << "node1";
        QTest::newRow("plain list") << "a,b,c" << "a";
        QTest::newRow("range") << "node[03-05]" << "node03";
        QTest::newRow("set") << "gpu[7,9-10]" << "gpu7";
        QTest::newRow("suffix") << "r[2-3]n1,x" << "r2n1";
    }
    void firstHost()
    {
        QFETCH(QString, list);
        QFETCH(QString, first);
        QCOMPARE(firstSlurmHost(list), first);
    }

    void badValuesAreErrors()
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("CAIRN_RANK"), QStringLiteral("2"));
        env.insert(QStringLiteral("CAIRN_WORLD_SIZE"), QStringLiteral("2"));
        env.insert(QStringLiteral("CAIRN_MASTER_PORT"), QStringLiteral("1234"));
        QVERIFY_THROWS_EXCEPTION(Error, DistributedPlace::fromEnvironment(env));
        env.insert(QStringLiteral("CAIRN_RANK"), QStringLiteral("one"));
        QVERIFY_THROWS_EXCEPTION(Error, DistributedPlace::fromEnvironment(env));
        env.insert(QStringLiteral("CAIRN_RANK"), QStringLiteral("1"));
        env.remove(QStringLiteral("CAIRN_MASTER_PORT"));
        QVERIFY_THROWS_EXCEPTION(Error, DistributedPlace::fromEnvironment(env));
    }
};

QTEST_GUILESS_MAIN(tst_DistributedPlace)
#include "tst_distributedplace.moc"

// Slurm's outputs as Debian's Slurm 22.05 prints them (sinfo, scontrol -o, squeue, sacct), and
// the batch script a job's resources become.
#include "cairn/remote/host.h"
#include "cairn/remote/slurm.h"
#include "cairn/util/error.h"

#include <QTest>

using namespace cairn;
using namespace cairn::remote;

class tst_SlurmParse : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void keyValuesKeepSpacesInValues()
    {
        const auto kv = slurm::parseKeyValues(QStringLiteral("NodeName=n1 Arch=x86_64 State=DOWN+DRAIN Reason=Not responding [root@2026-01-01] Partitions=gpu,debug"));
        QCOMPARE(kv.value(QStringLiteral("NodeName")), QStringLiteral("n1"));
        QCOMPARE(kv.value(QStringLiteral("Reason")), QStringLiteral("Not responding [root@2026-01-01]"));
        QCOMPARE(kv.value(QStringLiteral("Partitions")), QStringLiteral("gpu,debug"));
    }

    void gpusInTresAndGres()
    {
        QCOMPARE(slurm::gpusIn(QStringLiteral("cpu=8,mem=64000M,billing=8,gres/gpu=4")), 4);
        QCOMPARE(slurm::gpusIn(QStringLiteral("cpu=8,gres/gpu=2,gres/gpu:a100=2")), 2); // typed entries repeat the total
        QCOMPARE(slurm::gpusIn(QStringLiteral("gpu:tesla:2(S:0-1)")), 2);
        QCOMPARE(slurm::gpusIn(QStringLiteral("gpu:1,gpu:v100:3")), 4);
        QCOMPARE(slurm::gpusIn(QStringLiteral("(null)")), 0);
        QCOMPARE(slurm::gpusIn(QString()), 0);
    }

    void nodesAndPartitions()
    {
        const QString nodes = QStringLiteral(
            "NodeName=g1 Arch=x86_64 CoresPerSocket=8 CPUAlloc=4 CPUEfctv=16 CPUTot=16 CPULoad=1.00 AvailableFeatures=(null) ActiveFeatures=(null) "
            "Gres=gpu:a100:4 NodeAddr=g1 NodeHostName=g1 RealMemory=128000 AllocMem=8000 FreeMem=100000 Sockets=2 Boards=1 State=MIXED "
            "Partitions=gpu CfgTRES=cpu=16,mem=125G,billing=16,gres/gpu=4 AllocTRES=cpu=4,mem=8000M,gres/gpu=1\n"
            "NodeName=c1 CPUAlloc=0 CPUTot=8 Gres=(null) RealMemory=32000 AllocMem=0 State=IDLE Partitions=debug,gpu CfgTRES=cpu=8,mem=32000M AllocTRES=\n");
        const QList<SlurmNode> n = slurm::parseNodes(nodes);
        QCOMPARE(n.size(), 2);
        QCOMPARE(n.at(0).gpus, 4);
        QCOMPARE(n.at(0).gpusAllocated, 1);
        QCOMPARE(n.at(0).cpusAllocated, 4);
        QCOMPARE(n.at(0).memoryMb, 128000);
        QCOMPARE(n.at(1).gpus, 0);
        QCOMPARE(n.at(1).partitions, (QStringList{QStringLiteral("debug"), QStringLiteral("gpu")}));
        const QList<SlurmPartition> p = slurm::parsePartitions(QStringLiteral("debug*|up|infinite|0/1/0/1|0/8/0/8\ngpu|up|2-00:00:00|1/1/0/2|4/20/0/24\n"), n);
        QCOMPARE(p.size(), 2);
        QVERIFY(p.at(0).isDefault);
        QCOMPARE(p.at(0).name, QStringLiteral("debug"));
        QCOMPARE(p.at(1).maxTime, QStringLiteral("2-00:00:00"));
        QCOMPARE(p.at(1).nodesAllocated, 1);
        QCOMPARE(p.at(1).nodesTotal, 2);
        QCOMPARE(p.at(1).cpusIdle, 20);
        QCOMPARE(p.at(1).gpusTotal, 4);
        QCOMPARE(p.at(1).gpusUsed, 1);
    }

    void queueMarksOurJobsAndKeepsPipesInNames()
    {
        const auto q = slurm::parseQueue(QStringLiteral("12|alice|PENDING|Resources|gpu|4|16|0:00|2:00:00|(Resources)|cairn-cnn|4 nodes\n"
                                                        "13|bob|RUNNING|None|debug|1|1|1:02|UNLIMITED|c1|train.sh\n"));
        QCOMPARE(q.size(), 2);
        QVERIFY(q.at(0).ours);
        QCOMPARE(q.at(0).name, QStringLiteral("cairn-cnn|4 nodes"));
        QCOMPARE(q.at(0).reason, QStringLiteral("Resources"));
        QVERIFY(q.at(0).nodeList.isEmpty());
        QCOMPARE(q.at(0).nodes, 4);
        QVERIFY(!q.at(1).ours);
        QVERIFY(q.at(1).reason.isEmpty());
        QCOMPARE(q.at(1).nodeList, QStringLiteral("c1"));
    }

    void jobStates()
    {
        SlurmJobState s = slurm::parseJob(QStringLiteral(
            "JobId=7 JobName=cairn-x UserId=root(0) JobState=TIMEOUT Reason=TimeLimit Dependency=(null) ExitCode=0:15 RunTime=00:01:20 "
            "TimeLimit=00:01:00 NodeList=vm BatchHost=vm Command=/a dir/job.sbatch WorkDir=/a dir"));
        QVERIFY(s.known);
        QCOMPARE(s.state, QStringLiteral("TIMEOUT"));
        QCOMPARE(s.reason, QStringLiteral("TimeLimit"));
        QCOMPARE(s.signal, 15);
        QVERIFY(s.isTerminal());
        QVERIFY(slurm::describeEnd(s).contains(QStringLiteral("time limit of 00:01:00")));
        s = slurm::parseJob(QStringLiteral("JobId=8 JobState=PENDING Reason=Priority ExitCode=0:0 NodeList=(null)"));
        QCOMPARE(s.reason, QStringLiteral("Priority"));
        QVERIFY(s.nodeList.isEmpty());
        QVERIFY(!s.isTerminal());
        s = slurm::parseJob(QStringLiteral("slurm_load_jobs error: Unable to contact slurm controller (connect failure)"));
        QVERIFY(s.controllerDown);
        QVERIFY(!s.known);
        s = slurm::parseJob(QStringLiteral("slurm_load_jobs error: Invalid job id specified"));
        QVERIFY(!s.known && !s.controllerDown);
        s = slurm::parseSacct(QStringLiteral("CANCELLED by 1000|0:15|None\n"));
        QCOMPARE(s.state, QStringLiteral("CANCELLED"));
        QCOMPARE(s.signal, 15);
        QVERIFY(!slurm::parseSacct(QString()).known);
        s = slurm::parseSacct(QStringLiteral("OUT_OF_MEMORY|0:125|OutOfMemory"));
        QVERIFY(slurm::describeEnd(s).contains(QStringLiteral("OUT_OF_MEMORY")));
    }

    void timeLimitsAndPartitions()
    {
        for (const char *ok : {"30", "2:00:00", "1-0", "1-12:30", "0:05", "infinite"})
            QVERIFY2(slurm::validTimeLimit(QLatin1String(ok)), ok);
        for (const char *bad : {"", "2h", "-5", "1:2:3:4", "1;rm -rf /", "$(id)"})
            QVERIFY2(!slurm::validTimeLimit(QLatin1String(bad)), bad);
        QVERIFY(slurm::validPartition(QStringLiteral("gpu,debug")));
        QVERIFY(!slurm::validPartition(QStringLiteral("-x")));
        QVERIFY(!slurm::validPartition(QStringLiteral("gpu debug")));
        QVERIFY(!slurm::validPartition(QStringLiteral("a\n#SBATCH --uid=0")));
    }

    void batchScriptFromResources()
    {
        JobSpec spec;
        spec.algorithm = QStringLiteral("cnn");
        spec.runName = QStringLiteral("my run; $(touch /tmp/x) 'q'");
        spec.resources.instances = 4;
        spec.resources.gpusPerInstance = 1;
        spec.resources.cpus = 8;
        spec.resources.partition = QStringLiteral("gpu");
        spec.resources.timeLimit = QStringLiteral("2:00:00");
        spec.resources.memoryMb = 16000;
        const QString s = slurm::batchScript(spec, QStringLiteral("/opt/cairn it's/bin/cairn"));
        QVERIFY(s.startsWith(QStringLiteral("#!/bin/sh\n")));
        for (const char *line : {"#SBATCH --job-name=cairn-my_run_touch_tmp_x_q_\n", "#SBATCH --partition=gpu\n", "#SBATCH --nodes=4\n",
                                 "#SBATCH --ntasks=4\n", "#SBATCH --ntasks-per-node=1\n", "#SBATCH --cpus-per-task=8\n", "#SBATCH --gres=gpu:1\n",
                                 "#SBATCH --mem=16000M\n", "#SBATCH --time=2:00:00\n", "#SBATCH --output=slurm-%j.out\n"})
            QVERIFY2(s.contains(QLatin1String(line)), line);
        QVERIFY(s.contains(QStringLiteral("cairn='/opt/cairn it'\\''s/bin/cairn'\n")));
        QVERIFY(s.contains(QStringLiteral("srun ")));
        QVERIFY(!s.contains(QStringLiteral("$(touch")));
        // One task: no srun, and no lines for what was not asked.
        JobSpec one;
        one.algorithm = QStringLiteral("xgboost");
        const QString s1 = slurm::batchScript(one, QStringLiteral("cairn"));
        QVERIFY(!s1.contains(QStringLiteral("srun")));
        QVERIFY(!s1.contains(QStringLiteral("--partition")) && !s1.contains(QStringLiteral("--time")) && !s1.contains(QStringLiteral("--gres")));
        QVERIFY(s1.contains(QStringLiteral("#SBATCH --ntasks=1\n")));
        one.resources.timeLimit = QStringLiteral("2h");
        QVERIFY_THROWS_EXCEPTION(Error, slurm::batchScript(one, QStringLiteral("cairn")));
    }

    void jobArrayScript()
    {
        // Each task finds its job's folder in `tasks` and runs there; output per task.
        JobSpec spec;
        spec.algorithm = QStringLiteral("xgboost");
        spec.runName = QStringLiteral("tune-xgboost-trials");
        const QString s = slurm::batchScript(spec, QStringLiteral("cairn"), 3);
        QVERIFY(s.contains(QStringLiteral("#SBATCH --array=0-2\n")));
        QVERIFY(s.contains(QStringLiteral("#SBATCH --output=slurm-%A_%a.out\n")));
        QVERIFY(!s.contains(QStringLiteral("slurm-%j.out")));
        const qsizetype cd = s.indexOf(QStringLiteral("cd -- \"../$task\" || exit 3\n"));
        QVERIFY(cd > 0 && cd < s.indexOf(QStringLiteral("worker --spec spec.json")));
        QVERIFY(s.contains(QStringLiteral("task=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" tasks)\n")));
        QVERIFY(!slurm::batchScript(spec, QStringLiteral("cairn")).contains(QStringLiteral("--array")));
    }

    void memoryKillReadsOutOfMemory()
    {
        SlurmJobState failed;
        failed.known = true;
        failed.state = QStringLiteral("FAILED");
        failed.reason = QStringLiteral("JobLaunchFailure");
        failed.signal = 9;
        const SlurmJobState s = slurm::memoryKilled(
            failed, QStringLiteral("slurmstepd-vm: error: StepId=1.batch exceeded memory limit (94494720 > 62914560), being killed"));
        QCOMPARE(s.state, QStringLiteral("OUT_OF_MEMORY"));
        QCOMPARE(s.reason, QStringLiteral("it used 90 MB, over its limit of 60 MB"));
        QVERIFY(s.isTerminal());
        QVERIFY2(slurm::describeEnd(s).contains(QStringLiteral("more memory than it asked for")), qPrintable(slurm::describeEnd(s)));
        QCOMPARE(slurm::memoryKilled(failed, QStringLiteral("slurmstepd: error: Exceeded job memory limit")).reason, QStringLiteral("Exceeded job memory limit"));
    }

    void memoryKillOfSeveralTasksNamesTheRank()
    {
        // What sacct says of a 2-task step that slurmstepd killed (Slurm 22.05, slurmdbd).
        SlurmJobState failed;
        failed.known = true;
        failed.state = QStringLiteral("FAILED");
        QCOMPARE(slurm::parseRssKb(QStringLiteral("322156K")), 322156);
        QCOMPARE(slurm::parseRssKb(QStringLiteral("1.5G")), 1572864);
        QCOMPARE(slurm::parseRssKb(QString()), 0);
        QCOMPARE(slurm::parseRssKb(QStringLiteral("2048")), 2);        // bytes
        QCOMPARE(slurm::parseRssKb(QStringLiteral("3M")), 3072);
        QCOMPARE(slurm::parseRssKb(QStringLiteral("12Q")), 0);        // not a unit sacct writes
        QCOMPARE(slurm::parseRssKb(QStringLiteral("n/a")), 0);
        const QList<SlurmPoll::StepMemory> steps{{QStringLiteral("3.batch"), 10900, 0, 1}, {QStringLiteral("3.0"), 322156, 1, 2}};
        const SlurmJobState s = slurm::memoryKilled(
            failed, QStringLiteral("slurmstepd-vm: error: StepId=3.0 exceeded memory limit (333074432 > 104857600), being killed"), steps);
        QCOMPARE(s.state, QStringLiteral("OUT_OF_MEMORY"));
        QCOMPARE(s.reason, QStringLiteral("rank 1 of 2 used the most, 314 MB; its 2 tasks together used 317 MB, over the job's limit of 100 MB"));
        // Without accounting the step's total alone.
        QCOMPARE(slurm::memoryKilled(failed, QStringLiteral("StepId=3.0 exceeded memory limit (333074432 > 104857600), being killed")).reason,
                 QStringLiteral("it used 317 MB, over its limit of 100 MB"));
        // Just over: tenths, not "80 MB, over its limit of 80 MB".
        QCOMPARE(slurm::memoryKilled(failed, QStringLiteral("StepId=2.0 exceeded memory limit (84410368 > 83886080), being killed")).reason,
                 QStringLiteral("it used 80.5 MB, over its limit of 80.0 MB"));
    }

    void slurmHostsRoundTrip()
    {
        Host h;
        h.name = QStringLiteral("cluster a");
        h.kind = Host::Kind::Slurm;
        h.validate(); // no login host: Slurm on this machine
        QVERIFY(!h.usesSsh());
        QCOMPARE(h.address(), QStringLiteral("Slurm on this machine"));
        const Host back = Host::fromJson(h.toJson());
        QVERIFY(back.isSlurm());
        h.hostname = QStringLiteral("login1");
        h.user = QStringLiteral("me");
        QVERIFY(h.usesSsh());
        QVERIFY(Host::fromJson(h.toJson()).usesSsh());
        h.hostname = QStringLiteral("-oProxyCommand=x");
        QVERIFY_THROWS_EXCEPTION(Error, h.validate());
    }
};

QTEST_GUILESS_MAIN(tst_SlurmParse)
#include "tst_slurmparse.moc"

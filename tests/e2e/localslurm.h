#pragma once
// A private Slurm cluster on this machine for tests and benchmarks: munged on its own socket with
// a key made here, slurmctld and slurmd in the foreground (children of the test) on free ports,
// and a generated slurm.conf with one node of this machine's CPUs and memory. Nothing
// system-wide is touched; commands reach it through SLURM_CONF (see environment()).
//
// Configured around what a test machine lacks: no cgroups (proctrack/linuxproc, task/none), no
// slurmdbd (accounting_storage/none: sacct has nothing, finished jobs stay visible for MinJobAge).
// With Options::accounting it runs slurmdbd too, on a private mariadbd (a socket and a loopback
// port of its own, a database made here by mariadb-install-db; as root it needs --user=root).
// The partition shares cores (OverSubscribe=FORCE) so that a job left running by one test does
// not hold up the next one on a two-core machine.

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QThread>

#include <unistd.h>

class LocalSlurm
{
public:
    ~LocalSlurm() { stop(); }

    /// Why a cluster cannot be started here (empty: it can).
    static QString unavailableReason()
    {
        for (const char *p : {"munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol"})
            if (QStandardPaths::findExecutable(QLatin1String(p), {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")}).isEmpty())
                return QStringLiteral("%1 is not installed (scripts/setup installs slurmctld slurmd slurm-client munge)").arg(QLatin1String(p));
        if (::getuid() != 0)
            return QStringLiteral("slurmd must run as root to start jobs as their user");
        return {};
    }

    static int freePort()
    {
        QTcpServer s;
        s.listen(QHostAddress::LocalHost, 0);
        return s.serverPort();
    }

    struct Options
    {
        /// Memory limits enforced without cgroups: memory is a consumable (CR_Core_Memory, a
        /// default per CPU small enough for several jobs at once) and jobacct_gather/linux with
        /// OverMemoryKill kills a step whose processes' RSS passes --mem (it polls every second).
        bool enforceMemory = false;
        /// Accounting: a private mariadbd and slurmdbd (accounting_storage/slurmdbd), the
        /// cluster registered with sacctmgr; sacct then knows every job.
        bool accounting = false;
        /// Seconds slurmctld keeps a finished job (then only sacct knows it).
        int minJobAge = 300;
    };

    /// Why accounting (slurmdbd on a private MariaDB) cannot run here (empty: it can).
    static QString accountingUnavailableReason()
    {
        const QString why = unavailableReason();
        if (!why.isEmpty())
            return why;
        for (const char *p : {"slurmdbd", "sacctmgr", "sacct", "mariadbd", "mariadb-install-db", "mariadb"})
            if (QStandardPaths::findExecutable(QLatin1String(p), {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")}).isEmpty())
                return QStringLiteral("%1 is not installed (scripts/setup installs slurmdbd mariadb-server)").arg(QLatin1String(p));
        return {};
    }

    /// Starts munged, slurmctld and slurmd with everything under `dir`, and waits until the node
    /// takes jobs; false with *error on failure.
    bool start(const QString &dir, QString *error) { return start(dir, Options(), error); }
    bool start(const QString &dir, const Options &options, QString *error)
    {
        m_dir = dir;
        m_node = QHostInfo::localHostName().section(QLatin1Char('.'), 0, 0);
        QDir().mkpath(dir + QStringLiteral("/munge"));
        QFile::setPermissions(dir + QStringLiteral("/munge"), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QDir().mkpath(dir + QStringLiteral("/state"));
        QDir().mkpath(dir + QStringLiteral("/spool"));
        {
            QFile key(dir + QStringLiteral("/munge.key"));
            QFile random(QStringLiteral("/dev/urandom"));
            if (!key.open(QIODevice::WriteOnly) || !random.open(QIODevice::ReadOnly))
                return fail(error, QStringLiteral("cannot write the munge key"));
            key.write(random.read(1024));
            key.close();
            key.setPermissions(QFile::ReadOwner);
        }
        m_munged.setProgram(QStringLiteral("munged"));
        m_munged.setArguments({QStringLiteral("--foreground"), QStringLiteral("--force"), QStringLiteral("--key-file=") + dir + QStringLiteral("/munge.key"),
                               QStringLiteral("--socket=") + socket(), QStringLiteral("--pid-file=") + dir + QStringLiteral("/munge/munged.pid"),
                               QStringLiteral("--log-file=") + dir + QStringLiteral("/munge/munged.log"),
                               QStringLiteral("--seed-file=") + dir + QStringLiteral("/munge/seed")});
        m_munged.setStandardOutputFile(dir + QStringLiteral("/munged.out"));
        m_munged.setStandardErrorFile(dir + QStringLiteral("/munged.out"), QIODevice::Append);
        m_munged.start();
        if (!m_munged.waitForStarted(10000))
            return fail(error, QStringLiteral("munged did not start: ") + m_munged.errorString());
        if (!waitFor([&] { return QFileInfo::exists(socket()); }, 10000))
            return fail(error, QStringLiteral("munged made no socket: ") + readAll(dir + QStringLiteral("/munged.out")));

        m_ctldPort = freePort();
        int slurmdPort = freePort();
        while (slurmdPort == m_ctldPort)
            slurmdPort = freePort();
        QString storage = QStringLiteral("AccountingStorageType=accounting_storage/none\n");
        if (options.accounting) {
            const int dbdPort = freePort();
            if (!startAccounting(dbdPort, error))
                return false;
            // AccountingStoragePass: the munge socket for the connection to slurmdbd.
            storage = QStringLiteral("AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost=127.0.0.1\n"
                                     "AccountingStoragePort=%1\nAccountingStoragePass=%2\n").arg(dbdPort).arg(socket());
        }
        const long long memMb = memoryMb();
        const QString accounting = options.enforceMemory
                                       ? QStringLiteral("JobAcctGatherType=jobacct_gather/linux\nJobAcctGatherParams=OverMemoryKill\nJobAcctGatherFrequency=task=1\n"
                                                        "SelectTypeParameters=CR_Core_Memory\nDefMemPerCPU=%1\n")
                                             .arg(std::max(256LL, memMb / (QThread::idealThreadCount() * 8)))
                                       : QStringLiteral("JobAcctGatherType=jobacct_gather/none\nSelectTypeParameters=CR_Core\n");
        QFile conf(confPath());
        if (!conf.open(QIODevice::WriteOnly))
            return fail(error, conf.errorString());
        conf.write(QStringLiteral(
                       "ClusterName=cairntest\n"
                       "SlurmctldHost=%1(127.0.0.1)\n"
                       "SlurmUser=root\nSlurmdUser=root\n"
                       "SlurmctldPort=%2\nSlurmdPort=%3\n"
                       "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=%4\n"
                       "StateSaveLocation=%5/state\nSlurmdSpoolDir=%5/spool\n"
                       "SlurmctldPidFile=%5/slurmctld.pid\nSlurmdPidFile=%5/slurmd.pid\n"
                       "SlurmctldLogFile=%5/slurmctld.log\nSlurmdLogFile=%5/slurmd.log\n"
                       "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
                       "%9%10"
                       "SelectType=select/cons_tres\n"
                       "SchedulerType=sched/builtin\nReturnToService=2\nMinJobAge=%11\n"
                       "MessageTimeout=10\nSlurmctldTimeout=60\nSlurmdTimeout=60\nInactiveLimit=0\nKillWait=2\nOverTimeLimit=0\n"
                       "NodeName=%6 NodeAddr=127.0.0.1 CPUs=%7 RealMemory=%8 State=UNKNOWN\n"
                       "PartitionName=debug Nodes=%6 Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4\n")
                       .arg(m_node)
                       .arg(m_ctldPort)
                       .arg(slurmdPort)
                       .arg(socket(), dir, m_node)
                       .arg(QThread::idealThreadCount())
                       .arg(memMb)
                       .arg(accounting, storage)
                       .arg(options.minJobAge)
                       .toUtf8());
        conf.close();
        if (options.accounting) {
            // The cluster must be in the database before slurmctld registers with slurmdbd.
            QByteArray said;
            if (!waitFor([&] { said = command({QStringLiteral("sacctmgr"), QStringLiteral("-i"), QStringLiteral("add"), QStringLiteral("cluster"), QStringLiteral("cairntest")}, 20000, true);
                               return said.contains("Adding Cluster") || said.contains("already exist"); },
                         30000))
                return fail(error, QStringLiteral("slurmdbd does not answer sacctmgr: ") + QString::fromUtf8(said) + readAll(dir + QStringLiteral("/slurmdbd.log")).right(2000));
        }
        if (!startController(error))
            return false;
        m_slurmd.setProcessEnvironment(environment());
        m_slurmd.setStandardOutputFile(dir + QStringLiteral("/slurmd.out"));
        m_slurmd.setStandardErrorFile(dir + QStringLiteral("/slurmd.out"), QIODevice::Append);
        m_slurmd.start(QStringLiteral("slurmd"), {QStringLiteral("-D"), QStringLiteral("-N"), m_node, QStringLiteral("-f"), confPath()});
        if (!m_slurmd.waitForStarted(10000))
            return fail(error, QStringLiteral("slurmd did not start: ") + m_slurmd.errorString());
        // Ready when the node is idle: jobs submitted now start at once.
        if (!waitFor([&] { return command({QStringLiteral("sinfo"), QStringLiteral("-h"), QStringLiteral("-o"), QStringLiteral("%T")}).contains("idle"); }, 30000))
            return fail(error, QStringLiteral("the node did not come up: ") + readAll(dir + QStringLiteral("/slurmd.log")).right(2000));
        return true;
    }

    /// Starts slurmctld again (after stopController()), keeping its saved state; `forget`: without
    /// it (-c), so that it no longer knows any job, as after MinJobAge on a cluster without accounting.
    bool startController(QString *error, bool forget = false)
    {
        m_ctld.setProcessEnvironment(environment());
        m_ctld.setStandardOutputFile(m_dir + QStringLiteral("/slurmctld.out"), QIODevice::Append);
        m_ctld.setStandardErrorFile(m_dir + QStringLiteral("/slurmctld.out"), QIODevice::Append);
        QStringList args{QStringLiteral("-D"), QStringLiteral("-f"), confPath()};
        if (!m_controllerStarted || forget)
            args.prepend(QStringLiteral("-c")); // a clean start the first time only
        m_ctld.start(QStringLiteral("slurmctld"), args);
        if (!m_ctld.waitForStarted(10000))
            return fail(error, QStringLiteral("slurmctld did not start: ") + m_ctld.errorString());
        m_controllerStarted = true;
        if (!waitFor([&] { return !command({QStringLiteral("sinfo"), QStringLiteral("-h")}).isEmpty(); }, 30000))
            return fail(error, QStringLiteral("slurmctld does not answer: ") + readAll(m_dir + QStringLiteral("/slurmctld.log")).right(2000));
        return true;
    }

    /// Stops slurmctld (SIGTERM, as an administrator's restart does); jobs run on under slurmd.
    void stopController()
    {
        if (m_ctld.state() == QProcess::NotRunning)
            return;
        m_ctld.terminate();
        if (!m_ctld.waitForFinished(20000)) {
            m_ctld.kill();
            m_ctld.waitForFinished(5000);
        }
    }

    void stop()
    {
        if (m_dir.isEmpty())
            return;
        // Jobs first, so that no slurmstepd outlives the test.
        if (m_ctld.state() == QProcess::Running) {
            command({QStringLiteral("scancel"), QStringLiteral("--full"), QStringLiteral("--signal=KILL"), QStringLiteral("--partition=debug")});
            waitFor([&] { return command({QStringLiteral("squeue"), QStringLiteral("-h"), QStringLiteral("-t"), QStringLiteral("RUNNING,COMPLETING")}).trimmed().isEmpty(); },
                    15000);
        }
        for (QProcess *p : {&m_slurmd, &m_ctld, &m_slurmdbd, &m_mariadb, &m_munged}) {
            if (p->state() == QProcess::NotRunning)
                continue;
            p->terminate();
            if (!p->waitForFinished(10000)) {
                p->kill();
                p->waitForFinished(5000);
            }
        }
        m_dir.clear();
    }

    QString confPath() const { return m_dir + QStringLiteral("/slurm.conf"); }
    QString nodeName() const { return m_node; }

    /// The environment that points Slurm's commands (and everything started from it) at this cluster.
    QProcessEnvironment environment(QProcessEnvironment env = QProcessEnvironment::systemEnvironment()) const
    {
        env.insert(QStringLiteral("SLURM_CONF"), confPath());
        return env;
    }

    /// Runs one Slurm command against this cluster and returns its stdout.
    QByteArray command(const QStringList &argv, int timeoutMs = 20000, bool withStderr = false) const
    {
        QProcess p;
        p.setProcessEnvironment(environment());
        if (withStderr)
            p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(argv.first(), argv.mid(1));
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished(2000);
            return {};
        }
        return p.readAllStandardOutput();
    }

    template<typename F>
    static bool waitFor(F condition, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (!condition()) {
            if (t.elapsed() > timeoutMs)
                return false;
            QThread::msleep(100);
        }
        return true;
    }

private:
    QString socket() const { return m_dir + QStringLiteral("/munge/munge.sock"); }

    /// A private mariadbd (its socket in `m_dir`, a free loopback port for slurmdbd), a database
    /// and user for slurmdbd, and slurmdbd itself on `dbdPort`.
    bool startAccounting(int dbdPort, QString *error)
    {
        const QString db = m_dir + QStringLiteral("/db");
        const QString sock = m_dir + QStringLiteral("/mysql.sock");
        const int dbPort = freePort();
        // Small redo log and buffer pool: a test database, created in about a second.
        const QStringList tuning{QStringLiteral("--innodb-log-file-size=8M"), QStringLiteral("--innodb-buffer-pool-size=32M")};
        QProcess install;
        install.setProcessChannelMode(QProcess::MergedChannels);
        install.start(QStringLiteral("mariadb-install-db"), QStringList{QStringLiteral("--no-defaults"), QStringLiteral("--datadir=") + db,
                                                                          QStringLiteral("--user=root"), QStringLiteral("--auth-root-authentication-method=normal"),
                                                                          QStringLiteral("--skip-test-db")} + tuning);
        if (!install.waitForFinished(120000) || install.exitCode() != 0)
            return fail(error, QStringLiteral("mariadb-install-db failed: ") + QString::fromUtf8(install.readAll()).right(2000));
        // mariadbd refuses to run as root unless told to (--user=root).
        m_mariadb.setStandardOutputFile(m_dir + QStringLiteral("/mariadbd.out"));
        m_mariadb.setStandardErrorFile(m_dir + QStringLiteral("/mariadbd.out"), QIODevice::Append);
        m_mariadb.start(QStringLiteral("mariadbd"), QStringList{QStringLiteral("--no-defaults"), QStringLiteral("--datadir=") + db, QStringLiteral("--socket=") + sock,
                                                                QStringLiteral("--port=%1").arg(dbPort), QStringLiteral("--bind-address=127.0.0.1"),
                                                                QStringLiteral("--user=root"), QStringLiteral("--pid-file=") + m_dir + QStringLiteral("/mariadbd.pid"),
                                                                QStringLiteral("--skip-log-bin")} + tuning);
        if (!m_mariadb.waitForStarted(10000))
            return fail(error, QStringLiteral("mariadbd did not start: ") + m_mariadb.errorString());
        const QString password = QString::fromLatin1(QByteArray::number(quint64(QDateTime::currentMSecsSinceEpoch()) ^ quint64(::getpid()) * 2654435761u, 16));
        const QString sql = QStringLiteral("CREATE DATABASE IF NOT EXISTS slurm_acct_db; CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '%1'; "
                                           "GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';").arg(password);
        QByteArray said;
        if (!waitFor([&] {
                QProcess c;
                c.setProcessChannelMode(QProcess::MergedChannels);
                c.start(QStringLiteral("mariadb"), {QStringLiteral("--no-defaults"), QStringLiteral("-S"), sock, QStringLiteral("-u"), QStringLiteral("root"), QStringLiteral("-e"), sql});
                c.waitForFinished(10000);
                said = c.readAll();
                return c.exitStatus() == QProcess::NormalExit && c.exitCode() == 0;
            }, 30000))
            return fail(error, QStringLiteral("mariadbd does not take the database: ") + QString::fromUtf8(said) + readAll(m_dir + QStringLiteral("/mariadbd.out")).right(2000));
        // slurmdbd reads slurmdbd.conf beside slurm.conf; it must be private to SlurmUser.
        QFile conf(m_dir + QStringLiteral("/slurmdbd.conf"));
        if (!conf.open(QIODevice::WriteOnly))
            return fail(error, conf.errorString());
        conf.write(QStringLiteral("AuthType=auth/munge\nAuthInfo=socket=%1\nDbdHost=localhost\nDbdAddr=127.0.0.1\nDbdPort=%2\nSlurmUser=root\n"
                                  "StorageType=accounting_storage/mysql\nStorageHost=127.0.0.1\nStoragePort=%3\nStorageUser=slurm\nStoragePass=%4\n"
                                  "StorageLoc=slurm_acct_db\nPidFile=%5/slurmdbd.pid\nLogFile=%5/slurmdbd.log\n")
                       .arg(socket())
                       .arg(dbdPort)
                       .arg(dbPort)
                       .arg(password, m_dir)
                       .toUtf8());
        conf.close();
        conf.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
        m_slurmdbd.setProcessEnvironment(environment());
        m_slurmdbd.setStandardOutputFile(m_dir + QStringLiteral("/slurmdbd.out"));
        m_slurmdbd.setStandardErrorFile(m_dir + QStringLiteral("/slurmdbd.out"), QIODevice::Append);
        m_slurmdbd.start(QStringLiteral("slurmdbd"), {QStringLiteral("-D")});
        if (!m_slurmdbd.waitForStarted(10000))
            return fail(error, QStringLiteral("slurmdbd did not start: ") + m_slurmdbd.errorString());
        return true;
    }

    static long long memoryMb()
    {
        QFile f(QStringLiteral("/proc/meminfo"));
        if (f.open(QIODevice::ReadOnly))
            for (const QByteArray &line : f.readAll().split('\n'))
                if (line.startsWith("MemTotal:"))
                    return line.simplified().split(' ').value(1).toLongLong() / 1024 * 9 / 10; // below the real size, or slurmd drains the node
        return 1024;
    }

    static QString readAll(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

    bool fail(QString *error, const QString &message)
    {
        if (error)
            *error = message;
        stop();
        return false;
    }

    QString m_dir;
    QString m_node;
    int m_ctldPort = 0;
    bool m_controllerStarted = false;
    QProcess m_munged;
    QProcess m_ctld;
    QProcess m_slurmd;
    QProcess m_slurmdbd;
    QProcess m_mariadb;
};

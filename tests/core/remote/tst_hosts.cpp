// Hosts without a network: the quoting of remote command lines (checked by a real /bin/sh),
// hosts.json and ~/.ssh/config entries, the nvidia-smi parser, GPU assignment, probe reports.
#include "cairn/remote/host.h"
#include "cairn/remote/probe.h"
#include "cairn/remote/workerinstall.h"
#include "cairn/remote/sshconnection.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace cairn;
using namespace cairn::remote;

class tst_Hosts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shellQuoteSurvivesARealShell()
    {
        QTemporaryDir dir;
        const QString marker = dir.filePath(QStringLiteral("pwned"));
        const QStringList hostile{QStringLiteral("plain"), QStringLiteral("two words"), QStringLiteral("it's"), QStringLiteral("\"double\""),
                                  QStringLiteral("a;touch %1").arg(marker), QStringLiteral("$(touch %1)").arg(marker),
                                  QStringLiteral("`touch %1`").arg(marker), QStringLiteral("$HOME ~ * ?"), QStringLiteral("back\\slash"),
                                  QStringLiteral("new\nline"), QString(), QStringLiteral("-n"), QStringLiteral("'';'\"'\"'")};
        // The same line ssh hands to the remote shell: printf prints each argument on its own line.
        QProcess sh;
        sh.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("printf '%s\\0' ") + shellJoin(hostile)});
        QVERIFY(sh.waitForFinished());
        QCOMPARE(sh.exitCode(), 0);
        QList<QByteArray> parts = sh.readAllStandardOutput().split('\0');
        parts.removeLast();
        QCOMPARE(parts.size(), hostile.size());
        for (int i = 0; i < hostile.size(); ++i)
            QCOMPARE(QString::fromUtf8(parts.at(i)), hostile.at(i));
        QVERIFY(!QFile::exists(marker));
    }

    void hostStoreKeepsLocalAndValidates()
    {
        QTemporaryDir dir;
        HostStore store(dir.filePath(QStringLiteral("hosts.json")));
        store.setSshConfig({});
        QCOMPARE(store.hosts().size(), 1);
        QVERIFY(store.hosts().first().isLocal());
        Host h;
        h.name = QStringLiteral("gpu \"1\"; $(touch x)"); // a name is free text
        h.hostname = QStringLiteral("127.0.0.1");
        h.port = 2222;
        h.user = QStringLiteral("me");
        h.pricePerHour = 1.5;
        store.add(h);
        QVERIFY_THROWS_EXCEPTION(Error, store.add(h));
        const Host back = store.host(h.name);
        QCOMPARE(back.hostname, h.hostname);
        QCOMPARE(back.port, 2222);
        QCOMPARE(back.pricePerHour, 1.5);
        QVERIFY_THROWS_EXCEPTION(Error, store.remove(QStringLiteral("local")));
        QVERIFY_THROWS_EXCEPTION(Error, store.host(QStringLiteral("nope")));
        // What reaches ssh's command line must not be an option or shell text.
        for (const QString &bad : {QStringLiteral("-oProxyCommand=touch x"), QStringLiteral("a b"), QStringLiteral("a;b"), QStringLiteral("$(x)"), QString()}) {
            Host b = h;
            b.name = QStringLiteral("bad");
            b.hostname = bad;
            QVERIFY_THROWS_EXCEPTION(Error, store.add(b));
        }
        Host u = h;
        u.name = QStringLiteral("bad user");
        u.user = QStringLiteral("-oProxyCommand=x");
        QVERIFY_THROWS_EXCEPTION(Error, store.add(u));
        store.remove(h.name);
        QCOMPARE(store.hosts().size(), 1);
    }

    void sshConfigEntries()
    {
        QTemporaryDir dir;
        QFile cfg(dir.filePath(QStringLiteral("config")));
        QVERIFY(cfg.open(QIODevice::WriteOnly));
        cfg.write("# comment\nHost gpu1 gpu2\n  HostName 10.0.0.5\n  User alice\nHost *.lab !bad ?x\n  Port 22\n"
                  "Host=box\n  IdentityFile ~/.ssh/box\nMatch host foo\n  User bob\n");
        cfg.close();
        HostStore store(dir.filePath(QStringLiteral("hosts.json")));
        store.setSshConfig(cfg.fileName());
        QStringList names;
        for (const Host &h : store.hosts())
            names << h.name;
        QCOMPARE(names, (QStringList{QStringLiteral("local"), QStringLiteral("gpu1"), QStringLiteral("gpu2"), QStringLiteral("box")}));
        const Host g = store.host(QStringLiteral("gpu1"));
        QCOMPARE(g.hostname, QStringLiteral("gpu1")); // ssh applies the entry through its alias
        QCOMPARE(g.sshConfigFile, cfg.fileName());
        QCOMPARE(g.source, QStringLiteral("ssh-config"));
        // Changing an entry saves it; it then shadows the config's.
        Host changed = g;
        changed.pricePerHour = 2;
        store.update(changed);
        QCOMPARE(store.host(QStringLiteral("gpu1")).pricePerHour, 2.0);
        QCOMPARE(store.hosts().size(), 4);
    }

    void sshArgumentsAreSafe()
    {
        Host h;
        h.name = QStringLiteral("x");
        h.hostname = QStringLiteral("example.org");
        h.port = 2200;
        h.identityFile = QStringLiteral("/keys/my key");
        const SshConnection ssh(h);
        const QStringList a = ssh.commandArguments({QStringLiteral("ls"), QStringLiteral("a b; $(rm -rf x)")});
        QVERIFY(a.contains(QStringLiteral("BatchMode=yes")));
        QVERIFY(a.contains(QStringLiteral("StrictHostKeyChecking=yes")));
        QVERIFY(a.contains(QStringLiteral("ControlMaster=auto")));
        const qsizetype dd = a.indexOf(QStringLiteral("--"));
        QVERIFY(dd > 0);
        QCOMPARE(a.at(dd + 1), QStringLiteral("example.org"));
        QCOMPARE(a.at(dd + 2), QStringLiteral("ls 'a b; $(rm -rf x)'"));
        QVERIFY(ssh.rsyncShell().contains(QStringLiteral("'/keys/my key'")));
        QCOMPARE(ssh.rsyncPath(QStringLiteral("/w/x y")), QStringLiteral("example.org:/w/x y"));
    }

    void nvidiaSmiParser()
    {
        QStringList errors;
        const auto gpus = parseNvidiaSmi(QStringLiteral("NVIDIA H100 80GB HBM3, 81559, 3, 0, 33\n"
                                                        "Tesla, V100, 16384, 12000, 97, 71\n"
                                                        "garbage\n"
                                                        "NVIDIA A10, [N/A], [N/A], [Not Supported], 40\n"),
                                         &errors);
        QCOMPARE(gpus.size(), 3);
        QCOMPARE(gpus.at(0).name, QStringLiteral("NVIDIA H100 80GB HBM3"));
        QCOMPARE(gpus.at(0).memoryTotalMiB, 81559.0);
        QCOMPARE(gpus.at(0).temperatureC, 33.0);
        QCOMPARE(gpus.at(1).name, QStringLiteral("Tesla, V100"));
        QCOMPARE(gpus.at(1).utilizationPercent, 97.0);
        QCOMPARE(gpus.at(2).memoryTotalMiB, -1.0);
        QCOMPARE(gpus.at(2).index, 2);
        QCOMPARE(errors.size(), 1);
        QVERIFY(parseNvidiaSmi(QString()).isEmpty());

        // GPU 1 is busy, GPU 0 is taken by another job of this host: GPU 2 is the free one.
        QCOMPARE(freeGpus(gpus, {0}, 1), QList<int>{2});
        QCOMPARE(freeGpus(gpus, {}, 0), (QList<int>{0, 2}));
        QVERIFY(freeGpus(gpus, {0, 2}, 1).isEmpty());
        QCOMPARE(cudaVisibleDevices({0, 2}), QStringLiteral("0,2"));
        QCOMPARE(cudaVisibleDevices({}), QString());
    }

    void probeReport()
    {
        const QString base = QStringLiteral("workdir=/srv/w\nos=Debian GNU/Linux 12 (bookworm)\nos_id=debian \ncores=16\nmem_total_kb=131072000\n"
                                            "python3=/usr/bin/python3\nipykernel=yes\nsudo=no\n");
        HostProbe p = parseProbeOutput(QStringLiteral("h"), base + QStringLiteral("cairn=\n"));
        QVERIFY(!p.workerOk);
        QVERIFY(p.workerProblem.contains(QStringLiteral(".deb")));
        QVERIFY(p.gpus.isEmpty());
        QCOMPARE(p.cores, 16);
        QVERIFY(p.ipykernel);

        p = parseProbeOutput(QStringLiteral("h"), base + QStringLiteral("cairn=/opt/cairn\nhandshake={\"version\":\"0.0.9\",\"protocol\":0}\n"));
        QVERIFY(!p.workerOk);
        QVERIFY2(p.workerProblem.contains(QStringLiteral("0.0.9")) && p.workerProblem.contains(QStringLiteral("protocol 0")), qPrintable(p.workerProblem));

        p = parseProbeOutput(QStringLiteral("h"), base + QStringLiteral("gpu=NVIDIA A100, 40960, 0, 0, 30\ngpu_rc=0\ncairn=/usr/bin/cairn\nhandshake=")
                                                      + QString::fromUtf8(QJsonDocument(workerHandshake()).toJson(QJsonDocument::Compact)));
        QVERIFY2(p.workerOk, qPrintable(p.workerProblem));
        QCOMPARE(p.gpus.size(), 1);

        p = parseProbeOutput(QStringLiteral("h"), base + QStringLiteral("gpu=NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\ngpu_rc=9\ncairn=\n"));
        QVERIFY(p.gpus.isEmpty());
        QVERIFY(p.gpuError.contains(QStringLiteral("driver")));
    }

    // What Cairn needs to install its .deb: Debian (or a derivative), and sudo without a password
    // or a root login; the plan is the exact argv run in the host's packages folder.
    void workerInstallDetection()
    {
        const QString debian = QStringLiteral("workdir=/srv/my work\nos=Debian GNU/Linux 12 (bookworm)\nos_id=debian \narch=x86_64\n"
                                              "deb_arch=amd64\ncairn=\n");
        DebPackage deb;
        deb.file = QStringLiteral("/tmp/x/cairn-studio_0.1.0_amd64.deb");
        deb.package = QStringLiteral("cairn-studio");
        deb.version = QStringLiteral("0.1.0");
        deb.architecture = QStringLiteral("amd64");

        // No sudo without a password, not root: refused, saying to ask the administrator.
        HostProbe p = parseProbeOutput(QStringLiteral("gpu 1"), debian + QStringLiteral("sudo=no\nuid=1000\n"));
        QVERIFY(isDebianLike(p));
        QVERIFY(!p.canSudo && !p.isRoot);
        QVERIFY2(p.workerProblem.contains(QStringLiteral("cannot sudo")), qPrintable(p.workerProblem));
        QVERIFY(!p.workerProblem.contains(QStringLiteral("install-worker")));
        try {
            planWorkerInstall(p, deb);
            QFAIL("planned an install without sudo");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("cannot sudo without a password")), qPrintable(e.message()));
        }

        // sudo -n works: the probe names the command that installs it, and the plan is exactly that.
        p = parseProbeOutput(QStringLiteral("gpu 1"), debian + QStringLiteral("sudo=yes\nuid=1000\n"));
        QVERIFY2(p.workerProblem.contains(QStringLiteral("cairn hosts install-worker 'gpu 1' --deb cairn-studio_%1_amd64.deb").arg(QStringLiteral(CAIRN_VERSION))),
                 qPrintable(p.workerProblem));
        WorkerInstallPlan plan = planWorkerInstall(p, deb);
        QCOMPARE(plan.remoteFile, QStringLiteral("/srv/my work/packages/cairn-studio_0.1.0_amd64.deb"));
        QCOMPARE(plan.command, (QStringList{QStringLiteral("sudo"), QStringLiteral("-n"), QStringLiteral("apt-get"), QStringLiteral("install"),
                                            QStringLiteral("-y"), QStringLiteral("./cairn-studio_0.1.0_amd64.deb")}));
        QCOMPARE(plan.commandLine(), QStringLiteral("cd -- '/srv/my work/packages' && sudo -n apt-get install -y ./cairn-studio_0.1.0_amd64.deb"));

        // Root needs no sudo.
        p = parseProbeOutput(QStringLiteral("gpu 1"), debian + QStringLiteral("sudo=no\nuid=0\n"));
        QVERIFY(p.isRoot);
        QCOMPARE(planWorkerInstall(p, deb).command.first(), QStringLiteral("apt-get"));

        // Another architecture, another system: refused with what to do instead.
        deb.architecture = QStringLiteral("arm64");
        QVERIFY_THROWS_EXCEPTION(Error, planWorkerInstall(p, deb));
        deb.architecture = QStringLiteral("amd64");
        p = parseProbeOutput(QStringLiteral("fed"), QStringLiteral("workdir=/w\nos=Fedora Linux 39\nos_id=fedora\nsudo=yes\nuid=1000\ncairn=\n"));
        QVERIFY(!isDebianLike(p));
        QVERIFY2(p.workerProblem.contains(QStringLiteral("build it from source")), qPrintable(p.workerProblem));
        try {
            planWorkerInstall(p, deb);
            QFAIL("planned a .deb install on Fedora");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("not Debian")), qPrintable(e.message()));
        }
        // "debian" must be a whole word of ID/ID_LIKE.
        QVERIFY(!isDebianLike(parseProbeOutput(QStringLiteral("x"), QStringLiteral("os_id=notdebian\n"))));
        QVERIFY(isDebianLike(parseProbeOutput(QStringLiteral("x"), QStringLiteral("os_id=linuxmint ubuntu debian\n"))));
    }

    void localProbe()
    {
        const HostProbe p = probeHost(Host::local());
        QVERIFY(p.reachable);
        QVERIFY(p.cores > 0);
        QVERIFY(p.memoryTotalKiB > 0);
        QVERIFY(p.workerOk);
    }
};

QTEST_GUILESS_MAIN(tst_Hosts)
#include "tst_hosts.moc"

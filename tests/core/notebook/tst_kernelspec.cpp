// Kernelspec discovery in the standard Jupyter folders.
#include "cairn/notebook/kernelspec.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;

namespace {

void writeSpec(const QString &root, const QString &name, const QByteArray &json)
{
    QDir(root).mkpath(QStringLiteral("kernels/") + name);
    QFile file(root + QStringLiteral("/kernels/") + name + QStringLiteral("/kernel.json"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(json);
}

} // namespace

class TestKernelSpec : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void searchPathsFollowJupyter()
    {
        qputenv("JUPYTER_PATH", "/a/one:/b/two");
        qputenv("JUPYTER_DATA_DIR", "/data/jupyter");
        const QStringList paths = KernelSpec::searchPaths();
        QCOMPARE(paths, (QStringList{QStringLiteral("/a/one/kernels"), QStringLiteral("/b/two/kernels"), QStringLiteral("/data/jupyter/kernels"),
                                     QStringLiteral("/usr/local/share/jupyter/kernels"), QStringLiteral("/usr/share/jupyter/kernels")}));
        qunsetenv("JUPYTER_DATA_DIR");
        qputenv("XDG_DATA_HOME", "/xdg");
        QVERIFY(KernelSpec::searchPaths().contains(QStringLiteral("/xdg/jupyter/kernels")));
        qunsetenv("XDG_DATA_HOME");
        qunsetenv("JUPYTER_PATH");
    }

    void discoveryAndPrecedence()
    {
        QTemporaryDir first, second;
        writeSpec(first.path(), QStringLiteral("mykernel"),
                  R"({"argv": ["/bin/echo", "-f", "{connection_file}"], "display_name": "Mine", "language": "python",
                      "interrupt_mode": "message", "env": {"A": "1"}, "metadata": {"x": 1}})");
        writeSpec(second.path(), QStringLiteral("mykernel"), R"({"argv": ["/bin/false"], "display_name": "Shadowed"})");
        writeSpec(second.path(), QStringLiteral("broken"), "{not json");
        writeSpec(second.path(), QStringLiteral("noargv"), R"({"display_name": "No argv"})");
        qputenv("JUPYTER_PATH", (first.path() + QLatin1Char(':') + second.path()).toLocal8Bit());
        qputenv("JUPYTER_DATA_DIR", "/nonexistent");
        const QList<KernelSpec> specs = KernelSpec::findAll();
        qunsetenv("JUPYTER_PATH");
        qunsetenv("JUPYTER_DATA_DIR");

        int mine = 0;
        for (const KernelSpec &spec : specs) {
            QVERIFY(spec.name != QLatin1String("broken"));
            QVERIFY(spec.name != QLatin1String("noargv"));
            if (spec.name == QLatin1String("mykernel")) {
                ++mine;
                QCOMPARE(spec.displayName, QStringLiteral("Mine"));
                QCOMPARE(spec.interruptMode, QStringLiteral("message"));
                QCOMPARE(spec.env.value(QStringLiteral("A")), QStringLiteral("1"));
                QCOMPARE(spec.commandLine(QStringLiteral("/tmp/c.json")),
                         (QStringList{QStringLiteral("/bin/echo"), QStringLiteral("-f"), QStringLiteral("/tmp/c.json")}));
            }
        }
        QCOMPARE(mine, 1);
    }

    void systemPython3Kernel()
    {
        if (!QFile::exists(QStringLiteral("/usr/share/jupyter/kernels/python3/kernel.json")))
            QSKIP("python3-ipykernel is not installed");
        const KernelSpec spec = KernelSpec::find(QStringLiteral("python3"));
        QVERIFY(spec.isValid());
        QCOMPARE(spec.language, QStringLiteral("python"));
        QCOMPARE(spec.commandLine(QStringLiteral("c.json")).first(), QStringLiteral("/usr/bin/python3"));
        QVERIFY(!KernelSpec::find(QStringLiteral("no-such-kernel")).isValid());
    }

    void barePythonResolvesToTheSystemInterpreter()
    {
        KernelSpec spec;
        spec.name = QStringLiteral("python3");
        spec.directory = QStringLiteral("/usr/share/jupyter/kernels/python3");
        spec.argv = QStringList{QStringLiteral("python3"), QStringLiteral("-m"), QStringLiteral("ipykernel_launcher"), QStringLiteral("-f"),
                                QStringLiteral("{connection_file}")};
        QCOMPARE(spec.commandLine(QStringLiteral("x")).first(), QStringLiteral("/usr/bin/python3"));
        QCOMPARE(spec.commandLine(QStringLiteral("x")).last(), QStringLiteral("x"));
    }
};

QTEST_GUILESS_MAIN(TestKernelSpec)
#include "tst_kernelspec.moc"

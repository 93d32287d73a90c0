// The docs' commands, run as written: every ```sh block of docs/getting-started.md after the
// install step, in a fresh home folder with `cairn` on the PATH the way scripts/setup puts it
// there (scripts/link-bin), and the debugger guide's `cairn train` example from the repository's
// folder, whose printed verdicts must be the ones the guide shows.
#include "clirunner.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

class tst_Docs : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;
    QString m_bin;

    static QString source(const QString &relative) { return QDir(QStringLiteral(CAIRN_SOURCE_DIR)).filePath(relative); }

    /// The fenced blocks of one language in a Markdown file.
    static QStringList blocks(const QString &markdown, const QString &language)
    {
        QFile f(source(markdown));
        if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
            return {};
        QStringList out;
        QString current;
        bool inside = false;
        for (const QString &line : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'))) {
            if (!inside && line.trimmed() == QStringLiteral("```") + language) {
                inside = true;
                current.clear();
            } else if (inside && line.trimmed() == QLatin1String("```")) {
                inside = false;
                out << current;
            } else if (inside) {
                current += line + QLatin1Char('\n');
            }
        }
        return out;
    }

    /// A user's environment: a fresh home, our bin folder first on a plain PATH, no workspace set.
    QProcessEnvironment userEnvironment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("CAIRN_WORKSPACE"));
        env.remove(QStringLiteral("CAIRN_CLI"));
        env.insert(QStringLiteral("HOME"), m_home.path());
        env.insert(QStringLiteral("PATH"), m_bin + QStringLiteral(":/usr/local/bin:/usr/bin:/bin"));
        return env;
    }

    ProcessResult shell(const QString &script, const QString &workingDirectory, const QProcessEnvironment &env)
    {
        QProcess p;
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(workingDirectory);
        p.start(QStringLiteral("/bin/bash"), {QStringLiteral("-e"), QStringLiteral("-o"), QStringLiteral("pipefail"), QStringLiteral("-c"), script});
        ProcessResult r;
        if (!p.waitForFinished(240000)) {
            p.kill();
            p.waitForFinished();
            r.err = QStringLiteral("timed out: ") + script;
            return r;
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        // What scripts/setup runs: the links, here into a folder of the test's own.
        m_bin = QDir(m_home.path()).filePath(QStringLiteral("bin"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CAIRN_BIN_DIR"), m_bin);
        env.insert(QStringLiteral("CAIRN_BUILD_DIR"), QStringLiteral(CAIRN_BUILD_DIR));
        const ProcessResult r = runProgram(source(QStringLiteral("scripts/link-bin")), {}, env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QLatin1String("not on your PATH")), qPrintable(r.out)); // it says how
        QCOMPARE(QFileInfo(QDir(m_bin).filePath(QStringLiteral("cairn"))).canonicalFilePath(), QFileInfo(QStringLiteral(CAIRN_CLI_PATH)).canonicalFilePath());
        QVERIFY(QFileInfo(QDir(m_bin).filePath(QStringLiteral("cairn-studio"))).isSymLink());
        // Run again: the links are replaced, nothing else is touched.
        QCOMPARE(runProgram(source(QStringLiteral("scripts/link-bin")), {}, env).exitCode, 0);
    }

    void gettingStartedRunsAsWritten()
    {
        const QStringList all = blocks(QStringLiteral("docs/getting-started.md"), QStringLiteral("sh"));
        QVERIFY(all.size() >= 2);
        int ran = 0;
        for (const QString &block : all) {
            // The install step needs a fresh clone and the network: scripts/setup's packages and
            // links are what CI runs before the tests.
            if (block.contains(QLatin1String("git clone")))
                continue;
            const ProcessResult r = shell(block, m_home.path(), userEnvironment());
            QVERIFY2(r.exitCode == 0, qPrintable(block + QStringLiteral("\n---\n") + r.out + r.err));
            if (block.contains(QLatin1String("cairn runs list --experiment hello"))) {
                QVERIFY2(r.out.contains(QLatin1String("FINISHED")), qPrintable(r.out));
                QVERIFY2(!r.err.contains(QLatin1String("command not found")), qPrintable(r.err));
            }
            ++ran;
        }
        QVERIFY(ran >= 1);
        // The workspace the guide names, in the (fresh) home folder.
        QVERIFY(QFileInfo::exists(QDir(m_home.path()).filePath(QStringLiteral("CairnSampleWorkspace/cairn.db"))));
    }

    void debuggerGuideExampleRunsAsWritten()
    {
        const ProcessResult algorithms = runProgram(QStringLiteral(CAIRN_CLI_PATH), {QStringLiteral("algorithms"), QStringLiteral("list")});
        if (!algorithms.out.contains(QLatin1String("mlp")))
            QSKIP("the torch plugin (algorithm mlp) is not built");
        QString example;
        for (const QString &block : blocks(QStringLiteral("docs/debugger.md"), QStringLiteral("sh")))
            if (block.startsWith(QLatin1String("cairn train")))
                example = block;
        QVERIFY2(!example.isEmpty(), "docs/debugger.md has no `cairn train` example");
        QProcessEnvironment env = userEnvironment();
        const QString ws = QDir(m_home.path()).filePath(QStringLiteral("debugger-ws"));
        env.insert(QStringLiteral("CAIRN_WORKSPACE"), ws);
        const ProcessResult r = shell(example, QStringLiteral(CAIRN_SOURCE_DIR), env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QLatin1String("debugger rules:")), qPrintable(r.out));

        // Every rule of the example has a verdict, and it is the one the guide prints.
        QString shown;
        for (const QString &block : blocks(QStringLiteral("docs/debugger.md"), QStringLiteral("text")))
            if (block.startsWith(QLatin1String("debugger rules:")))
                shown = block;
        QVERIFY(!shown.isEmpty());
        const QRegularExpression rule(QStringLiteral("--rule ([A-Za-z]+)"));
        int rules = 0;
        for (auto it = rule.globalMatch(example); it.hasNext(); ++rules) {
            const QString name = it.next().captured(1);
            const QRegularExpression line(QStringLiteral("^%1\\s+(\\w+)").arg(name), QRegularExpression::MultilineOption);
            const auto actual = line.match(r.out);
            const auto documented = line.match(shown);
            QVERIFY2(actual.hasMatch(), qPrintable(name + QStringLiteral(" has no verdict:\n") + r.out));
            QVERIFY2(documented.hasMatch(), qPrintable(name + QStringLiteral(" is not in the guide's output")));
            QVERIFY2(actual.captured(1) == documented.captured(1),
                     qPrintable(QStringLiteral("%1: %2, the guide says %3\n%4").arg(name, actual.captured(1), documented.captured(1), r.out)));
            QVERIFY2(actual.captured(1) != QLatin1String("Error"), qPrintable(r.out));
        }
        QVERIFY(rules >= 3);
    }
};

QTEST_GUILESS_MAIN(tst_Docs)
#include "tst_docs.moc"

#pragma once
// Runs the real `cairn` executable and /usr/bin/python3 for end-to-end tests, and finds or writes
// their input files.

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

struct ProcessResult
{
    int exitCode = -1;
    QString out;
    QString err;
    QJsonDocument json() const { return QJsonDocument::fromJson(out.toUtf8()); }
};

inline ProcessResult runProgram(const QString &program, const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
                                int timeoutMs = 120000)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    ProcessResult r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out: %1 %2").arg(program, args.join(QLatin1Char(' ')));
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

inline ProcessResult cairnCli(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    return runProgram(QStringLiteral(CAIRN_CLI_PATH), args, env);
}

/// `cairn --workspace WORKSPACE ARGS…` with $CAIRN_WORKSPACE unset, so only the option decides.
inline ProcessResult cairnInWorkspace(const QString &workspace, const QStringList &args, int timeoutMs = 120000)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("CAIRN_WORKSPACE"));
    return runProgram(QStringLiteral(CAIRN_CLI_PATH), QStringList{QStringLiteral("--workspace"), workspace} + args, env, timeoutMs);
}

inline ProcessResult python(const QString &script, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    return runProgram(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), script}, env);
}

/// A table of the shared data: tabular/NAME.
inline QString sharedTable(const QString &name)
{
    return QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/") + name;
}

/// Writes TEXT to DIR/NAME and returns its path.
inline QString writeFile(const QDir &dir, const QString &name, const QByteArray &text)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(text);
    return path;
}

#pragma once

#include "cairn/jobs/runner.h"

#include <QProcess>

namespace cairn {

/// Runs the worker as a child process of this one (QProcess).
class LocalRunner : public Runner
{
    Q_OBJECT
public:
    explicit LocalRunner(QObject *parent = nullptr);
    ~LocalRunner() override;
    /// What a job's failure says when its worker died by this signal ("the worker crashed with
    /// signal 11 (SIGSEGV, Segmentation fault)").
    static QString signalMessage(int signal);

    QString kind() const override { return QStringLiteral("local"); }
    void start(const WorkerLaunch &launch) override;
    void sendControl(const QByteArray &line) override;
    void terminate() override;
    void kill() override;
    qint64 processId() const override;
    bool isRunning() const override;

private:
    void readStdout();
    QProcess m_process;
    QByteArray m_partial;
    qint64 m_pid = 0;
    bool m_finished = false;
};

} // namespace cairn

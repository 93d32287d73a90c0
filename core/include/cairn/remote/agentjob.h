#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

class QProcess;
class QSocketNotifier;

namespace cairn::remote {

/// The job script's modes (start, launch, follow; see SshRunner) done by `cairn agent` itself,
/// with the script's output byte for byte but none of its programs: the worker is started with
/// fork and exec, its end is seen the moment it comes (a pidfd) rather than by polling, and the
/// events are read from their file every 20 ms. Start's slow paths (a worker to ask for its
/// handshake, GPUs to assign, data the cache lacks, a work folder not seen before) stay with the
/// script: start() says so before anything is written or started.
///
/// The arguments are the script's: MODE TOKEN ARGS….
class AgentJob : public QObject
{
    Q_OBJECT
public:
    explicit AgentJob(QList<QByteArray> args, QObject *parent = nullptr);
    ~AgentJob() override;

    /// Starts the mode; false (nothing done) when the script must run it instead.
    bool start();

Q_SIGNALS:
    void output(const QByteArray &bytes);
    /// The script's exit code and stderr.
    void finished(int exitCode, const QByteArray &err);

private:
    bool startFast();
    /// Prepares the job folder and starts the worker detached; the process group's id, or 0
    /// with *error set.
    qint64 launch(const QString &dir, const QString &command, const QString &gpus, const QByteArray &spec,
                  const QString &cache, const QList<QByteArray> &hashes, QString *error);
    /// launch(), then "launched=PID" and follow(); exit code 3 when the worker cannot start.
    void launchAndFollow(const QString &dir, const QString &command, const QString &gpus, const QByteArray &spec,
                         const QString &cache, const QList<QByteArray> &hashes);
    void follow(const QString &dir, qint64 fromByte, qint64 pid);
    void readEvents();
    void poll();
    void onWorkerEnded();
    void sendEndRecord(const QByteArray &tar, bool tarOk);
    void finish(int exitCode, const QByteArray &err = {});

    QList<QByteArray> m_args;
    QByteArray m_token;
    QString m_dir;
    qint64 m_pid = 0;
    qint64 m_offset = 0;
    int m_pidfd = -1;
    int m_ticks = 0;
    bool m_gone = false; ///< the process had ended (and was reaped) before it was followed
    bool m_ended = false;
    bool m_done = false;
    QTimer m_poll;
    QSocketNotifier *m_exitNotifier = nullptr;
    QPointer<QProcess> m_tar;
};

} // namespace cairn::remote

#pragma once

#include "cairn/jobs/runner.h"
#include "cairn/remote/host.h"

#include <QJsonObject>
#include <QPointer>
#include <QProcess>
#include <QTimer>

#include <atomic>
#include <memory>

namespace cairn::remote {

struct SshJobPlan;
class RemoteScript;

/// Runs a job's worker on an SSH host. The data channels go over with rsync into the host's
/// content-hash cache; the worker starts detached (setsid, nohup) in <workDir>/jobs/<job>/ and
/// writes its events to events.jsonl there. One remote command streams them back from a byte
/// offset and, when the worker has ended, its end record (exit code, stderr, the output folder
/// as a tar when small) on the same stream; when the host's cache already holds the data, the
/// same command also prepares and launches the job, so such a job costs one remote command. The
/// worker survives the connection, this process and the studio: attach() picks the stream up
/// again from the offset the store last committed. Stop goes as a line into the job's control
/// file, then SIGTERM and SIGKILL to the worker's process group on the host. The output folder
/// (model, artifacts) is in the job's local output folder before finished() is emitted.
///
/// The job folder gets remote.json (host, remote folder, process id) so that any later process
/// can re-attach.
class SshRunner : public Runner
{
    Q_OBJECT
public:
    explicit SshRunner(Host host, QObject *parent = nullptr);
    ~SshRunner() override;

    QString kind() const override { return QStringLiteral("ssh"); }
    void start(const WorkerLaunch &launch) override;
    void sendControl(const QByteArray &line) override;
    void terminate() override;
    void kill() override;
    qint64 processId() const override { return m_pid; }
    bool isRunning() const override { return m_running; }
    bool outlivesParent() const override { return true; }
    void attach(const QString &jobDir, qint64 offset) override;
    qint64 eventOffset() const override { return m_offset; }

    /// What remote.json holds for a job folder (empty when the job never reached its host).
    static QJsonObject remoteState(const QString &jobDir);

private:
    enum class Mode { Start, Launch, Follow };
    enum class Phase { Header, Events, Trailer };
    void follow();
    void startStream(Mode mode, const QStringList &args);
    void onStreamOutput(QByteArray bytes);
    void onStreamFinished(int exitCode, const QByteArray &err);
    bool onLaunched(const QByteArray &report);
    void coldStart(int exitCode, const QByteArray &err);
    void emitLines(bool flushPartial);
    void signalGroup(const QString &signal);
    void sendScript(const QString &script, const QStringList &args);
    void fail(const QString &message);

    Host m_host;
    QString m_jobDir;      ///< local
    QString m_remoteDir;   ///< <workDir>/jobs/<job> on the host
    QString m_localOutput; ///< where the model and artifacts come back to
    qint64 m_pid = 0;      ///< the worker's process group on the host
    qint64 m_offset = 0;   ///< bytes of events.jsonl handed on as lines
    QString m_gpus = QStringLiteral("-"); ///< CUDA_VISIBLE_DEVICES given to the worker
    std::shared_ptr<SshJobPlan> m_plan;
    Mode m_mode = Mode::Follow;
    Phase m_phase = Phase::Header;
    QByteArray m_token;    ///< marks the events' start and the end record in this stream
    QByteArray m_header;   ///< the report before the events
    QByteArray m_partial;  ///< an event line not complete yet
    QByteArray m_trailer;  ///< the end record
    qint64 m_streamStart = 0;
    bool m_running = false;
    bool m_finishing = false;
    int m_retries = 0;
    bool m_stopRequested = false;
    std::shared_ptr<std::atomic<bool>> m_cancel; ///< tells the preparation not to start the worker
    QPointer<RemoteScript> m_stream; ///< the job script running on the host (through its agent or ssh)
    QTimer m_retryTimer;
};

} // namespace cairn::remote

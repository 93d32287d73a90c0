#pragma once

#include "cairn/data/table.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace cairn::monitor {

/// One captured invocation: the request and the answer as they travelled, in SageMaker's data
/// capture shape. One JSON line per record:
/// {"captureData": {"endpointInput":  {"observedContentType", "mode": "INPUT",  "data", "encoding"},
///                  "endpointOutput": {"observedContentType", "mode": "OUTPUT", "data", "encoding"}},
///  "eventMetadata": {"eventId", "inferenceTime": "2026-12-07T11:00:00.123Z", "inferenceId"?},
///  "eventVersion": "0"}
/// `encoding` is "CSV", "JSON" or "BASE64" (anything else, e.g. images, is base64 encoded).
struct CaptureRecord
{
    QByteArray inputContentType;
    QByteArray inputData;
    QByteArray outputContentType;
    QByteArray outputData;
    QString eventId;          ///< unique per invocation (also answered as X-Cairn-Event-Id)
    QString inferenceId;      ///< the client's X-Amzn-SageMaker-Inference-Id, when it sent one
    qint64 inferenceTimeMs = 0; ///< ms since the epoch, UTC
    QString model;            ///< model or production variant that answered (capture subfolder)

    QByteArray toJsonLine() const; ///< without the trailing newline
    void appendJsonLine(QByteArray &out) const;
    /// Parses one line; throws cairn::Error saying what is wrong with it.
    static CaptureRecord fromJsonLine(QByteArrayView line);
};

/// Where an endpoint's capture files live:
/// <workspace>/monitoring/<endpoint>/capture/<model>/YYYY/MM/DD/HH/capture-<pid>.jsonl (UTC hour
/// of the inference time; one file per hour and process, so files rotate each hour).
QString monitoringRoot(const QString &workspacePath);                       ///< <ws>/monitoring
QString endpointMonitoringDir(const QString &workspacePath, const QString &endpoint); ///< <ws>/monitoring/<endpoint>
QString captureDir(const QString &workspacePath, const QString &endpoint);  ///< .../<endpoint>/capture

/// Writes captured records from a bounded queue on a background thread, so that capture never
/// slows or fails a request: offer() serialises the record into a buffer of the calling thread
/// (no shared lock, no allocation per record, nothing freed on another thread) or counts a drop
/// when the queue is full, and returns at once; a writer thread appends the buffers to the files
/// every 20 ms. stop() (and the destructor) write everything accepted.
class CaptureWriter
{
public:
    struct Options
    {
        QString directory;           ///< the endpoint's capture folder (captureDir())
        double samplingPercent = 100; ///< 0-100: share of invocations captured
        qsizetype queueCapacity = 20000; ///< records waiting to be written; more are dropped
    };

    explicit CaptureWriter(Options options);
    ~CaptureWriter();
    CaptureWriter(const CaptureWriter &) = delete;
    CaptureWriter &operator=(const CaptureWriter &) = delete;

    /// Whether this invocation is sampled (thread-safe, cheap; call before building a record).
    bool sample();
    /// A new event id (unique in this process and across processes, UUID-shaped).
    static QString newEventId();
    /// Queues a record; false (and dropped() grows) when the queue is full or stopped.
    bool offer(CaptureRecord record);
    /// Blocks until every record accepted so far is written and flushed to disk.
    void flush();
    /// Writes what is queued, closes the files and ends the thread. Idempotent.
    void stop();

    const Options &options() const { return m_options; }
    quint64 accepted() const { return m_accepted.load(); }
    quint64 written() const { return m_written.load(); }
    quint64 dropped() const { return m_dropped.load(); }
    quint64 writeErrors() const { return m_writeErrors.load(); }
    /// The last write error (empty when none), for logs.
    QString lastError() const;

private:
    struct Shard;
    struct Chunk;
    Shard &shardOfThisThread();
    void run();

    Options m_options;
    const quint64 m_id;                       ///< tells this writer's per-thread shards apart
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::vector<std::unique_ptr<Shard>> m_shards; ///< one per thread that offered records
    std::deque<Chunk> m_chunks;               ///< serialised lines waiting for the writer
    bool m_stopping = false;
    bool m_flushRequested = false;
    bool m_finished = false;
    QString m_lastError;
    std::atomic<qint64> m_pending{0};         ///< accepted, not yet written
    std::atomic<quint64> m_accepted{0};
    std::atomic<quint64> m_written{0};
    std::atomic<quint64> m_dropped{0};
    std::atomic<quint64> m_writeErrors{0};
    std::thread m_thread;
};

/// A capture line that could not be read: which file, which line (1-based) and why.
struct MalformedLine
{
    QString file;
    qint64 line = 0;
    QString reason;
};

/// The records of a time window read back from capture files.
struct CaptureWindow
{
    QList<CaptureRecord> records;   ///< sorted by inference time
    QList<MalformedLine> malformed; ///< skipped lines
    QStringList files;              ///< the files read
};

/// Reads every capture file under `captureDirectory` (any model subfolder; `model` non-empty
/// keeps that one) whose records fall in [from, to) (an invalid bound is open). Malformed lines
/// are skipped and listed with file and line. Throws cairn::Error only when the folder cannot
/// be read.
CaptureWindow readCapture(const QString &captureDirectory, const QDateTime &from = {}, const QDateTime &to = {},
                          const QString &model = {});

/// The rows of captured requests (endpointInput) as a table with `columns` (the baseline's or
/// the model's input columns, in the order a CSV without header gives them). CSV bodies with or
/// without a header row and JSON bodies (list of objects, {"instances"}, {"dataframe_split"},
/// {"dataframe_records"}, {"inputs"}, JSON Lines) are read; `types` fixes column types
/// (e.g. from the baseline). `eventIds` (optional) gets one id per row: the record's eventId,
/// or "eventId#k" for the k-th (0-based) row of a request that carried several rows.
/// Records that cannot be read are added to `malformed` (line = index of the record + 1).
data::Table capturedInputs(const CaptureWindow &window, const QStringList &columns,
                           const QHash<QString, data::ColumnType> &types = {}, QStringList *eventIds = nullptr,
                           QList<MalformedLine> *malformed = nullptr);
/// The model's answers (endpointOutput) as a table: "prediction" (or "cluster") and
/// probability_<class> columns, with ids like capturedInputs().
data::Table capturedOutputs(const CaptureWindow &window, QStringList *eventIds = nullptr,
                            QList<MalformedLine> *malformed = nullptr);

} // namespace cairn::monitor

#pragma once

#include "cairn/serving/endpointrecord.h"
#include "cairn/serving/httpserver.h"
#include "cairn/serving/modelreference.h"
#include "cairn/serving/servedmodel.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace cairn {
class PluginManager;
}
namespace cairn::monitor {
class CaptureWriter;
}

namespace cairn::serving {

/// Requests, errors and a latency histogram of one model or variant (lock-free counters).
struct EndpointMetrics
{
    static constexpr std::array<double, 14> kBuckets{0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
    std::atomic<quint64> requests{0};
    std::atomic<quint64> errors{0};
    std::atomic<quint64> rows{0};
    std::atomic<quint64> latencyMicros{0};
    std::array<std::atomic<quint64>, kBuckets.size() + 1> buckets{};

    void record(double seconds, bool error, qsizetype rowCount);
};

/// What one served model or production variant is: a reference and, for variants, a weight.
struct ModelSlotSpec
{
    QString ref;
    double weight = 1;   ///< variants only: relative share of /invocations traffic
};

/// A live endpoint: SageMaker's container contract over HttpServer, for one model, several
/// models (/models/NAME/invocations, each loaded once and shared by all worker threads), or
/// production variants (A/B traffic weights behind /invocations). Models can be swapped
/// while requests keep coming: reload() loads what the references point at now (a moved
/// alias, a new latest version, a rewritten folder) and switches over atomically; requests
/// already running finish on the model they started with.
///
/// Routes: GET /ping, GET /execution-parameters, POST /invocations,
/// POST /models/NAME/invocations, GET /models, GET /metrics (Prometheus text).
class Endpoint
{
public:
    struct Options
    {
        QString name = QStringLiteral("endpoint");
        QString host = QStringLiteral("127.0.0.1");
        quint16 port = 8080;
        int workers = 2;
        qint64 maxBodyBytes = 6 * 1024 * 1024;
        QByteArray token; ///< non-empty: requests other than /ping need "Authorization: Bearer TOKEN"
        /// Data capture (cairn/monitor/capture.h): > 0 writes this share (0-100) of answered
        /// invocations to `captureDirectory` off the request path; a full queue drops records.
        double capturePercent = 0;
        QString captureDirectory;
        qsizetype captureQueue = 20000;
    };
    /// Resolves a reference (see resolveModelReference); called on the thread that calls
    /// load() and reload().
    using Resolver = std::function<ResolvedReference(const QString &ref)>;

    Endpoint(Options options, QList<ModelSlotSpec> models, QList<ModelSlotSpec> variants, Resolver resolver,
             PluginManager &plugins);
    ~Endpoint();

    /// Binds the socket first (it accepts at once; /ping answers 503 until the models are
    /// loaded). Throws cairn::Error.
    void listen();
    /// Loads every model; /ping answers 200 afterwards. Throws cairn::Error.
    void load();
    /// Resolves every reference again and swaps in those that changed. Returns a line per
    /// swap ("churn: version 3 -> 4"); throws cairn::Error (the old models keep serving).
    QStringList reload();
    /// Stops accepting and answers what is in flight (see HttpServer::stop).
    void stop(int drainMs = 30000);

    quint16 port() const;
    const Options &options() const { return m_options; }
    /// {"name","host","port","models":[{"name","version","ref","modelDir","variant","weight"}]}
    QJsonObject describe() const;
    /// GET /metrics as text.
    QByteArray metricsText() const;
    /// The data capture writer (nullptr when capture is off).
    monitor::CaptureWriter *capture() const { return m_capture.get(); }
    /// What <workspace>/endpoints/<name>.json says about this endpoint (this process, the port
    /// bound, the models and versions served now, when it started): write() it after load()
    /// and after a reload() that changed something, remove() it after stop(). `cairn serve`
    /// does so; an in-process caller (the Models panel) does the same, and calls reload() on a
    /// timer to follow aliases.
    EndpointRecord record() const;

    /// Answers one request (what the server threads call; public for in-process callers).
    void handle(const HttpRequest &request, HttpResponse &response);

private:
    struct Slot
    {
        QString name;        ///< model name (route) or variant name
        ModelSlotSpec spec;
        ResolvedReference resolved;
        std::shared_ptr<const ServedModel> model;
        EndpointMetrics *metrics = nullptr;
    };
    struct Routing
    {
        std::vector<Slot> models;
        std::vector<Slot> variants;
        double totalWeight = 0;
    };

    std::shared_ptr<const Routing> routing() const;
    std::shared_ptr<const Routing> build(bool reuseUnchanged, QStringList *changes);
    void invoke(const Slot &slot, const HttpRequest &request, HttpResponse &response);
    EndpointMetrics *metricsFor(const QString &kind, const QString &name);

    Options m_options;
    QList<ModelSlotSpec> m_modelSpecs;
    QList<ModelSlotSpec> m_variantSpecs;
    Resolver m_resolver;
    PluginManager &m_plugins;
    std::unique_ptr<HttpServer> m_server;
    std::unique_ptr<monitor::CaptureWriter> m_capture;
    mutable std::mutex m_routingMutex;
    std::shared_ptr<const Routing> m_routing;
    std::atomic<bool> m_ready{false};
    mutable std::mutex m_metricsMutex;
    std::map<std::pair<QString, QString>, std::unique_ptr<EndpointMetrics>> m_metrics;
    std::atomic<quint64> m_notFound{0};
    std::atomic<quint64> m_unauthorized{0};
    std::atomic<quint64> m_pings{0};
    std::atomic<quint64> m_swaps{0};
    qint64 m_started = 0;
};

} // namespace cairn::serving

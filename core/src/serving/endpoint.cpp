#include "cairn/serving/endpoint.h"

#include "cairn/algorithms/pluginmanager.h"
#include "cairn/monitor/capture.h"
#include "cairn/util/error.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <chrono>
#include <random>

namespace cairn::serving {

void EndpointMetrics::record(double seconds, bool error, qsizetype rowCount)
{
    requests.fetch_add(1, std::memory_order_relaxed);
    if (error)
        errors.fetch_add(1, std::memory_order_relaxed);
    rows.fetch_add(quint64(rowCount), std::memory_order_relaxed);
    latencyMicros.fetch_add(quint64(seconds * 1e6), std::memory_order_relaxed);
    size_t b = 0;
    while (b < kBuckets.size() && seconds > kBuckets[b])
        ++b;
    buckets[b].fetch_add(1, std::memory_order_relaxed);
}

namespace {

std::optional<PayloadFormat> acceptedFormat(QByteArrayView accept, PayloadFormat fallback, bool *acceptable)
{
    *acceptable = true;
    if (accept.trimmed().isEmpty())
        return fallback;
    for (QByteArrayView part : QByteArray(accept.toByteArray()).split(',')) {
        QByteArrayView type = part;
        if (const qsizetype semi = type.indexOf(';'); semi >= 0)
            type = type.first(semi);
        type = type.trimmed();
        if (type == QByteArrayView("*/*") || type == QByteArrayView("application/*") || type == QByteArrayView("text/*"))
            return fallback;
        if (const auto f = payloadFormatOf(type))
            return f;
    }
    *acceptable = false;
    return std::nullopt;
}

double pick()
{
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0, 1)(rng);
}

QByteArray label(const QString &text)
{
    QByteArray out = text.toUtf8();
    out.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return out;
}

} // namespace

Endpoint::Endpoint(Options options, QList<ModelSlotSpec> models, QList<ModelSlotSpec> variants, Resolver resolver, PluginManager &plugins)
    : m_options(std::move(options)), m_modelSpecs(std::move(models)), m_variantSpecs(std::move(variants)), m_resolver(std::move(resolver)),
      m_plugins(plugins)
{
    if (m_modelSpecs.isEmpty() && m_variantSpecs.isEmpty())
        throw Error(QStringLiteral("an endpoint needs at least one model"));
    for (const ModelSlotSpec &v : std::as_const(m_variantSpecs))
        if (!(v.weight >= 0))
            throw Error(QStringLiteral("variant %1: the weight must be a number ≥ 0").arg(v.ref));
    HttpServer::Options o;
    o.host = m_options.host;
    o.port = m_options.port;
    o.threads = std::max(1, m_options.workers);
    o.maxBodyBytes = m_options.maxBodyBytes;
    m_server = std::make_unique<HttpServer>([this](const HttpRequest &rq, HttpResponse &rs) { handle(rq, rs); }, o);
}

Endpoint::~Endpoint()
{
    stop(0);
}

void Endpoint::listen()
{
    if (m_options.capturePercent > 0 && !m_capture) {
        monitor::CaptureWriter::Options o;
        o.directory = m_options.captureDirectory;
        o.samplingPercent = m_options.capturePercent;
        o.queueCapacity = m_options.captureQueue;
        m_capture = std::make_unique<monitor::CaptureWriter>(o);
    }
    m_server->start();
    m_started = QDateTime::currentMSecsSinceEpoch();
}

EndpointRecord Endpoint::record() const
{
    EndpointRecord r;
    r.name = m_options.name;
    r.pid = QCoreApplication::applicationPid();
    r.host = m_options.host;
    r.port = port();
    r.started = m_started;
    r.token = !m_options.token.isEmpty();
    for (const QJsonValue &v : describe().value(QStringLiteral("models")).toArray()) {
        QJsonObject o = v.toObject();
        o.remove(QStringLiteral("inputColumns"));
        r.models.append(o);
    }
    return r;
}

quint16 Endpoint::port() const
{
    return m_server->port();
}

void Endpoint::stop(int drainMs)
{
    m_server->stop(drainMs);
    // Every record accepted before the last answer went out is written before stop() returns.
    if (m_capture)
        m_capture->stop();
}

EndpointMetrics *Endpoint::metricsFor(const QString &kind, const QString &name)
{
    std::lock_guard lock(m_metricsMutex);
    auto &m = m_metrics[{kind, name}];
    if (!m)
        m = std::make_unique<EndpointMetrics>();
    return m.get();
}

std::shared_ptr<const Endpoint::Routing> Endpoint::routing() const
{
    std::lock_guard lock(m_routingMutex);
    return m_routing;
}

std::shared_ptr<const Endpoint::Routing> Endpoint::build(bool reuseUnchanged, QStringList *changes)
{
    const std::shared_ptr<const Routing> current = routing();
    auto next = std::make_shared<Routing>();
    auto fill = [&](const QList<ModelSlotSpec> &specs, std::vector<Slot> &slots, const std::vector<Slot> *old, const QString &kind) {
        QSet<QString> taken;
        for (qsizetype i = 0; i < specs.size(); ++i) {
            Slot s;
            s.spec = specs.at(i);
            s.resolved = m_resolver(s.spec.ref);
            s.name = s.resolved.label;
            if (kind == QLatin1String("variant") && s.resolved.label == s.resolved.name && s.resolved.version > 0)
                s.name = QStringLiteral("%1-v%2").arg(s.resolved.name).arg(s.resolved.version);
            for (int n = 2; taken.contains(s.name); ++n)
                s.name = QStringLiteral("%1-%2").arg(s.resolved.label).arg(n);
            taken.insert(s.name);
            const Slot *before = old && size_t(i) < old->size() ? &old->at(size_t(i)) : nullptr;
            if (reuseUnchanged && before && before->resolved.fingerprint == s.resolved.fingerprint) {
                s.model = before->model;
                s.name = before->name;
            } else {
                s.model = std::make_shared<const ServedModel>(m_plugins, s.resolved.modelDir);
                if (before && changes)
                    *changes << QStringLiteral("%1 %2: %3 -> %4")
                                    .arg(kind, before->name,
                                         before->resolved.version ? QStringLiteral("version %1").arg(before->resolved.version) : before->resolved.modelDir,
                                         s.resolved.version ? QStringLiteral("version %1").arg(s.resolved.version) : s.resolved.modelDir);
            }
            s.metrics = metricsFor(kind, s.name);
            slots.push_back(std::move(s));
        }
    };
    fill(m_modelSpecs, next->models, current ? &current->models : nullptr, QStringLiteral("model"));
    fill(m_variantSpecs, next->variants, current ? &current->variants : nullptr, QStringLiteral("variant"));
    for (const Slot &v : next->variants)
        next->totalWeight += v.spec.weight;
    if (!next->variants.empty() && !(next->totalWeight > 0))
        throw Error(QStringLiteral("the variants' weights add up to 0: no variant would get traffic"));
    return next;
}

void Endpoint::load()
{
    auto next = build(false, nullptr);
    {
        std::lock_guard lock(m_routingMutex);
        m_routing = std::move(next);
    }
    m_ready.store(true);
}

QStringList Endpoint::reload()
{
    QStringList changes;
    auto next = build(true, &changes);
    if (!changes.isEmpty()) {
        std::lock_guard lock(m_routingMutex);
        m_routing = std::move(next);
        m_swaps.fetch_add(quint64(changes.size()));
    }
    return changes;
}

QJsonObject Endpoint::describe() const
{
    QJsonArray models;
    if (const auto r = routing()) {
        auto add = [&](const Slot &s, bool variant) {
            QJsonObject o{{QStringLiteral("name"), s.resolved.name}, {QStringLiteral("version"), s.resolved.version},
                          {QStringLiteral("ref"), s.spec.ref}, {QStringLiteral("modelDir"), s.resolved.modelDir},
                          {QStringLiteral("inputColumns"), QJsonArray::fromStringList(s.model->inputColumns())},
                          {QStringLiteral("task"), s.model->card().task}};
            if (variant) {
                o.insert(QStringLiteral("variant"), s.name);
                o.insert(QStringLiteral("weight"), s.spec.weight / r->totalWeight);
            } else {
                o.insert(QStringLiteral("route"), QStringLiteral("/models/%1/invocations").arg(s.name));
            }
            models.append(o);
        };
        for (const Slot &s : r->models)
            add(s, false);
        for (const Slot &s : r->variants)
            add(s, true);
    }
    return QJsonObject{{QStringLiteral("name"), m_options.name}, {QStringLiteral("host"), m_options.host},
                       {QStringLiteral("port"), int(port())}, {QStringLiteral("models"), models}};
}

QByteArray Endpoint::metricsText() const
{
    QByteArray out;
    out += "# HELP cairn_invocations_total Invocations answered, by model or production variant.\n"
           "# TYPE cairn_invocations_total counter\n";
    std::vector<std::pair<std::pair<QString, QString>, const EndpointMetrics *>> all;
    {
        std::lock_guard lock(m_metricsMutex);
        for (const auto &[key, m] : m_metrics)
            all.emplace_back(key, m.get());
    }
    auto labels = [](const std::pair<QString, QString> &key) { return QByteArray(key.first.toUtf8() + "=\"" + label(key.second) + "\""); };
    for (const auto &[key, m] : all)
        out += "cairn_invocations_total{" + labels(key) + "} " + QByteArray::number(m->requests.load()) + "\n";
    out += "# HELP cairn_invocation_errors_total Invocations answered with an error (4xx, 5xx).\n"
           "# TYPE cairn_invocation_errors_total counter\n";
    for (const auto &[key, m] : all)
        out += "cairn_invocation_errors_total{" + labels(key) + "} " + QByteArray::number(m->errors.load()) + "\n";
    out += "# HELP cairn_rows_predicted_total Rows predicted.\n# TYPE cairn_rows_predicted_total counter\n";
    for (const auto &[key, m] : all)
        out += "cairn_rows_predicted_total{" + labels(key) + "} " + QByteArray::number(m->rows.load()) + "\n";
    out += "# HELP cairn_invocation_duration_seconds Time from a complete request to its answer.\n"
           "# TYPE cairn_invocation_duration_seconds histogram\n";
    for (const auto &[key, m] : all) {
        quint64 cumulative = 0;
        for (size_t b = 0; b <= EndpointMetrics::kBuckets.size(); ++b) {
            cumulative += m->buckets[b].load();
            const QByteArray le = b < EndpointMetrics::kBuckets.size() ? QByteArray::number(EndpointMetrics::kBuckets[b]) : QByteArrayLiteral("+Inf");
            out += "cairn_invocation_duration_seconds_bucket{" + labels(key) + ",le=\"" + le + "\"} " + QByteArray::number(cumulative) + "\n";
        }
        out += "cairn_invocation_duration_seconds_sum{" + labels(key) + "} " + QByteArray::number(double(m->latencyMicros.load()) / 1e6, 'g', 12) + "\n";
        out += "cairn_invocation_duration_seconds_count{" + labels(key) + "} " + QByteArray::number(cumulative) + "\n";
    }
    out += "# HELP cairn_http_not_found_total Requests for unknown routes.\n# TYPE cairn_http_not_found_total counter\n"
           "cairn_http_not_found_total " + QByteArray::number(m_notFound.load()) + "\n";
    out += "# HELP cairn_http_unauthorized_total Requests without the endpoint's token.\n# TYPE cairn_http_unauthorized_total counter\n"
           "cairn_http_unauthorized_total " + QByteArray::number(m_unauthorized.load()) + "\n";
    out += "# HELP cairn_pings_total Health checks.\n# TYPE cairn_pings_total counter\ncairn_pings_total " + QByteArray::number(m_pings.load()) + "\n";
    out += "# HELP cairn_model_swaps_total Models swapped in while serving.\n# TYPE cairn_model_swaps_total counter\n"
           "cairn_model_swaps_total " + QByteArray::number(m_swaps.load()) + "\n";
    if (m_capture) {
        out += "# HELP cairn_capture_records_total Invocations captured (accepted into the capture queue).\n"
               "# TYPE cairn_capture_records_total counter\ncairn_capture_records_total " + QByteArray::number(m_capture->accepted()) + "\n";
        out += "# HELP cairn_capture_dropped_total Captured invocations dropped because the capture queue was full.\n"
               "# TYPE cairn_capture_dropped_total counter\ncairn_capture_dropped_total " + QByteArray::number(m_capture->dropped()) + "\n";
        out += "# HELP cairn_capture_write_errors_total Captured records that could not be written.\n"
               "# TYPE cairn_capture_write_errors_total counter\ncairn_capture_write_errors_total " + QByteArray::number(m_capture->writeErrors()) + "\n";
    }
    out += "# HELP cairn_requests_in_flight Requests being answered.\n# TYPE cairn_requests_in_flight gauge\ncairn_requests_in_flight "
           + QByteArray::number(m_server->inFlight()) + "\n";
    return out;
}

void Endpoint::invoke(const Slot &slot, const HttpRequest &request, HttpResponse &response)
{
    const auto start = std::chrono::steady_clock::now();
    qsizetype rows = 0;
    [&] {
        const QByteArray contentType = request.header("content-type");
        // Images (the CNN): one image per request, answered as JSON unless Accept asks for CSV.
        static const QHash<QByteArray, QString> imageTypes{{"image/png", QStringLiteral("png")},
                                                           {"image/jpeg", QStringLiteral("jpg")},
                                                           {"image/jpg", QStringLiteral("jpg")},
                                                           {"image/bmp", QStringLiteral("bmp")}};
        const QByteArray bareType = contentType.split(';').first().trimmed().toLower();
        if (imageTypes.contains(bareType)) {
            bool acceptable = true;
            const std::optional<PayloadFormat> out = acceptedFormat(request.header("accept"), PayloadFormat::Json, &acceptable);
            if (!acceptable) {
                response.setJsonError(406, QStringLiteral("Accept '%1' is not offered: text/csv, application/json or application/jsonlines")
                                               .arg(QString::fromUtf8(request.header("accept"))));
                return;
            }
            try {
                const Predictions p = slot.model->predictImages({request.body}, imageTypes.value(bareType));
                rows = p.rows();
                response.status = 200;
                response.contentType = contentTypeOf(*out);
                response.body = ServedModel::format(p, *out);
            } catch (const PayloadError &e) {
                response.status = slot.model->takesImages() ? 400 : 415;
                response.contentType = QByteArrayLiteral("application/json");
                response.body = e.toJson();
            }
            return;
        }
        std::optional<PayloadFormat> in = payloadFormatOf(contentType);
        if (!in) {
            const QByteArrayView type = QByteArrayView(contentType).trimmed();
            if (!type.isEmpty() && !type.startsWith(QByteArrayView("application/x-www-form-urlencoded"))) {
                response.setJsonError(415, QStringLiteral("Content-Type '%1' is not served: send text/csv, application/json, application/jsonlines "
                                                          "or, to an image model, image/png or image/jpeg")
                                               .arg(QString::fromUtf8(contentType)));
                return;
            }
            // No type (or curl's default): JSON when it looks like JSON, else CSV.
            const QByteArrayView body = QByteArrayView(request.body).trimmed();
            in = body.startsWith('{') || body.startsWith('[') ? PayloadFormat::Json : PayloadFormat::Csv;
        }
        bool acceptable = true;
        const std::optional<PayloadFormat> out = acceptedFormat(request.header("accept"), *in, &acceptable);
        if (!acceptable) {
            response.setJsonError(406, QStringLiteral("Accept '%1' is not offered: text/csv, application/json or application/jsonlines")
                                           .arg(QString::fromUtf8(request.header("accept"))));
            return;
        }
        try {
            const data::Table table = slot.model->read(request.body, *in);
            rows = table.rowCount();
            const Predictions p = slot.model->predict(table);
            response.status = 200;
            response.contentType = contentTypeOf(*out);
            response.body = ServedModel::format(p, *out);
        } catch (const PayloadError &e) {
            response.status = 400;
            response.contentType = QByteArrayLiteral("application/json");
            response.body = e.toJson();
        } catch (const Error &e) {
            response.setJsonError(400, e.message());
        }
    }();
    if (m_capture && response.status < 400 && m_capture->sample()) {
        monitor::CaptureRecord r;
        r.inputContentType = request.header("content-type");
        r.inputData = request.body;
        r.outputContentType = response.contentType;
        r.outputData = response.body;
        r.eventId = monitor::CaptureWriter::newEventId();
        r.inferenceId = QString::fromUtf8(request.header("x-amzn-sagemaker-inference-id"));
        r.inferenceTimeMs = QDateTime::currentMSecsSinceEpoch();
        r.model = slot.name;
        QByteArray id = r.eventId.toLatin1();
        // The id is answered only for a record the writer accepted (ground truth joins on it).
        if (m_capture->offer(std::move(r)))
            response.headers.emplace_back(QByteArrayLiteral("X-Cairn-Event-Id"), std::move(id));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    slot.metrics->record(seconds, response.status >= 400, response.status < 400 ? rows : 0);
    const QByteArray version = slot.resolved.version ? QByteArray::number(slot.resolved.version) : QByteArray();
    response.headers.emplace_back(QByteArrayLiteral("X-Cairn-Model"), slot.resolved.name.toUtf8() + (version.isEmpty() ? QByteArray() : ":" + version));
}

void Endpoint::handle(const HttpRequest &request, HttpResponse &response)
{
    const QByteArray &path = request.path;
    const bool get = request.method == "GET" || request.method == "HEAD";
    auto methodNotAllowed = [&](const char *allowed) {
        response.setJsonError(405, QStringLiteral("%1 %2 is not served: use %3").arg(QString::fromLatin1(request.method), QString::fromUtf8(path), QLatin1String(allowed)));
        response.headers.emplace_back(QByteArrayLiteral("Allow"), QByteArray(allowed));
    };
    if (path == "/ping") {
        m_pings.fetch_add(1, std::memory_order_relaxed);
        if (!get)
            return methodNotAllowed("GET");
        response.status = m_ready.load() ? 200 : 503;
        return;
    }
    if (!m_options.token.isEmpty()) {
        const QByteArray auth = request.header("authorization");
        const bool bearer = auth.size() > 7 && auth.first(7).compare("Bearer ", Qt::CaseInsensitive) == 0;
        if (!bearer || !constantTimeEquals(auth.mid(7).trimmed(), m_options.token)) {
            m_unauthorized.fetch_add(1, std::memory_order_relaxed);
            response.setJsonError(401, QStringLiteral("this endpoint needs \"Authorization: Bearer TOKEN\""));
            response.headers.emplace_back(QByteArrayLiteral("WWW-Authenticate"), QByteArrayLiteral("Bearer realm=\"cairn\""));
            return;
        }
    }
    const std::shared_ptr<const Routing> r = routing();
    if (path == "/invocations" || (path.startsWith("/models/") && path.endsWith("/invocations"))) {
        if (request.method != "POST")
            return methodNotAllowed("POST");
        if (!r || !m_ready.load()) {
            response.setJsonError(503, QStringLiteral("the models are still loading"));
            return;
        }
        if (path == "/invocations") {
            if (r->variants.empty())
                return invoke(r->models.front(), request, response);
            const QByteArray target = request.header("x-amzn-sagemaker-target-variant");
            const Slot *chosen = nullptr;
            if (!target.isEmpty()) {
                for (const Slot &v : r->variants)
                    if (v.name.toUtf8() == target)
                        chosen = &v;
                if (!chosen) {
                    QStringList names;
                    for (const Slot &v : r->variants)
                        names << v.name;
                    response.setJsonError(400, QStringLiteral("no production variant '%1' (variants: %2)").arg(QString::fromUtf8(target), names.join(QStringLiteral(", "))));
                    return;
                }
            } else {
                double x = pick() * r->totalWeight;
                for (const Slot &v : r->variants) {
                    chosen = &v;
                    if (x < v.spec.weight)
                        break;
                    x -= v.spec.weight;
                }
            }
            response.headers.emplace_back(QByteArrayLiteral("X-Amzn-Invoked-Production-Variant"), chosen->name.toUtf8());
            return invoke(*chosen, request, response);
        }
        const QString name = QString::fromUtf8(path.mid(8, path.size() - 8 - 12));
        QStringList names;
        for (const auto *slots : {&r->models, &r->variants})
            for (const Slot &s : *slots) {
                if (s.name == name)
                    return invoke(s, request, response);
                names << s.name;
            }
        m_notFound.fetch_add(1, std::memory_order_relaxed);
        response.setJsonError(404, QStringLiteral("no model '%1' on this endpoint (it serves: %2)").arg(name, names.join(QStringLiteral(", "))));
        return;
    }
    if (path == "/execution-parameters") {
        if (!get)
            return methodNotAllowed("GET");
        response.contentType = QByteArrayLiteral("application/json");
        response.body = QJsonDocument(QJsonObject{{QStringLiteral("MaxConcurrentTransforms"), std::max(1, m_options.workers)},
                                                  {QStringLiteral("BatchStrategy"), QStringLiteral("MULTI_RECORD")},
                                                  {QStringLiteral("MaxPayloadInMB"), int(m_options.maxBodyBytes / (1024 * 1024))}})
                            .toJson(QJsonDocument::Compact);
        return;
    }
    if (path == "/metrics") {
        if (!get)
            return methodNotAllowed("GET");
        response.contentType = QByteArrayLiteral("text/plain; version=0.0.4");
        response.body = metricsText();
        return;
    }
    if (path == "/models") {
        if (!get)
            return methodNotAllowed("GET");
        response.contentType = QByteArrayLiteral("application/json");
        response.body = QJsonDocument(describe()).toJson(QJsonDocument::Compact);
        return;
    }
    m_notFound.fetch_add(1, std::memory_order_relaxed);
    response.setJsonError(404, QStringLiteral("no route %1 %2 (routes: GET /ping, GET /execution-parameters, POST /invocations, "
                                              "POST /models/NAME/invocations, GET /models, GET /metrics)")
                                   .arg(QString::fromLatin1(request.method), QString::fromUtf8(path)));
}

} // namespace cairn::serving

// Endpoint data capture: SageMaker-shaped JSON Lines written off the request path.
#include "cairn/monitor/capture.h"

#include "cairn/data/csvreader.h"
#include "cairn/data/csvwriter.h"
#include "cairn/util/error.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QTimeZone>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <cstdio>
#include <map>
#include <random>
#include <sys/resource.h>
#include <unistd.h>

namespace cairn::monitor {

namespace {

QString key(const char *s)
{
    return QString::fromLatin1(s);
}

const char *encodingOf(const QByteArray &contentType, const QByteArray &data)
{
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArrayView t = QByteArrayView(contentType).first(semicolon < 0 ? contentType.size() : semicolon).trimmed();
    const bool json = t.compare("application/json", Qt::CaseInsensitive) == 0 || t.compare("application/jsonlines", Qt::CaseInsensitive) == 0
                      || t.compare("application/x-ndjson", Qt::CaseInsensitive) == 0 || t.compare("application/json-lines", Qt::CaseInsensitive) == 0;
    const bool text = json || t.isEmpty() || t.startsWith("text/") || t.startsWith("TEXT/");
    if (!text || !QByteArrayView(data).isValidUtf8())
        return "BASE64";
    return json ? "JSON" : "CSV";
}

/// Appends `s` as the inside of a JSON string (UTF-8 passes through, controls are escaped).
void appendEscaped(QByteArray &out, QByteArrayView s)
{
    static const char hex[] = "0123456789abcdef";
    qsizetype run = 0;
    for (qsizetype i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': out.append("\\\"", 2); break;
        case '\\': out.append("\\\\", 2); break;
        case '\n': out.append("\\n", 2); break;
        case '\r': out.append("\\r", 2); break;
        case '\t': out.append("\\t", 2); break;
        default: {
            const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out.append(u, 6);
        }
        }
    }
    out.append(s.data() + run, s.size() - run);
}

void appendPart(QByteArray &out, const QByteArray &contentType, const QByteArray &data, const char *mode)
{
    const char *encoding = encodingOf(contentType, data);
    out += "{\"observedContentType\":\"";
    appendEscaped(out, contentType);
    out += "\",\"mode\":\"";
    out += mode;
    out += "\",\"data\":\"";
    if (encoding[0] == 'B')
        out += data.toBase64();
    else
        appendEscaped(out, data);
    out += "\",\"encoding\":\"";
    out += encoding;
    out += "\"}";
}

/// "2026-12-07T10:59:59.123Z"; the part up to the seconds is kept from the last call.
void appendIsoTime(QByteArray &out, qint64 ms)
{
    thread_local qint64 lastSecond = std::numeric_limits<qint64>::min();
    thread_local QByteArray secondText;
    const qint64 second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    if (second != lastSecond) {
        lastSecond = second;
        secondText = QDateTime::fromSecsSinceEpoch(second, QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")).toLatin1();
    }
    const int milli = int(ms - second * 1000);
    const char frac[6] = {'.', char('0' + milli / 100), char('0' + milli / 10 % 10), char('0' + milli % 10), 'Z', 0};
    out += secondText;
    out.append(frac, 5);
}

QByteArray partData(const QJsonObject &part, const char *what)
{
    const QJsonValue data = part.value(key("data"));
    if (!data.isString())
        throw Error(QStringLiteral("%1 has no \"data\" string").arg(QLatin1String(what)));
    const QString encoding = part.value(key("encoding")).toString().toUpper();
    if (encoding == QLatin1String("BASE64")) {
        auto decoded = QByteArray::fromBase64Encoding(data.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            throw Error(QStringLiteral("%1 data is not valid base64").arg(QLatin1String(what)));
        return *decoded;
    }
    return data.toString().toUtf8();
}

QString safeName(const QString &name)
{
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9_.-]+"));
    QString s = name;
    s.replace(unsafe, QStringLiteral("-"));
    if (s.isEmpty() || s == QLatin1String(".") || s == QLatin1String(".."))
        s = QStringLiteral("model");
    return s;
}

} // namespace

void CaptureRecord::appendJsonLine(QByteArray &out) const
{
    // Written by hand: the writer thread serialises every captured request, and QJsonDocument
    // costs several times more per record.
    out += "{\"captureData\":{\"endpointInput\":";
    appendPart(out, inputContentType, inputData, "INPUT");
    out += ",\"endpointOutput\":";
    appendPart(out, outputContentType, outputData, "OUTPUT");
    out += "},\"eventMetadata\":{\"eventId\":\"";
    appendEscaped(out, eventId.toUtf8());
    out += "\",\"inferenceTime\":\"";
    appendIsoTime(out, inferenceTimeMs);
    if (!inferenceId.isEmpty()) {
        out += "\",\"inferenceId\":\"";
        appendEscaped(out, inferenceId.toUtf8());
    }
    out += "\"},\"eventVersion\":\"0\"}";
}

QByteArray CaptureRecord::toJsonLine() const
{
    QByteArray out;
    appendJsonLine(out);
    return out;
}

CaptureRecord CaptureRecord::fromJsonLine(QByteArrayView line)
{
    QJsonParseError e;
    const QJsonDocument doc = QJsonDocument::fromJson(line.toByteArray(), &e);
    if (e.error != QJsonParseError::NoError)
        throw Error(QStringLiteral("not valid JSON at offset %1: %2").arg(e.offset).arg(e.errorString()));
    if (!doc.isObject())
        throw Error(QStringLiteral("not a JSON object"));
    const QJsonObject o = doc.object();
    const QJsonObject data = o.value(key("captureData")).toObject();
    if (data.isEmpty())
        throw Error(QStringLiteral("no \"captureData\" object"));
    const QJsonObject in = data.value(key("endpointInput")).toObject();
    const QJsonObject out = data.value(key("endpointOutput")).toObject();
    if (in.isEmpty())
        throw Error(QStringLiteral("no \"captureData.endpointInput\""));
    CaptureRecord r;
    r.inputContentType = in.value(key("observedContentType")).toString().toUtf8();
    r.inputData = partData(in, "endpointInput");
    if (!out.isEmpty()) {
        r.outputContentType = out.value(key("observedContentType")).toString().toUtf8();
        r.outputData = partData(out, "endpointOutput");
    }
    const QJsonObject meta = o.value(key("eventMetadata")).toObject();
    r.eventId = meta.value(key("eventId")).toString();
    r.inferenceId = meta.value(key("inferenceId")).toString();
    if (r.eventId.isEmpty())
        throw Error(QStringLiteral("no \"eventMetadata.eventId\""));
    const QString time = meta.value(key("inferenceTime")).toString();
    QDateTime t = QDateTime::fromString(time, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(time, Qt::ISODate);
    if (!t.isValid())
        throw Error(QStringLiteral("\"eventMetadata.inferenceTime\" '%1' is not an ISO 8601 time").arg(time));
    r.inferenceTimeMs = t.toMSecsSinceEpoch();
    return r;
}

QString monitoringRoot(const QString &workspacePath)
{
    return QDir(workspacePath).filePath(QStringLiteral("monitoring"));
}

QString endpointMonitoringDir(const QString &workspacePath, const QString &endpoint)
{
    return QDir(monitoringRoot(workspacePath)).filePath(endpoint);
}

QString captureDir(const QString &workspacePath, const QString &endpoint)
{
    return QDir(endpointMonitoringDir(workspacePath, endpoint)).filePath(QStringLiteral("capture"));
}

struct CaptureWriter::Shard
{
    std::mutex mutex;        ///< taken by its own thread, and by the writer every 20 ms
    QByteArray buffer;       ///< JSON lines of `model` in `hour`
    QString model;
    qint64 hour = 0;
    qint64 count = 0;
    bool closed = false;     ///< stop() has taken its last lines
};

struct CaptureWriter::Chunk
{
    QString model;
    qint64 hour = 0;         ///< hours since the epoch, UTC
    QByteArray lines;
    qint64 count = 0;
};

namespace {

std::atomic<quint64> g_writerIds{0};

qint64 hourOfMs(qint64 ms)
{
    return ms >= 0 ? ms / 3600000 : (ms - 3599999) / 3600000;
}

} // namespace

CaptureWriter::CaptureWriter(Options options)
    : m_options(std::move(options)), m_id(++g_writerIds)
{
    m_options.samplingPercent = std::clamp(m_options.samplingPercent, 0.0, 100.0);
    m_options.queueCapacity = std::max<qsizetype>(1, m_options.queueCapacity);
    m_thread = std::thread([this] { run(); });
}

CaptureWriter::~CaptureWriter()
{
    stop();
}

bool CaptureWriter::sample()
{
    if (m_options.samplingPercent >= 100)
        return true;
    if (m_options.samplingPercent <= 0)
        return false;
    thread_local std::minstd_rand rng(std::random_device{}());
    return std::uniform_real_distribution<double>(0, 100)(rng) < m_options.samplingPercent;
}

QString CaptureWriter::newEventId()
{
    // A random per-process prefix and a counter: unique without a random draw per request.
    static const quint64 prefix = QRandomGenerator::system()->generate64();
    static std::atomic<quint64> counter{0};
    const quint64 n = counter.fetch_add(1, std::memory_order_relaxed);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012llx", unsigned(prefix >> 32), unsigned((prefix >> 16) & 0xffff),
                  unsigned(prefix & 0xfff), unsigned((n >> 48) & 0xfff), static_cast<unsigned long long>(n & 0xffffffffffffULL));
    return QString::fromLatin1(buf);
}

CaptureWriter::Shard &CaptureWriter::shardOfThisThread()
{
    // Writer ids are never reused, so an entry of a destroyed writer is never matched again.
    thread_local std::vector<std::pair<quint64, Shard *>> mine;
    for (const auto &[id, shard] : mine)
        if (id == m_id)
            return *shard;
    auto shard = std::make_unique<Shard>();
    Shard *raw = shard.get();
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        // After stop() began the writer may have taken its last look at the shards.
        shard->closed = m_stopping;
        m_shards.push_back(std::move(shard));
    }
    if (mine.size() >= 8)
        mine.erase(mine.begin());
    mine.emplace_back(m_id, raw);
    return *raw;
}

bool CaptureWriter::offer(CaptureRecord record)
{
    if (m_pending.fetch_add(1, std::memory_order_relaxed) >= m_options.queueCapacity) {
        m_pending.fetch_sub(1, std::memory_order_relaxed);
        m_dropped.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    Shard &s = shardOfThisThread();
    std::unique_lock<std::mutex> lock(s.mutex);
    if (s.closed) {
        lock.unlock();
        m_pending.fetch_sub(1, std::memory_order_relaxed);
        m_dropped.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    const qint64 hour = hourOfMs(record.inferenceTimeMs);
    if (s.count > 0 && (hour != s.hour || record.model != s.model)) {
        // Another file: hand over what the buffer holds first.
        Chunk c{s.model, s.hour, std::move(s.buffer), s.count};
        s.buffer = QByteArray();
        s.count = 0;
        std::lock_guard<std::mutex> global(m_mutex);
        m_chunks.push_back(std::move(c));
    }
    if (s.buffer.capacity() == 0)
        s.buffer.reserve(64 * 1024);
    s.model = record.model;
    s.hour = hour;
    record.appendJsonLine(s.buffer);
    s.buffer += '\n';
    ++s.count;
    m_accepted.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void CaptureWriter::flush()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        if (m_pending.load() <= 0 || m_finished)
            return;
        m_flushRequested = true;
        m_wake.notify_all();
        m_idle.wait_for(lock, std::chrono::milliseconds(50));
    }
}

void CaptureWriter::stop()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    m_idle.notify_all();
}

QString CaptureWriter::lastError() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_lastError;
}

void CaptureWriter::run()
{
    // Below the threads that answer requests: when every core is busy, serving wins and the
    // queue absorbs the difference (a full queue drops and counts, it never blocks a request).
    ::setpriority(PRIO_PROCESS, id_t(::gettid()), 10);
    struct OpenFile
    {
        QString path;
        std::FILE *file = nullptr;
    };
    std::map<QString, OpenFile> files; // model → the file of its current hour
    const qint64 pid = qint64(::getpid());
    std::vector<Shard *> shards;
    std::deque<Chunk> chunks;
    for (bool last = false; !last;) {
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait_for(lock, std::chrono::milliseconds(20), [this] { return m_stopping || m_flushRequested; });
            m_flushRequested = false;
            last = m_stopping;
            shards.clear();
            for (const auto &s : m_shards)
                shards.push_back(s.get());
        }
        // The lines each thread holds (on the last pass its buffer closes for good), then the
        // chunks handed over before them.
        std::deque<Chunk> taken;
        for (Shard *s : shards) {
            std::lock_guard<std::mutex> lock(s->mutex);
            if (s->count > 0) {
                taken.push_back(Chunk{s->model, s->hour, std::move(s->buffer), s->count});
                s->buffer = QByteArray();
                s->count = 0;
            }
            if (last)
                s->closed = true;
        }
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            chunks.swap(m_chunks);
        }
        for (Chunk &c : taken)
            chunks.push_back(std::move(c));
        for (const Chunk &c : chunks) {
            const QString model = safeName(c.model);
            const QString path = QStringLiteral("%1/%2/%3/capture-%4.jsonl")
                                     .arg(m_options.directory, model,
                                          QDateTime::fromMSecsSinceEpoch(c.hour * 3600000, QTimeZone::utc()).toString(QStringLiteral("yyyy/MM/dd/HH")))
                                     .arg(pid);
            OpenFile &f = files[model];
            if (f.path != path) {
                if (f.file)
                    std::fclose(f.file);
                QDir().mkpath(QFileInfo(path).absolutePath());
                f.path = path;
                f.file = std::fopen(QFile::encodeName(path).constData(), "ab");
                if (!f.file) {
                    std::lock_guard<std::mutex> lock(m_mutex);
                    m_lastError = QStringLiteral("cannot write %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
                }
            }
            if (!f.file || std::fwrite(c.lines.constData(), 1, size_t(c.lines.size()), f.file) != size_t(c.lines.size())) {
                m_writeErrors.fetch_add(quint64(c.count), std::memory_order_relaxed);
                f.path.clear(); // open again next time
            } else {
                m_written.fetch_add(quint64(c.count), std::memory_order_relaxed);
            }
            m_pending.fetch_sub(c.count, std::memory_order_relaxed);
        }
        chunks.clear();
        for (auto &[model, f] : files)
            if (f.file && std::fflush(f.file) != 0) {
                std::lock_guard<std::mutex> lock(m_mutex);
                m_lastError = QStringLiteral("cannot write %1: %2").arg(f.path, QString::fromLocal8Bit(std::strerror(errno)));
            }
        m_idle.notify_all();
    }
    for (auto &[model, f] : files)
        if (f.file)
            std::fclose(f.file);
    std::lock_guard<std::mutex> lock(m_mutex);
    m_finished = true;
    m_idle.notify_all();
}

namespace {

/// The hour a capture file holds, from its .../YYYY/MM/DD/HH/ folders (invalid when not there).
QDateTime hourOf(const QString &path)
{
    static const QRegularExpression re(QStringLiteral("/(\\d{4})/(\\d{2})/(\\d{2})/(\\d{2})/[^/]+$"));
    const QRegularExpressionMatch m = re.match(path);
    if (!m.hasMatch())
        return {};
    return QDateTime(QDate(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt()), QTime(m.captured(4).toInt(), 0), QTimeZone::utc());
}

} // namespace

CaptureWindow readCapture(const QString &directory, const QDateTime &from, const QDateTime &to, const QString &model)
{
    CaptureWindow w;
    if (!QFileInfo(directory).isDir())
        return w;
    const qint64 fromMs = from.isValid() ? from.toMSecsSinceEpoch() : std::numeric_limits<qint64>::min();
    const qint64 toMs = to.isValid() ? to.toMSecsSinceEpoch() : std::numeric_limits<qint64>::max();
    QStringList paths;
    QDirIterator it(directory, {QStringLiteral("*.jsonl")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (!model.isEmpty() && !QDir(directory).relativeFilePath(path).startsWith(safeName(model) + QLatin1Char('/')))
            continue;
        const QDateTime hour = hourOf(path);
        // Skip files whose hour cannot hold a record of the window (a minute of slack for clocks).
        if (hour.isValid() && (hour.toMSecsSinceEpoch() + 3660000 <= fromMs || hour.toMSecsSinceEpoch() - 60000 >= toMs))
            continue;
        paths << path;
    }
    paths.sort();
    for (const QString &path : paths) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            w.malformed << MalformedLine{path, 0, QStringLiteral("cannot read: %1").arg(f.errorString())};
            continue;
        }
        w.files << path;
        qint64 lineNo = 0;
        while (!f.atEnd()) {
            QByteArray line = f.readLine();
            ++lineNo;
            if (line.endsWith('\n'))
                line.chop(1);
            if (line.trimmed().isEmpty())
                continue;
            try {
                CaptureRecord r = CaptureRecord::fromJsonLine(line);
                if (r.inferenceTimeMs < fromMs || r.inferenceTimeMs >= toMs)
                    continue;
                if (r.model.isEmpty())
                    r.model = QDir(directory).relativeFilePath(path).section(QLatin1Char('/'), 0, 0);
                w.records << std::move(r);
            } catch (const Error &e) {
                w.malformed << MalformedLine{path, lineNo, e.message()};
            }
        }
    }
    std::stable_sort(w.records.begin(), w.records.end(), [](const CaptureRecord &a, const CaptureRecord &b) { return a.inferenceTimeMs < b.inferenceTimeMs; });
    return w;
}

namespace {

/// Rows gathered from request or answer bodies, by column name.
class RowCollector
{
public:
    explicit RowCollector(const QStringList &columns)
        : m_columns(columns)
    {
        for (qsizetype i = 0; i < columns.size(); ++i)
            m_index.insert(columns.at(i), i);
    }

    qsizetype indexOf(const QString &name, bool add)
    {
        const auto it = m_index.constFind(name);
        if (it != m_index.cend())
            return *it;
        if (!add)
            return -1;
        m_index.insert(name, m_columns.size());
        m_columns << name;
        return m_columns.size() - 1;
    }
    qsizetype fixedCount() const { return m_fixed; }
    void fix() { m_fixed = m_columns.size(); }

    void add(QStringList row, const QString &id) { m_rows.push_back(std::move(row)); m_ids << id; }
    const QStringList &columns() const { return m_columns; }

    data::Table table(const QHash<QString, data::ColumnType> &types) const
    {
        QByteArray csv = data::csvLine(m_columns);
        for (QStringList row : m_rows) {
            while (row.size() < m_columns.size())
                row << QString();
            csv += data::csvLine(row);
        }
        data::CsvOptions o;
        o.types = types;
        o.delimiter = ',';
        if (m_columns.isEmpty())
            return {};
        return data::CsvReader::parse(csv, QStringLiteral("captured data"), o);
    }
    QStringList ids() const { return m_ids; }

private:
    QStringList m_columns;
    QHash<QString, qsizetype> m_index;
    qsizetype m_fixed = 0;
    std::vector<QStringList> m_rows;
    QStringList m_ids;
};

/// Splits CSV text into rows of fields (RFC 4180 quotes, CRLF or LF).
std::vector<QStringList> splitCsv(const QString &text)
{
    std::vector<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false, any = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar ch = text.at(i);
        if (quoted) {
            if (ch == QLatin1Char('"')) {
                if (i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                    field += ch;
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += ch;
            }
            continue;
        }
        if (ch == QLatin1Char('"')) {
            quoted = true;
            any = true;
        } else if (ch == QLatin1Char(',')) {
            row << field;
            field.clear();
            any = true;
        } else if (ch == QLatin1Char('\n') || ch == QLatin1Char('\r')) {
            if (ch == QLatin1Char('\r') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('\n'))
                ++i;
            if (any || !field.isEmpty()) {
                row << field;
                rows.push_back(row);
            }
            row.clear();
            field.clear();
            any = false;
        } else {
            field += ch;
            any = true;
        }
    }
    if (quoted)
        throw Error(QStringLiteral("a quoted CSV field does not end"));
    if (any || !field.isEmpty()) {
        row << field;
        rows.push_back(row);
    }
    return rows;
}

QString jsonText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::String: return v.toString();
    case QJsonValue::Double: return QString::number(v.toDouble(), 'g', 17);
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Null:
    case QJsonValue::Undefined: return {};
    default: return QString::fromUtf8(QJsonDocument(v.isArray() ? QJsonDocument(v.toArray()) : QJsonDocument(v.toObject())).toJson(QJsonDocument::Compact));
    }
}

/// Adds one record's rows. `positional` rows (CSV without header, JSON arrays) must have as
/// many fields as the fixed columns. Throws cairn::Error for what cannot be read.
void collect(RowCollector &rows, const CaptureRecord &r, const QByteArray &contentType, const QByteArray &body, bool csvHeaderAlways)
{
    std::vector<QStringList> parsed;
    auto addObject = [&](const QJsonObject &o) {
        QStringList row(rows.columns().size());
        for (auto it = o.begin(); it != o.end(); ++it) {
            const qsizetype i = rows.indexOf(it.key(), true);
            while (row.size() <= i)
                row << QString();
            row[i] = jsonText(it.value());
        }
        parsed.push_back(row);
    };
    auto addArray = [&](const QJsonArray &a, const QStringList &names) {
        if (!names.isEmpty()) {
            if (a.size() != names.size())
                throw Error(QStringLiteral("a row has %1 values for %2 columns").arg(a.size()).arg(names.size()));
            QStringList row(rows.columns().size());
            for (qsizetype k = 0; k < names.size(); ++k) {
                const qsizetype i = rows.indexOf(names.at(k), true);
                while (row.size() <= i)
                    row << QString();
                row[i] = jsonText(a.at(k));
            }
            parsed.push_back(row);
            return;
        }
        if (a.size() != rows.fixedCount())
            throw Error(QStringLiteral("a row has %1 values, the baseline has %2 columns").arg(a.size()).arg(rows.fixedCount()));
        QStringList row;
        for (const QJsonValue &v : a)
            row << jsonText(v);
        parsed.push_back(row);
    };
    auto addRows = [&](const QJsonValue &v) {
        if (v.isObject())
            return addObject(v.toObject());
        if (!v.isArray())
            throw Error(QStringLiteral("expected rows as JSON objects or arrays"));
        const QJsonArray a = v.toArray();
        if (!a.isEmpty() && !a.first().isObject() && !a.first().isArray())
            return addArray(a, {}); // one row as a bare array
        for (const QJsonValue &row : a) {
            if (row.isObject())
                addObject(row.toObject());
            else if (row.isArray())
                addArray(row.toArray(), {});
            else
                throw Error(QStringLiteral("expected rows as JSON objects or arrays"));
        }
    };
    const QByteArray type = contentType.split(';').first().trimmed().toLower();
    const QByteArray trimmed = body.trimmed();
    const bool json = type.contains("json") || (type.isEmpty() && (trimmed.startsWith('{') || trimmed.startsWith('[')));
    if (json && (type.contains("lines") || type.contains("ndjson"))) {
        for (const QByteArray &line : body.split('\n')) {
            if (line.trimmed().isEmpty())
                continue;
            QJsonParseError e;
            const QJsonDocument d = QJsonDocument::fromJson(line, &e);
            if (e.error != QJsonParseError::NoError)
                throw Error(QStringLiteral("JSON Lines body: %1").arg(e.errorString()));
            addRows(d.isObject() ? QJsonValue(d.object()) : QJsonValue(d.array()));
        }
    } else if (json) {
        QJsonParseError e;
        const QJsonDocument d = QJsonDocument::fromJson(body, &e);
        if (e.error != QJsonParseError::NoError)
            throw Error(QStringLiteral("JSON body: %1 at offset %2").arg(e.errorString()).arg(e.offset));
        if (d.isArray()) {
            addRows(d.array());
        } else {
            const QJsonObject o = d.object();
            if (o.contains(QStringLiteral("dataframe_split"))) {
                const QJsonObject s = o.value(QStringLiteral("dataframe_split")).toObject();
                QStringList names;
                for (const QJsonValue &n : s.value(QStringLiteral("columns")).toArray())
                    names << n.toString();
                for (const QJsonValue &row : s.value(QStringLiteral("data")).toArray())
                    addArray(row.toArray(), names);
            } else {
                bool found = false;
                for (const char *k : {"instances", "inputs", "dataframe_records", "predictions"})
                    if (o.contains(QLatin1String(k))) {
                        addRows(o.value(QLatin1String(k)));
                        found = true;
                        break;
                    }
                if (!found)
                    addObject(o);
            }
        }
    } else {
        const std::vector<QStringList> lines = splitCsv(QString::fromUtf8(body));
        if (lines.empty())
            throw Error(QStringLiteral("an empty body"));
        size_t first = 0;
        QStringList header;
        bool isHeader = csvHeaderAlways;
        // As the endpoint reads it: a header names every input column, and may name more.
        if (!isHeader && rows.fixedCount() > 0) {
            QStringList first;
            for (const QString &f : lines.front())
                first << f.trimmed();
            isHeader = true;
            for (qsizetype c = 0; c < rows.fixedCount(); ++c)
                isHeader = isHeader && first.contains(rows.columns().at(c));
        }
        if (isHeader) {
            for (const QString &f : lines.front())
                header << f.trimmed();
            first = 1;
        }
        for (size_t k = first; k < lines.size(); ++k) {
            const QStringList &fields = lines[k];
            if (!header.isEmpty()) {
                if (fields.size() != header.size())
                    throw Error(QStringLiteral("CSV row %1 has %2 fields, its header %3").arg(k + 1).arg(fields.size()).arg(header.size()));
                QStringList row(rows.columns().size());
                for (qsizetype c = 0; c < header.size(); ++c) {
                    const qsizetype i = rows.indexOf(header.at(c), true);
                    while (row.size() <= i)
                        row << QString();
                    row[i] = fields.at(c);
                }
                parsed.push_back(row);
            } else {
                if (fields.size() != rows.fixedCount())
                    throw Error(QStringLiteral("CSV row %1 has %2 fields, the baseline has %3 columns").arg(k + 1).arg(fields.size()).arg(rows.fixedCount()));
                parsed.push_back(fields);
            }
        }
    }
    for (size_t k = 0; k < parsed.size(); ++k)
        rows.add(parsed[k], parsed.size() == 1 ? r.eventId : QStringLiteral("%1#%2").arg(r.eventId).arg(k));
}

data::Table collectTable(const CaptureWindow &window, const QStringList &columns, const QHash<QString, data::ColumnType> &types,
                         QStringList *eventIds, QList<MalformedLine> *malformed, bool outputs)
{
    RowCollector rows(columns);
    rows.fix();
    for (qsizetype i = 0; i < window.records.size(); ++i) {
        const CaptureRecord &r = window.records.at(i);
        try {
            if (outputs)
                collect(rows, r, r.outputContentType, r.outputData, true);
            else
                collect(rows, r, r.inputContentType, r.inputData, false);
        } catch (const Error &e) {
            if (malformed)
                *malformed << MalformedLine{r.eventId, i + 1, QStringLiteral("%1 of event %2: %3")
                                                                  .arg(outputs ? QStringLiteral("endpointOutput") : QStringLiteral("endpointInput"), r.eventId, e.message())};
        }
    }
    if (eventIds)
        *eventIds = rows.ids();
    return rows.table(types);
}

} // namespace

data::Table capturedInputs(const CaptureWindow &window, const QStringList &columns, const QHash<QString, data::ColumnType> &types,
                           QStringList *eventIds, QList<MalformedLine> *malformed)
{
    return collectTable(window, columns, types, eventIds, malformed, false);
}

data::Table capturedOutputs(const CaptureWindow &window, QStringList *eventIds, QList<MalformedLine> *malformed)
{
    return collectTable(window, {}, {}, eventIds, malformed, true);
}

} // namespace cairn::monitor

#include "cairn/serving/servedmodel.h"

#include "cairn/algorithms/modelloader.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/data/csvwriter.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QLocale>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <cmath>

namespace cairn::serving {

std::optional<PayloadFormat> payloadFormatOf(QByteArrayView contentType)
{
    QByteArrayView type = contentType;
    if (const qsizetype semi = type.indexOf(';'); semi >= 0)
        type = type.first(semi);
    type = type.trimmed();
    auto is = [&](const char *t) { return type.compare(QByteArrayView(t), Qt::CaseInsensitive) == 0; };
    if (is("text/csv") || is("application/csv"))
        return PayloadFormat::Csv;
    if (is("application/json"))
        return PayloadFormat::Json;
    if (is("application/jsonlines") || is("application/x-jsonlines") || is("application/x-ndjson") || is("application/jsonl"))
        return PayloadFormat::JsonLines;
    return std::nullopt;
}

QByteArray contentTypeOf(PayloadFormat format)
{
    switch (format) {
    case PayloadFormat::Csv: return QByteArrayLiteral("text/csv");
    case PayloadFormat::Json: return QByteArrayLiteral("application/json");
    case PayloadFormat::JsonLines: return QByteArrayLiteral("application/jsonlines");
    }
    return {};
}

QByteArray PayloadError::toJson() const
{
    QJsonObject o{{QStringLiteral("error"), message()}};
    if (m_row > 0)
        o.insert(QStringLiteral("row"), double(m_row));
    if (!m_column.isEmpty())
        o.insert(QStringLiteral("column"), m_column);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

namespace {

/// Rows of JSON values written as CSV text under the model's header, so that JSON bodies are
/// typed by the same reader as CSV bodies and files.
class CsvBuilder
{
public:
    explicit CsvBuilder(const QStringList &columns) : m_columns(columns)
    {
        m_csv = data::csvLine(columns);
        for (qsizetype i = 0; i < columns.size(); ++i)
            m_index.insert(columns.at(i), int(i));
    }

    qsizetype rows() const { return m_rows; }
    QByteArray take() { return std::move(m_csv); }

    void value(const QJsonValue &v, qsizetype row, int column)
    {
        switch (v.type()) {
        case QJsonValue::Null:
        case QJsonValue::Undefined:
            break;
        case QJsonValue::Bool:
            m_csv += v.toBool() ? "true" : "false";
            break;
        case QJsonValue::Double: {
            const double d = v.toDouble();
            if (std::isfinite(d))
                m_csv += QByteArray::number(d, 'g', QLocale::FloatingPointShortest);
            break;
        }
        case QJsonValue::String: {
            const QString s = v.toString();
            m_csv += data::csvField(s).toUtf8();
            break;
        }
        default:
            throw PayloadError(QStringLiteral("row %1, column '%2': a value must be a number, a string, a boolean or null")
                                   .arg(row).arg(m_columns.at(column)),
                               row, m_columns.at(column));
        }
    }

    void record(const QJsonObject &o, qsizetype row)
    {
        for (int c = 0; c < m_columns.size(); ++c) {
            const auto it = o.constFind(m_columns.at(c));
            if (it == o.constEnd())
                throw PayloadError(QStringLiteral("row %1 has no value for column '%2' (the model reads %3; send null for a missing value)")
                                       .arg(row).arg(m_columns.at(c), m_columns.join(QStringLiteral(", "))),
                                   row, m_columns.at(c));
            if (c)
                m_csv += ',';
            value(*it, row, c);
        }
        m_csv += '\n';
        ++m_rows;
    }

    void array(const QJsonArray &a, qsizetype row)
    {
        if (a.size() != m_columns.size())
            throw PayloadError(QStringLiteral("row %1 has %2 value(s) but the model reads %3 columns, in this order: %4")
                                   .arg(row).arg(a.size()).arg(m_columns.size()).arg(m_columns.join(QStringLiteral(", "))),
                               row);
        for (int c = 0; c < m_columns.size(); ++c) {
            if (c)
                m_csv += ',';
            value(a.at(c), row, c);
        }
        m_csv += '\n';
        ++m_rows;
    }

    /// A record as an object, a list of values in input order, SageMaker's {"features": [...]},
    /// or a lone value for a one-column model.
    void instance(const QJsonValue &v, qsizetype row)
    {
        if (v.isObject()) {
            const QJsonObject o = v.toObject();
            if (o.size() == 1 && o.contains(QLatin1String("features")) && o.value(QLatin1String("features")).isArray()
                && !m_index.contains(QStringLiteral("features")))
                array(o.value(QLatin1String("features")).toArray(), row);
            else
                record(o, row);
        } else if (v.isArray()) {
            array(v.toArray(), row);
        } else if (m_columns.size() == 1) {
            array(QJsonArray{v}, row);
        } else {
            throw PayloadError(QStringLiteral("row %1 must be an object of column: value or a list of %2 values").arg(row).arg(m_columns.size()), row);
        }
    }

    void instances(const QJsonValue &v, const char *what)
    {
        if (!v.isArray())
            throw PayloadError(QStringLiteral("\"%1\" must be a list of rows").arg(QLatin1String(what)));
        const QJsonArray a = v.toArray();
        for (qsizetype r = 0; r < a.size(); ++r)
            instance(a.at(r), r + 1);
    }

    /// {"columns": [...], "data": [[...], ...]} (pandas' split orientation).
    void split(const QJsonValue &v)
    {
        if (!v.isObject())
            throw PayloadError(QStringLiteral("\"dataframe_split\" must be an object with \"columns\" and \"data\""));
        const QJsonObject o = v.toObject();
        const QJsonValue data = o.value(QLatin1String("data"));
        if (!data.isArray())
            throw PayloadError(QStringLiteral("\"dataframe_split\" needs \"data\": a list of rows"));
        const QJsonArray rows = data.toArray();
        if (!o.contains(QLatin1String("columns"))) {
            for (qsizetype r = 0; r < rows.size(); ++r)
                instance(rows.at(r), r + 1);
            return;
        }
        const QJsonArray names = o.value(QLatin1String("columns")).toArray();
        std::vector<int> position(size_t(m_columns.size()), -1);
        for (qsizetype i = 0; i < names.size(); ++i) {
            const int c = m_index.value(names.at(i).toString(), -1);
            if (c >= 0)
                position[size_t(c)] = int(i);
        }
        for (int c = 0; c < m_columns.size(); ++c)
            if (position[size_t(c)] < 0)
                throw PayloadError(QStringLiteral("\"columns\" lacks '%1' (the model reads %2)").arg(m_columns.at(c), m_columns.join(QStringLiteral(", "))),
                                   0, m_columns.at(c));
        for (qsizetype r = 0; r < rows.size(); ++r) {
            if (!rows.at(r).isArray() || rows.at(r).toArray().size() != names.size())
                throw PayloadError(QStringLiteral("row %1 must be a list of %2 values, one per entry of \"columns\"").arg(r + 1).arg(names.size()), r + 1);
            const QJsonArray row = rows.at(r).toArray();
            for (int c = 0; c < m_columns.size(); ++c) {
                if (c)
                    m_csv += ',';
                value(row.at(position[size_t(c)]), r + 1, c);
            }
            m_csv += '\n';
            ++m_rows;
        }
    }

    /// {"column": [values...], ...} (MLflow's "inputs" as a dict of columns).
    void columnar(const QJsonObject &o)
    {
        qsizetype n = -1;
        std::vector<QJsonArray> cols;
        for (const QString &name : m_columns) {
            const QJsonValue v = o.value(name);
            if (v.isUndefined())
                throw PayloadError(QStringLiteral("\"inputs\" lacks column '%1' (the model reads %2)").arg(name, m_columns.join(QStringLiteral(", "))), 0, name);
            const QJsonArray a = v.isArray() ? v.toArray() : QJsonArray{v};
            if (n >= 0 && a.size() != n)
                throw PayloadError(QStringLiteral("\"inputs\": column '%1' has %2 values, the others %3").arg(name).arg(a.size()).arg(n), 0, name);
            n = a.size();
            cols.push_back(a);
        }
        for (qsizetype r = 0; r < n; ++r) {
            for (int c = 0; c < m_columns.size(); ++c) {
                if (c)
                    m_csv += ',';
                value(cols[size_t(c)].at(r), r + 1, c);
            }
            m_csv += '\n';
            ++m_rows;
        }
    }

private:
    QStringList m_columns;
    QHash<QString, int> m_index;
    QByteArray m_csv;
    qsizetype m_rows = 0;
};

QByteArray jsonString(const QString &s)
{
    // QJsonDocument escapes exactly as JSON wants; strip the array brackets around it.
    const QByteArray a = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
    return a.mid(1, a.size() - 2);
}

/// Names and values of each answer row, the numbers already as text (shared by the CSV and
/// JSON writers so both show the same digits).
struct AnswerColumns
{
    QList<QByteArray> names;
    QList<QByteArray> classCsv, classJson;
    bool probabilities = false;

    explicit AnswerColumns(const Predictions &p)
    {
        names << (p.task == Task::Clustering ? QByteArrayLiteral("cluster") : QByteArrayLiteral("prediction"));
        probabilities = !p.probabilities.empty() && isClassification(p.task);
        if (probabilities)
            for (const QString &cls : p.classes)
                names << (QStringLiteral("probability_") + cls).toUtf8();
        for (const QString &cls : p.classes) {
            classCsv << data::csvField(cls).toUtf8();
            classJson << jsonString(cls);
        }
    }
};

inline void appendNumber(QByteArray &out, double v, int precision)
{
    out += QByteArray::number(v, 'g', precision);
}

} // namespace

ServedModel::ServedModel(PluginManager &plugins, const QString &modelDir)
    : m_modelDir(ModelCard::folderOf(modelDir))
{
    m_predictor = loadPredictor(plugins, m_modelDir, &m_card);
    for (const QJsonValue &v : m_card.inputSchema) {
        const QJsonObject o = v.toObject();
        if (o.value(QLatin1String("kind")).toString() == QLatin1String("image")) {
            m_images = true;
            continue;
        }
        const QString name = o.value(QLatin1String("name")).toString();
        if (name.isEmpty() || m_columns.contains(name))
            continue;
        m_columns << name;
        if (const auto type = data::columnTypeFromName(o.value(QLatin1String("type")).toString()))
            m_csvOptions.types.insert(name, *type);
    }
    if (m_columns.isEmpty() && !m_images)
        throw Error(QStringLiteral("%1: the model card lists no input columns").arg(m_modelDir));
    // XGBoost (1.7) keeps its prediction buffers per thread: one booster answers several threads
    // at once (tst_endpointcli checks 8 × 1,000 answers that way). Other back-ends take turns.
    // $CAIRN_SERVE_CONCURRENT=0|1 overrides, e.g. to measure.
    m_concurrent = qEnvironmentVariableIsSet("CAIRN_SERVE_CONCURRENT") ? qEnvironmentVariableIntValue("CAIRN_SERVE_CONCURRENT") == 1
                                                                        : m_card.plugin == QLatin1String("xgboost");
}

ServedModel::~ServedModel() = default;

data::Table ServedModel::readCsv(QByteArrayView csv, const QString &source) const
{
    static const QRegularExpression where(QStringLiteral("^.*:(\\d+):(\\d+): (.*)$"), QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression columnName(QStringLiteral("in column '([^']*)'"));
    try {
        return data::CsvReader::parse(csv, source, m_csvOptions);
    } catch (const Error &e) {
        const QRegularExpressionMatch m = where.match(e.message());
        if (!m.hasMatch())
            throw PayloadError(e.message());
        const qsizetype row = m.captured(1).toLongLong() - 1;
        const QString column = columnName.match(m.captured(3)).captured(1);
        throw PayloadError(QStringLiteral("row %1%2: %3").arg(row).arg(column.isEmpty() ? QString() : QStringLiteral(", column '%1'").arg(column), m.captured(3)),
                           row, column);
    }
}

data::Table ServedModel::read(QByteArrayView body, PayloadFormat format) const
{
    if (m_images)
        throw PayloadError(QStringLiteral("this model classifies images: send image/png or image/jpeg"));
    if (body.trimmed().isEmpty())
        throw PayloadError(QStringLiteral("the body is empty: send at least one row"));
    if (format == PayloadFormat::Csv) {
        // A header row is one that names every input column; else the columns come in input order.
        qsizetype end = body.indexOf('\n');
        QByteArrayView first = end < 0 ? body : body.first(end);
        if (first.endsWith('\r'))
            first.chop(1);
        QStringList fields;
        for (QByteArrayView f : QByteArrayView(first).toByteArray().split(',')) {
            f = f.trimmed();
            if (f.size() >= 2 && f.startsWith('"') && f.endsWith('"'))
                f = f.sliced(1, f.size() - 2);
            fields << QString::fromUtf8(f);
        }
        bool header = true;
        for (const QString &c : m_columns)
            header = header && fields.contains(c);
        if (header)
            return readCsv(body, QStringLiteral("body"));
        QByteArray text = data::csvLine(m_columns);
        text += body;
        return readCsv(text, QStringLiteral("body"));
    }
    CsvBuilder rows(m_columns);
    if (format == PayloadFormat::JsonLines) {
        qsizetype line = 0, pos = 0;
        while (pos < body.size()) {
            qsizetype end = body.indexOf('\n', pos);
            if (end < 0)
                end = body.size();
            const QByteArrayView text = body.sliced(pos, end - pos).trimmed();
            pos = end + 1;
            ++line;
            if (text.isEmpty())
                continue;
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(text.toByteArray(), &error);
            if (error.error != QJsonParseError::NoError)
                throw PayloadError(QStringLiteral("line %1 is not JSON: %2 at character %3").arg(line).arg(error.errorString()).arg(error.offset + 1), line);
            rows.instance(doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array()), line);
        }
    } else {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(body.toByteArray(), &error);
        if (error.error != QJsonParseError::NoError)
            throw PayloadError(QStringLiteral("the body is not JSON: %1 at character %2").arg(error.errorString()).arg(error.offset + 1));
        if (doc.isArray()) {
            const QJsonArray a = doc.array();
            for (qsizetype r = 0; r < a.size(); ++r)
                rows.instance(a.at(r), r + 1);
        } else {
            const QJsonObject o = doc.object();
            if (o.contains(QLatin1String("dataframe_split")))
                rows.split(o.value(QLatin1String("dataframe_split")));
            else if (o.contains(QLatin1String("dataframe_records")))
                rows.instances(o.value(QLatin1String("dataframe_records")), "dataframe_records");
            else if (o.contains(QLatin1String("instances")))
                rows.instances(o.value(QLatin1String("instances")), "instances");
            else if (o.contains(QLatin1String("inputs"))) {
                const QJsonValue in = o.value(QLatin1String("inputs"));
                if (in.isObject())
                    rows.columnar(in.toObject());
                else
                    rows.instances(in, "inputs");
            } else {
                rows.record(o, 1); // one row as a bare object
            }
        }
    }
    if (rows.rows() == 0)
        throw PayloadError(QStringLiteral("the body holds no rows"));
    return readCsv(rows.take(), QStringLiteral("body"));
}

Predictions ServedModel::predict(const data::Table &table) const
{
    PredictionInput input;
    input.channel.type = data::ChannelSpec::Type::Csv;
    input.channel.path = QStringLiteral("the request");
    input.table = &table;
    if (m_concurrent)
        return m_predictor->predict(input);
    std::lock_guard lock(m_mutex);
    return m_predictor->predict(input);
}

Predictions ServedModel::predictImages(const QList<QByteArray> &images, const QString &suffix) const
{
    if (!m_images)
        throw PayloadError(QStringLiteral("this model reads rows of a table: send text/csv, application/json or application/jsonlines"));
    // The image back-end reads files: the images and a manifest listing them, in a private folder.
    QTemporaryDir dir;
    if (!dir.isValid())
        throw Error(QStringLiteral("cannot create a temporary folder for the images: %1").arg(dir.errorString()));
    QByteArray manifest;
    for (qsizetype i = 0; i < images.size(); ++i) {
        const QString name = QStringLiteral("%1.%2").arg(i).arg(suffix);
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly) || f.write(images.at(i)) != images.at(i).size())
            throw Error(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
        manifest += QJsonDocument(QJsonObject{{QStringLiteral("source-ref"), name}}).toJson(QJsonDocument::Compact) + '\n';
    }
    QFile m(dir.filePath(QStringLiteral("images.manifest")));
    if (!m.open(QIODevice::WriteOnly) || m.write(manifest) != manifest.size())
        throw Error(QStringLiteral("cannot write %1: %2").arg(m.fileName(), m.errorString()));
    m.close();
    PredictionInput input;
    input.channel.type = data::ChannelSpec::Type::Manifest;
    input.channel.path = m.fileName();
    try {
        if (m_concurrent)
            return m_predictor->predict(input);
        std::lock_guard lock(m_mutex);
        return m_predictor->predict(input);
    } catch (const PayloadError &) {
        throw;
    } catch (const Error &e) {
        throw PayloadError(QStringLiteral("the image cannot be read: %1").arg(e.message()));
    }
}

QByteArray ServedModel::csvHeader(const Predictions &p)
{
    const AnswerColumns cols(p);
    QByteArray out;
    for (qsizetype i = 0; i < cols.names.size(); ++i) {
        if (i)
            out += ',';
        out += data::csvField(QString::fromUtf8(cols.names.at(i))).toUtf8();
    }
    out += '\n';
    return out;
}

QByteArray ServedModel::csvRows(const Predictions &p)
{
    const AnswerColumns cols(p);
    const qsizetype k = p.classes.size();
    QByteArray out;
    out.reserve(p.rows() * (16 + 10 * (cols.probabilities ? k : 0)));
    for (qsizetype r = 0; r < p.rows(); ++r) {
        if (p.task == Task::Regression)
            appendNumber(out, p.values[size_t(r)], 10);
        else if (p.task == Task::Clustering)
            out += QByteArray::number(p.labels[size_t(r)]);
        else
            out += cols.classCsv.value(p.labels[size_t(r)]);
        if (cols.probabilities)
            for (qsizetype j = 0; j < k; ++j) {
                out += ',';
                appendNumber(out, p.probabilities[size_t(r * k + j)], 6);
            }
        out += '\n';
    }
    return out;
}

QByteArray ServedModel::format(const Predictions &p, PayloadFormat format)
{
    if (format == PayloadFormat::Csv)
        return csvHeader(p) + csvRows(p);
    const AnswerColumns cols(p);
    const qsizetype k = p.classes.size();
    QList<QByteArray> keys;
    for (const QByteArray &n : cols.names)
        keys << jsonString(QString::fromUtf8(n)) + ':';
    QByteArray out;
    out.reserve(32 + p.rows() * (32 + 24 * (cols.probabilities ? k : 0)));
    const bool lines = format == PayloadFormat::JsonLines;
    if (!lines)
        out += "{\"predictions\":[";
    auto number = [&](double v, int precision) {
        if (std::isfinite(v))
            appendNumber(out, v, precision);
        else
            out += "null";
    };
    for (qsizetype r = 0; r < p.rows(); ++r) {
        if (r && !lines)
            out += ',';
        out += '{';
        out += keys.at(0);
        if (p.task == Task::Regression)
            number(p.values[size_t(r)], 10);
        else if (p.task == Task::Clustering)
            out += QByteArray::number(p.labels[size_t(r)]);
        else
            out += cols.classJson.value(p.labels[size_t(r)], QByteArrayLiteral("null"));
        if (cols.probabilities)
            for (qsizetype j = 0; j < k; ++j) {
                out += ',';
                out += keys.at(1 + j);
                number(p.probabilities[size_t(r * k + j)], 6);
            }
        out += '}';
        if (lines)
            out += '\n';
    }
    if (!lines)
        out += "]}";
    return out;
}

} // namespace cairn::serving

#include "cairn/notebook/notebook.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLocale>
#include <QRandomGenerator>
#include <QSaveFile>

#include <cmath>

namespace cairn {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("cairn::Notebook", text);
}

const QLatin1String kCellType("cell_type");
const QLatin1String kSource("source");
const QLatin1String kOutputs("outputs");
const QLatin1String kExecutionCount("execution_count");
const QLatin1String kMetadata("metadata");

QString cellTypeName(CellType type)
{
    switch (type) {
    case CellType::Code: return QStringLiteral("code");
    case CellType::Markdown: return QStringLiteral("markdown");
    case CellType::Raw: return QStringLiteral("raw");
    }
    return QStringLiteral("code");
}

// Python's json.dumps escapes with ensure_ascii=False: only quotes, backslashes and controls.
void appendString(QByteArray &out, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    out.reserve(out.size() + utf8.size() + 2);
    out.append('"');
    const char *begin = utf8.constData();
    const char *run = begin;
    const char *end = begin + utf8.size();
    static const char hex[] = "0123456789abcdef";
    for (const char *p = begin; p != end; ++p) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(run, p - run);
        run = p + 1;
        switch (c) {
        case '"': out.append("\\\"", 2); break;
        case '\\': out.append("\\\\", 2); break;
        case '\n': out.append("\\n", 2); break;
        case '\r': out.append("\\r", 2); break;
        case '\t': out.append("\\t", 2); break;
        case '\b': out.append("\\b", 2); break;
        case '\f': out.append("\\f", 2); break;
        default: {
            const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
            out.append(esc, 6);
        }
        }
    }
    out.append(run, end - run);
    out.append('"');
}

void appendNumber(QByteArray &out, double d)
{
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9007199254740992.0) {
        out.append(QByteArray::number(static_cast<qint64>(d)));
        return;
    }
    if (!std::isfinite(d)) {
        out.append(std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"));
        return;
    }
    QByteArray text = QByteArray::number(d, 'g', QLocale::FloatingPointShortest);
    // Python writes 1e-05 and 1e+16 like Qt, but always keeps a '.0' or exponent on floats.
    if (!text.contains('.') && !text.contains('e') && !text.contains("inf") && !text.contains("nan"))
        text.append(".0");
    out.append(text);
}

void appendValue(QByteArray &out, const QJsonValue &value, int depth)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: out.append("null"); break;
    case QJsonValue::Bool: out.append(value.toBool() ? "true" : "false"); break;
    case QJsonValue::Double: appendNumber(out, value.toDouble()); break;
    case QJsonValue::String: appendString(out, value.toString()); break;
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        if (array.isEmpty()) {
            out.append("[]");
            break;
        }
        out.append('[');
        bool first = true;
        for (const QJsonValue &item : array) {
            if (!first)
                out.append(',');
            first = false;
            out.append('\n');
            out.append(QByteArray(depth + 1, ' '));
            appendValue(out, item, depth + 1);
        }
        out.append('\n');
        out.append(QByteArray(depth, ' '));
        out.append(']');
        break;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        if (object.isEmpty()) {
            out.append("{}");
            break;
        }
        out.append('{');
        bool first = true;
        // QJsonObject iterates in key order, which is what sort_keys gives.
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!first)
                out.append(',');
            first = false;
            out.append('\n');
            out.append(QByteArray(depth + 1, ' '));
            appendString(out, it.key());
            out.append(": ");
            appendValue(out, it.value(), depth + 1);
        }
        out.append('\n');
        out.append(QByteArray(depth, ' '));
        out.append('}');
        break;
    }
    }
}

// nbformat 3 → 4, following nbformat.v4.convert.upgrade.
QJsonObject upgradeOutput(const QJsonObject &old)
{
    static const QList<QPair<QString, QString>> mimeKeys = {
        {QStringLiteral("text"), QStringLiteral("text/plain")},
        {QStringLiteral("html"), QStringLiteral("text/html")},
        {QStringLiteral("svg"), QStringLiteral("image/svg+xml")},
        {QStringLiteral("png"), QStringLiteral("image/png")},
        {QStringLiteral("jpeg"), QStringLiteral("image/jpeg")},
        {QStringLiteral("latex"), QStringLiteral("text/latex")},
        {QStringLiteral("json"), QStringLiteral("application/json")},
        {QStringLiteral("javascript"), QStringLiteral("application/javascript")},
    };
    const QString type = old.value(QLatin1String("output_type")).toString();
    QJsonObject out;
    if (type == QLatin1String("pyout") || type == QLatin1String("display_data")) {
        out[QStringLiteral("output_type")] = type == QLatin1String("pyout") ? QStringLiteral("execute_result") : type;
        QJsonObject data;
        for (const auto &[oldKey, mime] : mimeKeys) {
            if (old.contains(oldKey))
                data[mime] = old.value(oldKey);
        }
        out[QStringLiteral("data")] = data;
        out[QStringLiteral("metadata")] = old.value(QLatin1String("metadata")).toObject();
        if (type == QLatin1String("pyout")) {
            const QJsonValue count = old.value(QLatin1String("prompt_number"));
            out[kExecutionCount] = count.isDouble() ? count : QJsonValue(QJsonValue::Null);
        }
    } else if (type == QLatin1String("stream")) {
        out[QStringLiteral("output_type")] = QStringLiteral("stream");
        out[QStringLiteral("name")] = old.value(QLatin1String("stream")).toString(QStringLiteral("stdout"));
        out[QStringLiteral("text")] = old.value(QLatin1String("text"));
    } else if (type == QLatin1String("pyerr")) {
        out[QStringLiteral("output_type")] = QStringLiteral("error");
        out[QStringLiteral("ename")] = old.value(QLatin1String("ename"));
        out[QStringLiteral("evalue")] = old.value(QLatin1String("evalue"));
        out[QStringLiteral("traceback")] = old.value(QLatin1String("traceback"));
    } else {
        out = old;
    }
    return out;
}

QJsonObject upgradeCell(const QJsonObject &old)
{
    const QString type = old.value(kCellType).toString();
    QJsonObject cell;
    cell[kMetadata] = old.value(kMetadata).toObject();
    if (type == QLatin1String("code")) {
        cell[kCellType] = QStringLiteral("code");
        cell[kSource] = old.value(QLatin1String("input"));
        const QJsonValue count = old.value(QLatin1String("prompt_number"));
        cell[kExecutionCount] = count.isDouble() ? count : QJsonValue(QJsonValue::Null);
        QJsonArray outputs;
        for (const QJsonValue &output : old.value(kOutputs).toArray())
            outputs.append(upgradeOutput(output.toObject()));
        cell[kOutputs] = outputs;
    } else if (type == QLatin1String("heading")) {
        cell[kCellType] = QStringLiteral("markdown");
        const int level = qBound(1, old.value(QLatin1String("level")).toInt(1), 6);
        const QString text = joinMultiline(old.value(kSource)).simplified();
        cell[kSource] = QString(level, QLatin1Char('#')) + QLatin1Char(' ') + text;
    } else {
        cell[kCellType] = type == QLatin1String("markdown") ? type : QStringLiteral("raw");
        cell[kSource] = old.value(kSource);
    }
    return cell;
}

QPair<int, int> lineColumn(const QByteArray &data, int offset)
{
    int line = 1;
    int lineStart = 0;
    offset = qBound(0, offset, int(data.size()));
    for (int i = 0; i < offset; ++i) {
        if (data.at(i) == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    // Columns count characters, not UTF-8 bytes.
    const int column = QString::fromUtf8(data.constData() + lineStart, offset - lineStart).size() + 1;
    return {line, column};
}

} // namespace

QString joinMultiline(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    QString text;
    for (const QJsonValue &line : value.toArray())
        text += line.toString();
    return text;
}

QJsonArray splitMultiline(const QString &text)
{
    QJsonArray lines;
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype end = text.indexOf(QLatin1Char('\n'), start);
        if (end < 0) {
            lines.append(text.mid(start));
            break;
        }
        lines.append(text.mid(start, end - start + 1));
        start = end + 1;
    }
    return lines;
}

QString newCellId()
{
    return QString::number(QRandomGenerator::global()->generate(), 16).rightJustified(8, QLatin1Char('0'));
}

QByteArray writeNotebookJson(const QJsonValue &value)
{
    QByteArray out;
    appendValue(out, value, 0);
    out.append('\n');
    return out;
}

// ---- NotebookCell

NotebookCell::NotebookCell(CellType type, const QString &source)
{
    m_json[kCellType] = cellTypeName(type);
    m_json[kMetadata] = QJsonObject();
    m_json[kSource] = splitMultiline(source);
    if (type == CellType::Code) {
        m_json[kOutputs] = QJsonArray();
        m_json[kExecutionCount] = QJsonValue(QJsonValue::Null);
    }
}

NotebookCell NotebookCell::fromJson(const QJsonObject &object)
{
    NotebookCell cell;
    cell.m_json = object;
    return cell;
}

CellType NotebookCell::type() const
{
    const QString name = typeName();
    if (name == QLatin1String("code"))
        return CellType::Code;
    if (name == QLatin1String("markdown"))
        return CellType::Markdown;
    return CellType::Raw;
}

QString NotebookCell::typeName() const
{
    return m_json.value(kCellType).toString();
}

void NotebookCell::setType(CellType type)
{
    if (type == this->type() && typeName() == cellTypeName(type))
        return;
    m_json[kCellType] = cellTypeName(type);
    if (type == CellType::Code) {
        if (!m_json.contains(kOutputs))
            m_json[kOutputs] = QJsonArray();
        if (!m_json.contains(kExecutionCount))
            m_json[kExecutionCount] = QJsonValue(QJsonValue::Null);
    } else {
        m_json.remove(kOutputs);
        m_json.remove(kExecutionCount);
    }
}

QString NotebookCell::id() const
{
    return m_json.value(QLatin1String("id")).toString();
}

void NotebookCell::setId(const QString &id)
{
    m_json[QStringLiteral("id")] = id;
}

QString NotebookCell::source() const
{
    return joinMultiline(m_json.value(kSource));
}

void NotebookCell::setSource(const QString &source)
{
    if (source == this->source())
        return;
    m_json[kSource] = splitMultiline(source);
}

QJsonObject NotebookCell::metadata() const
{
    return m_json.value(kMetadata).toObject();
}

void NotebookCell::setMetadata(const QJsonObject &metadata)
{
    m_json[kMetadata] = metadata;
}

QJsonObject NotebookCell::attachments() const
{
    return m_json.value(QLatin1String("attachments")).toObject();
}

QJsonArray NotebookCell::outputs() const
{
    return m_json.value(kOutputs).toArray();
}

void NotebookCell::setOutputs(const QJsonArray &outputs)
{
    if (type() == CellType::Code)
        m_json[kOutputs] = outputs;
}

int NotebookCell::executionCount() const
{
    return m_json.value(kExecutionCount).toInt(0);
}

void NotebookCell::setExecutionCount(int count)
{
    if (type() != CellType::Code)
        return;
    m_json[kExecutionCount] = count > 0 ? QJsonValue(count) : QJsonValue(QJsonValue::Null);
}

// ---- Notebook

Notebook::Notebook()
{
    m_root[QStringLiteral("nbformat")] = 4;
    m_root[QStringLiteral("nbformat_minor")] = 5;
    m_root[kMetadata] = QJsonObject();
    m_cells.append(makeCell(CellType::Code));
}

Notebook Notebook::fromJson(const QByteArray &data, const QString &fileName)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(data, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const auto [line, column] = lineColumn(data, parseError.offset);
        throw NotebookError(tr("%1:%2:%3: not a notebook: the JSON is broken (%4)")
                                .arg(fileName).arg(line).arg(column).arg(parseError.errorString()));
    }
    if (!document.isObject())
        throw NotebookError(tr("%1: not a notebook: the file holds no JSON object").arg(fileName));
    QJsonObject root = document.object();
    const QJsonValue version = root.value(QLatin1String("nbformat"));
    if (!version.isDouble())
        throw NotebookError(tr("%1: not a notebook: there is no \"nbformat\" version").arg(fileName));
    // nbformat says both are integers: 4.5 or 1e300 is a damaged file, not version 4 or 0.
    const auto wholeNumber = [](const QJsonValue &v) {
        const double d = v.toDouble();
        return std::isfinite(d) && d == std::floor(d) && d >= 0 && d <= 1e6;
    };
    if (!wholeNumber(version))
        throw NotebookError(tr("%1: not a notebook: \"nbformat\" is %2, not a version number such as 4")
                                .arg(fileName, QString::number(version.toDouble(), 'g', QLocale::FloatingPointShortest)));
    const QJsonValue minor = root.value(QLatin1String("nbformat_minor"));
    if (!minor.isUndefined() && !(minor.isDouble() && wholeNumber(minor)))
        throw NotebookError(tr("%1: not a notebook: \"nbformat_minor\" is %2, not a version number such as 5")
                                .arg(fileName, minor.isDouble() ? QString::number(minor.toDouble(), 'g', QLocale::FloatingPointShortest)
                                                                : QString::fromUtf8(QJsonDocument(QJsonArray{minor}).toJson(QJsonDocument::Compact)).mid(1).chopped(1)));
    const int major = version.toInt();
    Notebook notebook;
    notebook.m_cells.clear();
    if (major == 3) {
        // Converted the way nbformat.v4.upgrade does; saving writes nbformat 4.
        QJsonArray cells;
        for (const QJsonValue &worksheet : root.value(QLatin1String("worksheets")).toArray()) {
            for (const QJsonValue &cell : worksheet.toObject().value(QLatin1String("cells")).toArray())
                cells.append(upgradeCell(cell.toObject()));
        }
        QJsonObject metadata = root.value(kMetadata).toObject();
        metadata.remove(QStringLiteral("name"));
        metadata.remove(QStringLiteral("signature"));
        root = QJsonObject{{QStringLiteral("nbformat"), 4}, {QStringLiteral("nbformat_minor"), 0}, {kMetadata, metadata},
                           {QStringLiteral("cells"), cells}};
        notebook.m_convertedFrom = 3;
    } else if (major < 3) {
        throw NotebookError(tr("%1: this notebook is nbformat %2, which is too old to read; convert it to "
                               "nbformat 4 with Jupyter first (jupyter nbconvert --to notebook --nbformat 4)")
                                .arg(fileName).arg(major));
    } else if (major > 4) {
        throw NotebookError(tr("%1: this notebook is nbformat %2; Cairn Studio reads nbformat 4").arg(fileName).arg(major));
    }
    const QJsonValue cells = root.value(QLatin1String("cells"));
    if (!cells.isArray())
        throw NotebookError(tr("%1: not a notebook: \"cells\" is missing or not a list").arg(fileName));
    const QJsonArray cellArray = cells.toArray();
    notebook.m_cells.reserve(cellArray.size());
    int index = 0;
    for (const QJsonValue &cell : cellArray) {
        if (!cell.isObject() || !cell.toObject().value(kCellType).isString())
            throw NotebookError(tr("%1: cell %2 is not a cell object with a \"cell_type\"").arg(fileName).arg(index + 1));
        notebook.m_cells.append(NotebookCell::fromJson(cell.toObject()));
        ++index;
    }
    root.remove(QStringLiteral("cells"));
    notebook.m_root = root;
    return notebook;
}

Notebook Notebook::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw NotebookError(tr("%1: cannot open the notebook: %2").arg(path, file.errorString()));
    return fromJson(file.readAll(), path);
}

QJsonObject Notebook::toJsonObject() const
{
    QJsonObject root = m_root;
    QJsonArray cells;
    for (const NotebookCell &cell : m_cells)
        cells.append(cell.json());
    root[QStringLiteral("cells")] = cells;
    return root;
}

QByteArray Notebook::toJson() const
{
    return writeNotebookJson(toJsonObject());
}

void Notebook::save(const QString &path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error(tr("%1: cannot write the notebook: %2").arg(path, file.errorString()));
    // QSaveFile reports a full disk only as "Unknown error" from commit(): flush first, while the
    // system's reason is still known.
    const QByteArray json = toJson();
    if (file.write(json) != json.size() || !file.flush()) {
        const QString reason = file.errorString();
        file.cancelWriting();
        throw Error(tr("%1: cannot write the notebook: %2").arg(path, reason));
    }
    if (!file.commit())
        throw Error(tr("%1: cannot write the notebook: %2").arg(path, file.errorString()));
}

int Notebook::nbformatMinor() const
{
    return m_root.value(QLatin1String("nbformat_minor")).toInt();
}

NotebookCell Notebook::makeCell(CellType type, const QString &source) const
{
    NotebookCell cell(type, source);
    if (nbformatMinor() >= 5)
        cell.setId(newCellId());
    return cell;
}

QJsonObject Notebook::metadata() const
{
    return m_root.value(kMetadata).toObject();
}

void Notebook::setMetadata(const QJsonObject &metadata)
{
    m_root[kMetadata] = metadata;
}

QString Notebook::kernelName() const
{
    return metadata().value(QLatin1String("kernelspec")).toObject().value(QLatin1String("name")).toString();
}

QString Notebook::kernelDisplayName() const
{
    return metadata().value(QLatin1String("kernelspec")).toObject().value(QLatin1String("display_name")).toString();
}

void Notebook::setKernelSpec(const QString &name, const QString &displayName, const QString &language)
{
    QJsonObject meta = metadata();
    QJsonObject spec = meta.value(QLatin1String("kernelspec")).toObject();
    if (spec.value(QLatin1String("name")).toString() == name && spec.value(QLatin1String("display_name")).toString() == displayName
        && spec.value(QLatin1String("language")).toString() == language)
        return;
    spec[QStringLiteral("name")] = name;
    spec[QStringLiteral("display_name")] = displayName;
    spec[QStringLiteral("language")] = language;
    meta[QStringLiteral("kernelspec")] = spec;
    setMetadata(meta);
}

QString Notebook::language() const
{
    const QJsonObject meta = metadata();
    const QString name = meta.value(QLatin1String("language_info")).toObject().value(QLatin1String("name")).toString();
    if (!name.isEmpty())
        return name;
    return meta.value(QLatin1String("kernelspec")).toObject().value(QLatin1String("language")).toString();
}

} // namespace cairn

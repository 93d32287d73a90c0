#include "formatutil.h"

#include "cairn/labeling/imageheader.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QStringDecoder>

#include <cctype>
#include <cmath>
#include <cstring>

namespace cairn::labeling::Internal {

QString jsonString(const QString &s)
{
    const QByteArray a = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(a.mid(1, a.size() - 2));
}

QString jsonReal(double v)
{
    if (!std::isfinite(v))
        v = 0.0;
    QString s = QString::number(v, 'g', 6);
    if (!s.contains(QLatin1Char('.')) && !s.contains(QLatin1Char('e')))
        s += QStringLiteral(".0");
    return s;
}

int lineAt(const QByteArray &text, qsizetype offset)
{
    offset = std::clamp<qsizetype>(offset, 0, text.size());
    return int(std::count(text.constBegin(), text.constBegin() + offset, '\n')) + 1;
}

QList<int> arrayElementLines(const QByteArray &text, const QString &key)
{
    QList<int> lines;
    const QByteArray wanted = key.toUtf8();
    int depth = 0;
    int line = 1;
    int arrayDepth = -1;       // depth inside the wanted array, once entered
    bool expectElement = false;
    QByteArray lastKey;
    bool inString = false;
    qsizetype stringStart = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text.at(i);
        if (c == '\n')
            ++line;
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"') {
                inString = false;
                if (depth == 1)
                    lastKey = text.mid(stringStart, i - stringStart);
            }
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (arrayDepth >= 0 && depth == arrayDepth && expectElement && c != ']') {
            lines << line;
            expectElement = false;
        }
        switch (c) {
        case '"':
            inString = true;
            stringStart = i + 1;
            break;
        case '{':
        case '[':
            ++depth;
            if (c == '[' && depth == 2 && lastKey == wanted && arrayDepth < 0) {
                arrayDepth = 2;
                expectElement = true;
            }
            break;
        case '}':
        case ']':
            if (arrayDepth >= 0 && depth == arrayDepth)
                return lines;
            --depth;
            break;
        case ',':
            if (arrayDepth >= 0 && depth == arrayDepth)
                expectElement = true;
            break;
        default:
            break;
        }
    }
    return lines;
}

int classIdFrom(const QJsonValue &v)
{
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (d >= 0 && d == std::floor(d) && d < 1e9)
            return int(d);
        return -1;
    }
    if (v.isString()) {
        bool ok = false;
        const int id = v.toString().trimmed().toInt(&ok);
        return ok && id >= 0 ? id : -1;
    }
    return -1;
}

bool numberFrom(const QJsonValue &v, double *out)
{
    if (v.isDouble()) {
        *out = v.toDouble();
        return std::isfinite(*out);
    }
    if (v.isString()) {
        bool ok = false;
        *out = v.toString().trimmed().toDouble(&ok);
        return ok && std::isfinite(*out);
    }
    return false;
}

bool isConfidence(double c)
{
    return std::isfinite(c) && c >= 0.0 && c <= 1.0;
}

bool confidenceFrom(const QJsonValue &v, double *out)
{
    return numberFrom(v, out) && isConfidence(*out);
}

QString boxFrom(double left, double top, double width, double height, Box *out)
{
    const double values[4] = {left, top, width, height};
    const char *names[4] = {"left", "top", "width", "height"};
    for (int k = 0; k < 4; ++k) {
        if (!std::isfinite(values[k]))
            return QStringLiteral("%1 is not a finite number").arg(QLatin1String(names[k]));
        if (std::abs(values[k]) > kMaxBoxCoordinate)
            return QStringLiteral("%1 %2 is beyond %3 pixels")
                .arg(QLatin1String(names[k]), QString::number(values[k], 'g', QLocale::FloatingPointShortest), QString::number(kMaxBoxCoordinate, 'f', 0));
    }
    Box b = *out;
    b.left = int(std::lround(left));
    b.top = int(std::lround(top));
    b.width = int(std::lround(width));
    b.height = int(std::lround(height));
    if (b.width <= 0 || b.height <= 0)
        return QStringLiteral("no area (%1×%2)").arg(b.width).arg(b.height);
    *out = b;
    return {};
}

bool boxOutsideImage(const Box &b, const ImageSize &size)
{
    if (!size.isValid())
        return false;
    return b.left >= size.width || b.top >= size.height || qint64(b.left) + b.width <= 0 || qint64(b.top) + b.height <= 0;
}

bool wholeNumberFrom(const QJsonValue &v, double limit, qint64 *out)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    if (!std::isfinite(d) || d != std::floor(d) || std::abs(d) > limit)
        return false;
    *out = qint64(d);
    return true;
}

qsizetype laxJsonAt(const QByteArray &text, QString *why)
{
    bool inString = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text.at(i));
        if (!inString) {
            if (c == '"')
                inString = true;
            continue;
        }
        if (c == '"') {
            inString = false;
        } else if (c < 0x20) {
            *why = QStringLiteral("a raw control character (0x%1) inside a string; write it as \\u%2")
                       .arg(uint(c), 2, 16, QLatin1Char('0')).arg(uint(c), 4, 16, QLatin1Char('0'));
            return i;
        } else if (c == '\\') {
            const char e = i + 1 < text.size() ? text.at(i + 1) : '\0';
            if (e == 'u') {
                for (int k = 2; k < 6; ++k)
                    if (i + k >= text.size() || !std::isxdigit(static_cast<unsigned char>(text.at(i + k)))) {
                        *why = QStringLiteral("\\u needs four hexadecimal digits");
                        return i;
                    }
                i += 5;
            } else if (e && std::strchr("\"\\/bfnrt", e)) {
                ++i;
            } else {
                *why = QStringLiteral("\\%1 is not a JSON escape (use \\\\ for a backslash)").arg(QChar::fromLatin1(e));
                return i;
            }
        }
    }
    return -1;
}

int badTextLine(const QByteArray &text, QString *why)
{
    int line = 1;
    qsizetype start = 0;
    while (start <= text.size()) {
        qsizetype end = text.indexOf('\n', start);
        if (end < 0)
            end = text.size();
        const QByteArrayView view(text.constData() + start, end - start);
        for (char c : view)
            if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\r') {
                *why = c == '\0' ? QStringLiteral("a NUL byte") : QStringLiteral("a control character (0x%1)").arg(uint(c), 2, 16, QLatin1Char('0'));
                return line;
            }
        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString decoded = utf8(view);
        if (utf8.hasError()) {
            *why = QStringLiteral("bytes that are not UTF-8 (save the file as UTF-8)");
            return line;
        }
        start = end + 1;
        ++line;
    }
    return 0;
}

QString commonDir(const LabelingJob &job)
{
    if (job.itemCount() == 0)
        return {};
    QString common = QFileInfo(job.item(0).source).absolutePath();
    for (const Item &it : job.items()) {
        const QString dir = QFileInfo(it.source).absolutePath();
        while (!common.isEmpty() && dir != common && !dir.startsWith(common + QLatin1Char('/')))
            common = QFileInfo(common).absolutePath() == common ? QString() : QFileInfo(common).absolutePath();
    }
    return common;
}

QHash<int, QString> labelFileStems(const LabelingJob &job)
{
    QHash<QString, int> stemCount;
    for (const Item &it : job.items())
        ++stemCount[QFileInfo(it.source).completeBaseName()];
    const QDir root(commonDir(job));
    QHash<int, QString> names;
    for (int i = 0; i < job.itemCount(); ++i) {
        const QString stem = QFileInfo(job.item(i).source).completeBaseName();
        if (stemCount.value(stem) == 1) {
            names.insert(i, stem);
        } else {
            QString rel = root.relativeFilePath(job.item(i).source);
            rel = rel.left(rel.lastIndexOf(QLatin1Char('.')));
            names.insert(i, rel.replace(QLatin1Char('/'), QStringLiteral("__")));
        }
    }
    return names;
}

ImageSize imageSizeOf(const Item &item)
{
    return item.size.isValid() ? item.size : readImageSize(item.source);
}

} // namespace cairn::labeling::Internal

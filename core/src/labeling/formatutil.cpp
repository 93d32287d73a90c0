#include "formatutil.h"

#include "cairn/labeling/imageheader.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

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

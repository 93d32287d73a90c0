#include "cairn/debugger/tensordata.h"

#include "cairn/algorithms/jobcontext.h"
#include "cairn/jobs/jobevent.h"

#include <QJsonArray>
#include <QtEndian>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace cairn::debugger {

QStringList collections::all()
{
    return {weights, biases, gradients, activations, losses, updateRatios, labels, featureImportance, treeDepth};
}

QString inferCollection(const QString &name)
{
    const QString n = name.toLower();
    if (n.endsWith(QLatin1String(".grad")) || n.startsWith(QLatin1String("gradient/")) || n.startsWith(QLatin1String("gradients/")))
        return collections::gradients;
    if (n.endsWith(QLatin1String(".update_ratio")))
        return collections::updateRatios;
    if (n.startsWith(QLatin1String("feature_importance")))
        return collections::featureImportance;
    if (n.startsWith(QLatin1String("trees.")) || n.contains(QLatin1String("tree_depth")))
        return collections::treeDepth;
    if (n == QLatin1String("labels") || n.startsWith(QLatin1String("labels")) || n.startsWith(QLatin1String("predictions")))
        return collections::labels;
    if (n == QLatin1String("loss") || n.endsWith(QLatin1String("loss")))
        return collections::losses;
    if (n.endsWith(QLatin1String(".bias")) || n.endsWith(QLatin1String("_bias")))
        return collections::biases;
    if (n.endsWith(QLatin1String(".weight")) || n.endsWith(QLatin1String("_weight")) || n.endsWith(QLatin1String(".weights")))
        return collections::weights;
    if (n.endsWith(QLatin1String(".output")) || n.endsWith(QLatin1String(".input")) || n.endsWith(QLatin1String(".activity"))
        || n.contains(QLatin1String("relu")) || n.contains(QLatin1String("sigmoid")) || n.contains(QLatin1String("tanh")))
        return collections::activations;
    return QString();
}

double TensorSample::meanAbs() const
{
    const qint64 finite = count - nanCount - infCount;
    return finite > 0 && std::isfinite(l1) ? l1 / double(finite) : nan;
}

double TensorSample::countBelow(double x) const
{
    double total = 0;
    for (int b = 0; b < bins(); ++b) {
        const double lo = edges[size_t(b)], hi = edges[size_t(b) + 1];
        if (hi <= x)
            total += counts[size_t(b)];
        else if (lo < x && hi > lo)
            total += counts[size_t(b)] * (x - lo) / (hi - lo);
    }
    return total;
}

double TensorSample::countAbove(double x) const
{
    double total = 0;
    for (int b = 0; b < bins(); ++b) {
        const double lo = edges[size_t(b)], hi = edges[size_t(b) + 1];
        if (lo >= x)
            total += counts[size_t(b)];
        else if (hi > x && hi > lo)
            total += counts[size_t(b)] * (hi - x) / (hi - lo);
    }
    return total;
}

namespace {
enum : quint8 { kUniform = 1, kDoubleCounts = 2 };

void putDouble(QByteArray &out, double v)
{
    quint64 bits;
    std::memcpy(&bits, &v, sizeof bits);
    char b[8];
    qToLittleEndian<quint64>(bits, b);
    out.append(b, 8);
}

double getDouble(const char *p)
{
    const quint64 bits = qFromLittleEndian<quint64>(p);
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
}
} // namespace

QByteArray TensorSample::encodeHistogram() const
{
    const int n = bins();
    if (n <= 0 || edges.size() != size_t(n) + 1 || n > 65535)
        return {};
    const double lo = edges.front(), hi = edges.back();
    const double width = (hi - lo) / n;
    bool uniform = true;
    for (int b = 1; b < n && uniform; ++b)
        uniform = std::fabs(edges[size_t(b)] - (lo + b * width)) <= 1e-9 * std::max(1.0, std::fabs(hi - lo));
    bool integral = true;
    for (double c : counts)
        integral = integral && c >= 0 && c <= 4294967295.0 && c == std::floor(c);
    QByteArray out;
    out.reserve(4 + 16 + n * 8);
    out.append(char(1));
    out.append(char((uniform ? kUniform : 0) | (integral ? 0 : kDoubleCounts)));
    char b16[2];
    qToLittleEndian<quint16>(quint16(n), b16);
    out.append(b16, 2);
    if (uniform) {
        putDouble(out, lo);
        putDouble(out, hi);
    } else {
        for (double e : edges)
            putDouble(out, e);
    }
    for (double c : counts) {
        if (integral) {
            char b32[4];
            qToLittleEndian<quint32>(quint32(c), b32);
            out.append(b32, 4);
        } else {
            putDouble(out, c);
        }
    }
    return out;
}

bool TensorSample::decodeHistogram(const QByteArray &blob)
{
    edges.clear();
    counts.clear();
    if (blob.isEmpty())
        return true;
    if (blob.size() < 4 || quint8(blob[0]) != 1)
        return false;
    const quint8 flags = quint8(blob[1]);
    const int n = qFromLittleEndian<quint16>(blob.constData() + 2);
    const bool uniform = flags & kUniform;
    const bool dbl = flags & kDoubleCounts;
    const qsizetype need = 4 + (uniform ? 16 : qsizetype(n + 1) * 8) + qsizetype(n) * (dbl ? 8 : 4);
    if (n <= 0 || blob.size() != need)
        return false;
    const char *p = blob.constData() + 4;
    if (uniform) {
        const double lo = getDouble(p), hi = getDouble(p + 8);
        p += 16;
        for (int b = 0; b <= n; ++b)
            edges.push_back(b == n ? hi : lo + (hi - lo) * b / n);
    } else {
        for (int b = 0; b <= n; ++b, p += 8)
            edges.push_back(getDouble(p));
    }
    for (int b = 0; b < n; ++b) {
        if (dbl) {
            counts.push_back(getDouble(p));
            p += 8;
        } else {
            counts.push_back(double(qFromLittleEndian<quint32>(p)));
            p += 4;
        }
    }
    return true;
}

TensorSample TensorSample::fromEvent(const QJsonObject &e, QString *name, QString *collection)
{
    TensorSample s;
    if (name)
        *name = e.value(QStringLiteral("name")).toString();
    if (collection) {
        *collection = e.value(QStringLiteral("collection")).toString();
        if (collection->isEmpty())
            *collection = inferCollection(e.value(QStringLiteral("name")).toString());
    }
    s.step = qint64(e.value(QStringLiteral("step")).toDouble());
    s.timestamp = qint64(e.value(QStringLiteral("ts")).toDouble());
    s.count = qint64(e.value(QStringLiteral("count")).toDouble());
    s.nanCount = qint64(e.value(QStringLiteral("nan")).toDouble());
    s.infCount = qint64(e.value(QStringLiteral("inf")).toDouble());
    s.zeroCount = qint64(e.value(QStringLiteral("zeros")).toDouble());
    auto num = [&](const char *key) {
        const QJsonValue v = e.value(QLatin1String(key));
        return v.isUndefined() ? nan : numberFromJson(v);
    };
    s.min = num("min");
    s.max = num("max");
    s.mean = num("mean");
    s.std = num("std");
    s.l1 = num("l1");
    s.l2 = num("l2");
    const QJsonArray edges = e.value(QStringLiteral("edges")).toArray();
    const QJsonArray counts = e.value(QStringLiteral("counts")).toArray();
    if (!counts.isEmpty() && edges.size() == counts.size() + 1) {
        for (const QJsonValue &v : edges)
            s.edges.push_back(v.toDouble());
        for (const QJsonValue &v : counts)
            s.counts.push_back(v.toDouble());
    }
    // A tensor with no finite value: its statistics are undefined, not 0.
    if (s.count > 0 && s.count == s.nanCount + s.infCount)
        s.min = s.max = s.mean = s.std = nan;
    return s;
}

TensorSample TensorSample::fromStats(const TensorStats &t)
{
    TensorSample s;
    s.step = t.step;
    s.count = t.count;
    s.nanCount = t.nanCount;
    s.infCount = t.infCount;
    s.zeroCount = t.zeroCount;
    const bool any = t.count > t.nanCount + t.infCount;
    s.min = any ? t.min : nan;
    s.max = any ? t.max : nan;
    s.mean = any ? t.mean : nan;
    s.std = any ? t.std : nan;
    s.l1 = any ? t.l1 : nan;
    s.l2 = any ? t.l2 : nan;
    s.edges = t.edges;
    s.counts.assign(t.counts.begin(), t.counts.end());
    return s;
}

TensorSample TensorSample::of(const double *data, qint64 n, qint64 step, int bins)
{
    return fromStats(TensorStats::of(QString(), step, data, n, bins));
}

} // namespace cairn::debugger

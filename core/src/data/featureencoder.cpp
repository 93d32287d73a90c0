#include "cairn/data/featureencoder.h"

#include "cairn/util/error.h"

#include <QHash>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cairn::data {

namespace {
constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr double kMsPerDay = 86400000.0;

double numericValue(const Column &c, qsizetype row)
{
    const double v = c.values[size_t(row)];
    return c.type == ColumnType::Datetime ? v / kMsPerDay : v;
}
} // namespace

void FeatureEncoder::fit(const Table &table, const QStringList &columns, const FeatureEncoderOptions &options)
{
    m_options = options;
    m_features.clear();
    m_dropped.clear();
    m_width = 0;
    for (const QString &name : columns) {
        const Column &c = table.column(name);
        Feature f;
        f.column = name;
        f.type = c.type;
        if (c.type == ColumnType::Text) {
            m_dropped << name;
            continue;
        }
        if (c.isNumeric()) {
            double sum = 0, sq = 0;
            qsizetype n = 0;
            for (qsizetype r = 0; r < c.size(); ++r) {
                if (c.isMissing(r))
                    continue;
                const double v = numericValue(c, r);
                if (!std::isfinite(v))
                    continue;
                sum += v;
                sq += v * v;
                ++n;
            }
            f.mean = n ? sum / double(n) : 0;
            const double var = n ? std::max(0.0, sq / double(n) - f.mean * f.mean) : 0;
            f.scale = var > 1e-24 ? std::sqrt(var) : 1;
            m_width += 1;
        } else {
            std::vector<qsizetype> counts(size_t(c.categories.size()), 0);
            for (auto code : c.codes)
                if (code >= 0)
                    ++counts[size_t(code)];
            std::vector<int> order(counts.size());
            for (size_t i = 0; i < order.size(); ++i)
                order[i] = int(i);
            std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return counts[size_t(a)] > counts[size_t(b)]; });
            const int keep = std::min<int>(int(order.size()), std::max(1, options.maxCategories));
            order.resize(size_t(keep));
            // Keep the file's order of first appearance among the kept ones: stable, readable.
            std::sort(order.begin(), order.end());
            for (int i : order)
                if (counts[size_t(i)] > 0)
                    f.categories << c.categories.at(i);
            m_width += options.oneHot ? int(f.categories.size()) : 1;
        }
        m_features << f;
    }
}

std::vector<float> FeatureEncoder::transform(const Table &table, const QString &source) const
{
    const qsizetype rows = table.rowCount();
    std::vector<float> out(size_t(rows) * size_t(m_width), 0.0f);
    int offset = 0;
    for (const Feature &f : m_features) {
        const int ci = table.indexOf(f.column);
        if (ci < 0)
            throw Error(QStringLiteral("%1has no column '%2', which the model was trained on (expected columns: %3)")
                            .arg(source.isEmpty() ? QStringLiteral("the input ") : source + QStringLiteral(" "), f.column,
                                 inputColumns().join(QStringLiteral(", "))));
        const Column &c = table.columns.at(ci);
        const bool categorical = f.type == ColumnType::Categorical;
        if (!categorical) {
            // Numeric feature; accept an input column typed otherwise by parsing its text.
            for (qsizetype r = 0; r < rows; ++r) {
                double v;
                if (c.isMissing(r)) {
                    v = std::numeric_limits<double>::quiet_NaN();
                } else if (c.isNumeric() && (c.type == f.type || f.type == ColumnType::Numeric)) {
                    v = numericValue(c, r);
                    if (c.type == ColumnType::Datetime && f.type == ColumnType::Numeric)
                        v = c.values[size_t(r)];
                } else {
                    bool ok = false;
                    v = c.text(r).toDouble(&ok);
                    if (!ok) {
                        const QString t = c.text(r).toLower();
                        if (f.type == ColumnType::Boolean && (t == QLatin1String("true") || t == QLatin1String("yes")))
                            v = 1, ok = true;
                        else if (f.type == ColumnType::Boolean && (t == QLatin1String("false") || t == QLatin1String("no")))
                            v = 0, ok = true;
                    }
                    if (!ok)
                        v = std::numeric_limits<double>::quiet_NaN();
                }
                if (std::isnan(v)) {
                    out[size_t(r) * size_t(m_width) + size_t(offset)] = m_options.imputeMissing ? (m_options.standardize ? 0.0f : float(f.mean)) : kNaNf;
                    continue;
                }
                if (m_options.standardize)
                    v = (v - f.mean) / f.scale;
                out[size_t(r) * size_t(m_width) + size_t(offset)] = float(v);
            }
            offset += 1;
            continue;
        }
        // Categorical: map the input's categories to the model's by their text.
        QHash<QString, int> index;
        for (int i = 0; i < f.categories.size(); ++i)
            index.insert(f.categories.at(i), i);
        std::vector<int> map;
        if (!c.isNumeric()) {
            map.resize(size_t(c.categories.size()));
            for (int i = 0; i < c.categories.size(); ++i)
                map[size_t(i)] = index.value(c.categories.at(i), -1);
        }
        for (qsizetype r = 0; r < rows; ++r) {
            int k = -1;
            if (!c.isMissing(r))
                k = c.isNumeric() ? index.value(c.text(r), -1) : map[size_t(c.codes[size_t(r)])];
            float *row = out.data() + size_t(r) * size_t(m_width) + size_t(offset);
            if (m_options.oneHot) {
                if (k >= 0)
                    row[k] = 1.0f;
            } else {
                row[0] = k >= 0 ? float(k) : kNaNf;
            }
        }
        offset += m_options.oneHot ? int(f.categories.size()) : 1;
    }
    return out;
}

QStringList FeatureEncoder::featureNames() const
{
    QStringList names;
    for (const Feature &f : m_features) {
        if (f.type == ColumnType::Categorical && m_options.oneHot) {
            for (const QString &cat : f.categories)
                names << f.column + QLatin1Char('=') + cat;
        } else {
            names << f.column;
        }
    }
    return names;
}

std::vector<bool> FeatureEncoder::categoricalFeatures() const
{
    std::vector<bool> out;
    for (const Feature &f : m_features) {
        const bool cat = f.type == ColumnType::Categorical;
        if (cat && m_options.oneHot)
            out.insert(out.end(), size_t(f.categories.size()), false);
        else
            out.push_back(cat);
    }
    return out;
}

QStringList FeatureEncoder::inputColumns() const
{
    QStringList names;
    for (const Feature &f : m_features)
        names << f.column;
    return names;
}

QJsonObject FeatureEncoder::toJson() const
{
    QJsonArray features;
    for (const Feature &f : m_features) {
        QJsonObject o{{QStringLiteral("column"), f.column}, {QStringLiteral("type"), columnTypeName(f.type)}};
        if (f.type == ColumnType::Categorical)
            o.insert(QStringLiteral("categories"), QJsonArray::fromStringList(f.categories));
        else {
            o.insert(QStringLiteral("mean"), f.mean);
            o.insert(QStringLiteral("scale"), f.scale);
        }
        features.append(o);
    }
    return QJsonObject{{QStringLiteral("oneHot"), m_options.oneHot},
                       {QStringLiteral("standardize"), m_options.standardize},
                       {QStringLiteral("imputeMissing"), m_options.imputeMissing},
                       {QStringLiteral("maxCategories"), m_options.maxCategories},
                       {QStringLiteral("features"), features},
                       {QStringLiteral("dropped"), QJsonArray::fromStringList(m_dropped)},
                       {QStringLiteral("featureNames"), QJsonArray::fromStringList(featureNames())}};
}

FeatureEncoder FeatureEncoder::fromJson(const QJsonObject &json)
{
    FeatureEncoder e;
    e.m_options.oneHot = json.value(QStringLiteral("oneHot")).toBool(true);
    e.m_options.standardize = json.value(QStringLiteral("standardize")).toBool(false);
    e.m_options.imputeMissing = json.value(QStringLiteral("imputeMissing")).toBool(false);
    e.m_options.maxCategories = json.value(QStringLiteral("maxCategories")).toInt(64);
    const QJsonValue features = json.value(QStringLiteral("features"));
    if (!features.isArray())
        throw Error(QStringLiteral("the model card's preprocessing has no feature list; re-train the model"));
    for (const QJsonValue &v : features.toArray()) {
        const QJsonObject o = v.toObject();
        Feature f;
        f.column = o.value(QStringLiteral("column")).toString();
        const auto type = columnTypeFromName(o.value(QStringLiteral("type")).toString());
        if (f.column.isEmpty() || !type)
            throw Error(QStringLiteral("the model card's preprocessing has a feature without a column or type; re-train the model"));
        f.type = *type;
        for (const QJsonValue &c : o.value(QStringLiteral("categories")).toArray())
            f.categories << c.toString();
        f.mean = o.value(QStringLiteral("mean")).toDouble(0);
        f.scale = o.value(QStringLiteral("scale")).toDouble(1);
        e.m_width += (f.type == ColumnType::Categorical && e.m_options.oneHot) ? int(f.categories.size()) : 1;
        e.m_features << f;
    }
    for (const QJsonValue &d : json.value(QStringLiteral("dropped")).toArray())
        e.m_dropped << d.toString();
    return e;
}

} // namespace cairn::data

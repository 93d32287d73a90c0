// Per-feature drift following Evidently's defaults (tests for small references, distances for
// large ones), with an effect-size floor and a multiple-testing correction on top.
#include "cairn/monitor/drift.h"

#include "cairn/monitor/stattests.h"
#include "cairn/util/error.h"

#include <QHash>
#include <QJsonArray>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <cmath>
#include <numeric>
#include <thread>

namespace cairn::monitor {

namespace {

QString key(const char *s)
{
    return QString::fromLatin1(s);
}

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

double numberOf(const QJsonValue &v)
{
    return v.isDouble() ? v.toDouble() : qQNaN();
}

QJsonArray toArray(const std::vector<double> &v)
{
    QJsonArray a;
    for (double x : v)
        a.append(number(x));
    return a;
}

std::vector<double> fromArray(const QJsonValue &v)
{
    std::vector<double> out;
    for (const QJsonValue &x : v.toArray())
        out.push_back(numberOf(x));
    return out;
}

/// Present values of a column, as counts per text value (categorical view).
struct Counts
{
    QStringList keys;
    std::vector<double> counts;
    double total = 0;
};

Counts countByText(const data::Column &c)
{
    Counts out;
    if (!c.isNumeric()) {
        std::vector<double> byCode(size_t(c.categories.size()), 0.0);
        for (std::int32_t code : c.codes)
            if (code >= 0 && size_t(code) < byCode.size())
                byCode[size_t(code)] += 1;
        for (size_t i = 0; i < byCode.size(); ++i)
            if (byCode[i] > 0) {
                out.keys << c.categories.at(qsizetype(i));
                out.counts.push_back(byCode[i]);
                out.total += byCode[i];
            }
        return out;
    }
    QHash<double, double> m;
    for (double v : c.values)
        if (std::isfinite(v))
            m[v] += 1;
    std::vector<double> values;
    for (auto it = m.cbegin(); it != m.cend(); ++it)
        values.push_back(it.key());
    std::sort(values.begin(), values.end());
    for (double v : values) {
        out.keys << QString::number(v, 'g', 15);
        out.counts.push_back(m.value(v));
        out.total += m.value(v);
    }
    return out;
}

/// Both sides' counts on the union of their keys (reference order first, then new values).
void alignCounts(const Counts &ref, const Counts &cur, QStringList &keys, std::vector<double> &r, std::vector<double> &c)
{
    QHash<QString, qsizetype> index;
    keys = ref.keys;
    for (qsizetype i = 0; i < keys.size(); ++i)
        index.insert(keys.at(i), i);
    for (const QString &k : cur.keys)
        if (!index.contains(k)) {
            index.insert(k, keys.size());
            keys << k;
        }
    r.assign(size_t(keys.size()), 0.0);
    c.assign(size_t(keys.size()), 0.0);
    for (qsizetype i = 0; i < ref.keys.size(); ++i)
        r[size_t(index.value(ref.keys.at(i)))] = ref.counts[size_t(i)];
    for (qsizetype i = 0; i < cur.keys.size(); ++i)
        c[size_t(index.value(cur.keys.at(i)))] = cur.counts[size_t(i)];
}

std::vector<double> shares(const std::vector<double> &counts, double total)
{
    std::vector<double> s(counts.size());
    for (size_t i = 0; i < counts.size(); ++i)
        s[i] = total > 0 ? counts[i] / total : 0;
    return s;
}

size_t distinctSorted(const std::vector<double> &v)
{
    size_t n = 0;
    for (size_t i = 0; i < v.size(); ++i)
        if (i == 0 || v[i] != v[i - 1])
            ++n;
    return n;
}

size_t distinctUnion(const std::vector<double> &a, const std::vector<double> &b)
{
    size_t n = 0, i = 0, j = 0;
    double last = qQNaN();
    while (i < a.size() || j < b.size()) {
        const double x = j >= b.size() || (i < a.size() && a[i] <= b[j]) ? a[i++] : b[j++];
        if (n == 0 || x != last)
            ++n;
        last = x;
    }
    return n;
}

std::vector<double> presentSorted(const data::Column &c)
{
    std::vector<double> v;
    v.reserve(c.values.size());
    for (double x : c.values)
        if (std::isfinite(x))
            v.push_back(x);
    std::sort(v.begin(), v.end());
    return v;
}

/// Limits what an overlay stores for a column with very many values.
void trimHistogram(DriftHistogram &h, int keep = 50)
{
    if (h.categories.size() <= keep)
        return;
    std::vector<size_t> order(size_t(h.categories.size()));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return std::max(h.reference[a], h.current[a]) > std::max(h.reference[b], h.current[b]);
    });
    DriftHistogram t;
    double restR = 1, restC = 1;
    for (int i = 0; i < keep - 1; ++i) {
        const size_t k = order[size_t(i)];
        t.categories << h.categories.at(qsizetype(k));
        t.reference.push_back(h.reference[k]);
        t.current.push_back(h.current[k]);
        restR -= h.reference[k];
        restC -= h.current[k];
    }
    t.categories << QStringLiteral("(other)");
    t.reference.push_back(std::max(0.0, restR));
    t.current.push_back(std::max(0.0, restC));
    h = t;
}

bool isTest(const QString &method)
{
    return method == QLatin1String("ks") || method == QLatin1String("chisquare") || method == QLatin1String("z");
}

FeatureDrift driftOf(const data::Column &ref, const data::Column &cur, qsizetype referenceRows, const DriftOptions &o)
{
    FeatureDrift f;
    f.name = ref.name;
    if (ref.type == data::ColumnType::Text || cur.type == data::ColumnType::Text) {
        // Free text (names, ids): every value is new, so a distribution test says nothing.
        f.kind = QStringLiteral("text");
        f.method = QStringLiteral("none");
        return f;
    }
    const bool numeric = ref.isNumeric() && cur.isNumeric();
    std::vector<double> a, b;
    Counts rc, cc;
    size_t nValues = 0;
    size_t refDistinct = 0;
    if (numeric) {
        a = presentSorted(ref);
        b = presentSorted(cur);
        nValues = distinctUnion(a, b);
        refDistinct = distinctSorted(a);
        f.referenceCount = qint64(a.size());
        f.currentCount = qint64(b.size());
    } else {
        rc = countByText(ref);
        cc = countByText(cur);
        f.referenceCount = qint64(rc.total);
        f.currentCount = qint64(cc.total);
    }
    QStringList keys;
    std::vector<double> r, c;
    const bool asCategories = !numeric || nValues <= size_t(o.numericMinDistinct);
    if (asCategories) {
        if (numeric) { // a numeric column with few values is compared value by value
            rc = countByText(ref);
            cc = countByText(cur);
        }
        alignCounts(rc, cc, keys, r, c);
        nValues = size_t(keys.size());
    }
    f.kind = nValues <= 2 ? QStringLiteral("binary") : asCategories ? QStringLiteral("categorical") : QStringLiteral("numeric");
    if (f.referenceCount == 0 || f.currentCount == 0) {
        f.method = QStringLiteral("none");
        return f;
    }

    QString method = o.method;
    if (method.isEmpty()) {
        if (referenceRows <= o.smallReferenceRows)
            method = asCategories ? (nValues > 2 ? QStringLiteral("chisquare") : QStringLiteral("z")) : QStringLiteral("ks");
        else
            method = asCategories ? QStringLiteral("jensenshannon") : QStringLiteral("wasserstein");
    }
    if (asCategories && (method == QLatin1String("ks") || method == QLatin1String("wasserstein")))
        method = nValues > 2 ? QStringLiteral("chisquare") : QStringLiteral("z");
    f.method = method;

    // Binned shares (Evidently's get_binned_data): Sturges bins for numeric columns with more
    // than 20 reference values, else one bin per value. They feed PSI, JS and the overlay.
    if (!asCategories && refDistinct > 20) {
        f.histogram.edges = stats::sturgesEdges(a, b);
        f.histogram.reference = shares(stats::histogramCounts(a, f.histogram.edges), double(a.size()));
        f.histogram.current = shares(stats::histogramCounts(b, f.histogram.edges), double(b.size()));
    } else {
        if (!asCategories) {
            Counts ra = countByText(ref), ca = countByText(cur);
            alignCounts(ra, ca, keys, r, c);
        }
        f.histogram.categories = keys;
        f.histogram.reference = shares(r, double(f.referenceCount));
        f.histogram.current = shares(c, double(f.currentCount));
    }
    f.psi = stats::psi(f.histogram.reference, f.histogram.current);

    if (method == QLatin1String("ks")) {
        const stats::TestResult t = stats::ks2sampSorted(a, b);
        f.statistic = t.statistic;
        f.pValue = t.pValue;
        f.effectSize = t.statistic;
    } else if (method == QLatin1String("chisquare")) {
        const double k = double(f.currentCount) / double(f.referenceCount);
        std::vector<double> expected(r.size());
        for (size_t i = 0; i < r.size(); ++i)
            expected[i] = r[i] * k;
        const stats::TestResult t = stats::chiSquare(c, expected);
        f.statistic = t.statistic;
        f.pValue = t.pValue;
        f.effectSize = stats::cramersV(r, c);
    } else if (method == QLatin1String("z")) {
        if (keys.size() <= 1) {
            f.statistic = 0;
            f.pValue = 1;
            f.effectSize = 0;
        } else {
            // Share of rows that are not the first value, on each side.
            const double ra = double(f.referenceCount) - r[0], ca = double(f.currentCount) - c[0];
            const stats::TestResult t = stats::proportionZTest(ra, double(f.referenceCount), ca, double(f.currentCount));
            f.statistic = t.statistic;
            f.pValue = t.pValue;
            f.effectSize = std::fabs(stats::cohensH(ra / double(f.referenceCount), ca / double(f.currentCount)));
        }
    } else if (method == QLatin1String("wasserstein")) {
        double mean = std::accumulate(a.begin(), a.end(), 0.0) / double(a.size());
        double ss = 0;
        for (double x : a)
            ss += (x - mean) * (x - mean);
        const double sd = std::max(std::sqrt(ss / double(a.size())), 0.001);
        f.distance = stats::wassersteinDistanceSorted(a, b) / sd;
        f.statistic = f.distance;
    } else if (method == QLatin1String("jensenshannon")) {
        f.distance = stats::jensenShannon(f.histogram.reference, f.histogram.current);
        f.statistic = f.distance;
    } else if (method == QLatin1String("psi")) {
        f.distance = f.psi;
        f.statistic = f.psi;
    } else {
        throw Error(QStringLiteral("unknown drift method '%1' (ks, chisquare, z, wasserstein, jensenshannon, psi)").arg(method));
    }
    if (isTest(method))
        f.threshold = o.pValueThreshold;
    else
        f.threshold = o.featureThresholds.value(f.name, o.distanceThreshold);
    trimHistogram(f.histogram);
    return f;
}

} // namespace

QJsonObject DriftHistogram::toJson() const
{
    QJsonObject o{{key("reference"), toArray(reference)}, {key("current"), toArray(current)}};
    if (!edges.empty())
        o.insert(key("edges"), toArray(edges));
    else
        o.insert(key("categories"), QJsonArray::fromStringList(categories));
    return o;
}

DriftHistogram DriftHistogram::fromJson(const QJsonObject &o)
{
    DriftHistogram h;
    h.edges = fromArray(o.value(key("edges")));
    for (const QJsonValue &v : o.value(key("categories")).toArray())
        h.categories << v.toString();
    h.reference = fromArray(o.value(key("reference")));
    h.current = fromArray(o.value(key("current")));
    return h;
}

double FeatureDrift::score() const
{
    if (!std::isnan(distance))
        return distance;
    const double p = std::isnan(adjustedPValue) ? pValue : adjustedPValue;
    return std::isnan(p) ? 0 : 1 - p;
}

QJsonObject FeatureDrift::toJson() const
{
    return {{key("name"), name},
            {key("kind"), kind},
            {key("method"), method},
            {key("statistic"), number(statistic)},
            {key("p_value"), number(pValue)},
            {key("adjusted_p_value"), number(adjustedPValue)},
            {key("effect_size"), number(effectSize)},
            {key("distance"), number(distance)},
            {key("psi"), number(psi)},
            {key("threshold"), threshold},
            {key("drifted"), drifted},
            {key("reference_count"), double(referenceCount)},
            {key("current_count"), double(currentCount)},
            {key("histogram"), histogram.toJson()}};
}

FeatureDrift FeatureDrift::fromJson(const QJsonObject &o)
{
    FeatureDrift f;
    f.name = o.value(key("name")).toString();
    f.kind = o.value(key("kind")).toString();
    f.method = o.value(key("method")).toString();
    f.statistic = numberOf(o.value(key("statistic")));
    f.pValue = numberOf(o.value(key("p_value")));
    f.adjustedPValue = numberOf(o.value(key("adjusted_p_value")));
    f.effectSize = numberOf(o.value(key("effect_size")));
    f.distance = numberOf(o.value(key("distance")));
    f.psi = numberOf(o.value(key("psi")));
    f.threshold = o.value(key("threshold")).toDouble();
    f.drifted = o.value(key("drifted")).toBool();
    f.referenceCount = qint64(o.value(key("reference_count")).toDouble());
    f.currentCount = qint64(o.value(key("current_count")).toDouble());
    f.histogram = DriftHistogram::fromJson(o.value(key("histogram")).toObject());
    return f;
}

int DriftReport::driftedCount() const
{
    return int(std::count_if(features.begin(), features.end(), [](const FeatureDrift &f) { return f.drifted; }));
}

double DriftReport::driftShare() const
{
    return features.isEmpty() ? 0 : double(driftedCount()) / double(features.size());
}

bool DriftReport::datasetDrift(double share) const
{
    return !features.isEmpty() && driftShare() >= share;
}

const FeatureDrift *DriftReport::feature(const QString &name) const
{
    for (const FeatureDrift &f : features)
        if (f.name == name)
            return &f;
    return nullptr;
}

QJsonObject DriftReport::toJson() const
{
    QJsonArray a;
    for (const FeatureDrift &f : features)
        a.append(f.toJson());
    return {{key("reference_rows"), double(referenceRows)},
            {key("current_rows"), double(currentRows)},
            {key("correction"), correction},
            {key("drifted_features"), driftedCount()},
            {key("drift_share"), driftShare()},
            {key("missing_columns"), QJsonArray::fromStringList(missingColumns)},
            {key("extra_columns"), QJsonArray::fromStringList(extraColumns)},
            {key("features"), a}};
}

DriftReport DriftReport::fromJson(const QJsonObject &o)
{
    DriftReport r;
    r.referenceRows = qint64(o.value(key("reference_rows")).toDouble());
    r.currentRows = qint64(o.value(key("current_rows")).toDouble());
    r.correction = o.value(key("correction")).toString();
    for (const QJsonValue &v : o.value(key("missing_columns")).toArray())
        r.missingColumns << v.toString();
    for (const QJsonValue &v : o.value(key("extra_columns")).toArray())
        r.extraColumns << v.toString();
    for (const QJsonValue &v : o.value(key("features")).toArray())
        r.features << FeatureDrift::fromJson(v.toObject());
    return r;
}

namespace {

QString fmt(double v, int precision = 4)
{
    if (std::isnan(v))
        return QStringLiteral("–");
    if (v != 0 && std::fabs(v) < 1e-4)
        return QString::number(v, 'e', 2);
    return QString::number(v, 'f', precision);
}

QString methodName(const QString &m)
{
    if (m == QLatin1String("ks"))
        return QStringLiteral("Kolmogorov–Smirnov");
    if (m == QLatin1String("chisquare"))
        return QStringLiteral("chi-squared");
    if (m == QLatin1String("z"))
        return QStringLiteral("z-test (proportions)");
    if (m == QLatin1String("wasserstein"))
        return QStringLiteral("Wasserstein (normed)");
    if (m == QLatin1String("jensenshannon"))
        return QStringLiteral("Jensen–Shannon");
    if (m == QLatin1String("psi"))
        return QStringLiteral("PSI");
    return m;
}

QString htmlEscape(const QString &s)
{
    return s.toHtmlEscaped();
}

/// Baseline (grey) and current (orange) shares side by side as a small SVG.
QString overlaySvg(const DriftHistogram &h)
{
    const size_t n = h.reference.size();
    if (n == 0)
        return {};
    double top = 0;
    for (size_t i = 0; i < n; ++i)
        top = std::max({top, h.reference[i], i < h.current.size() ? h.current[i] : 0.0});
    if (top <= 0)
        top = 1;
    const double w = 160, hgt = 40, bw = w / double(n);
    QString s = QStringLiteral("<svg width=\"%1\" height=\"%2\" viewBox=\"0 0 %1 %2\">").arg(w).arg(hgt);
    for (size_t i = 0; i < n; ++i) {
        const double rh = h.reference[i] / top * hgt, ch = (i < h.current.size() ? h.current[i] : 0) / top * hgt;
        s += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" fill=\"#9aa5b1\"/>").arg(i * bw).arg(hgt - rh).arg(bw * 0.5).arg(rh);
        s += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" fill=\"#e8833a\"/>").arg(i * bw + bw * 0.5).arg(hgt - ch).arg(bw * 0.5).arg(ch);
    }
    return s + QStringLiteral("</svg>");
}

} // namespace

QString DriftReport::toMarkdown(const QString &title) const
{
    QString s = QStringLiteral("# %1\n\n").arg(title.isEmpty() ? QStringLiteral("Drift report") : title);
    s += QStringLiteral("Reference rows: %1 · current rows: %2 · drifted features: %3 of %4 (%5%) · p-values corrected: %6\n\n")
             .arg(referenceRows).arg(currentRows).arg(driftedCount()).arg(features.size()).arg(driftShare() * 100, 0, 'f', 1).arg(correction);
    if (!missingColumns.isEmpty())
        s += QStringLiteral("Missing columns: %1\n\n").arg(missingColumns.join(QStringLiteral(", ")));
    if (!extraColumns.isEmpty())
        s += QStringLiteral("Extra columns: %1\n\n").arg(extraColumns.join(QStringLiteral(", ")));
    s += QStringLiteral("| feature | kind | method | statistic | p-value | adjusted p | effect size | distance | PSI | threshold | drift |\n"
                        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (const FeatureDrift &f : features)
        s += QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 | %8 | %9 | %10 | %11 |\n")
                 .arg(f.name, f.kind, methodName(f.method), fmt(f.statistic), fmt(f.pValue), fmt(f.adjustedPValue), fmt(f.effectSize),
                      fmt(f.distance), fmt(f.psi))
                 .arg(fmt(f.threshold, 3), f.drifted ? QStringLiteral("**drift**") : QStringLiteral("no"));
    return s;
}

QString DriftReport::toHtml(const QString &title) const
{
    const QString t = htmlEscape(title.isEmpty() ? QStringLiteral("Drift report") : title);
    QString s = QStringLiteral("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>%1</title><style>"
                               "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                               "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
                               ".drift{color:#b00;font-weight:bold}</style></head><body><h1>%1</h1>")
                    .arg(t);
    s += QStringLiteral("<p>Reference rows: %1 · current rows: %2 · drifted features: %3 of %4 · p-values corrected: %5. "
                        "Grey: reference, orange: current.</p>")
             .arg(referenceRows).arg(currentRows).arg(driftedCount()).arg(features.size()).arg(htmlEscape(correction));
    if (!missingColumns.isEmpty())
        s += QStringLiteral("<p>Missing columns: %1</p>").arg(htmlEscape(missingColumns.join(QStringLiteral(", "))));
    if (!extraColumns.isEmpty())
        s += QStringLiteral("<p>Extra columns: %1</p>").arg(htmlEscape(extraColumns.join(QStringLiteral(", "))));
    s += QStringLiteral("<table><tr><th>feature</th><th>method</th><th>statistic</th><th>p-value</th><th>adjusted p</th>"
                        "<th>effect size</th><th>distance</th><th>PSI</th><th>threshold</th><th>drift</th><th>distribution</th></tr>");
    for (const FeatureDrift &f : features)
        s += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td><td>%7</td><td>%8</td><td>%9</td>%10<td>%11</td></tr>")
                 .arg(htmlEscape(f.name), htmlEscape(methodName(f.method)), fmt(f.statistic), fmt(f.pValue), fmt(f.adjustedPValue),
                      fmt(f.effectSize), fmt(f.distance), fmt(f.psi), fmt(f.threshold, 3))
                 .arg(f.drifted ? QStringLiteral("<td class=\"drift\">drift</td>") : QStringLiteral("<td>no</td>"), overlaySvg(f.histogram));
    return s + QStringLiteral("</table></body></html>\n");
}

DriftReport computeDrift(const data::Table &reference, const data::Table &current, const DriftOptions &options)
{
    if (reference.rowCount() == 0)
        throw Error(QStringLiteral("the reference data has no rows"));
    DriftReport report;
    report.referenceRows = reference.rowCount();
    report.currentRows = current.rowCount();
    report.correction = options.correction == DriftOptions::Correction::BenjaminiHochberg ? QStringLiteral("benjamini-hochberg")
                        : options.correction == DriftOptions::Correction::Bonferroni     ? QStringLiteral("bonferroni")
                                                                                          : QStringLiteral("none");
    std::vector<std::pair<int, int>> pairs;
    for (int i = 0; i < reference.columnCount(); ++i) {
        const int j = current.indexOf(reference.columns.at(i).name);
        if (j < 0)
            report.missingColumns << reference.columns.at(i).name;
        else
            pairs.emplace_back(i, j);
    }
    for (const data::Column &c : current.columns)
        if (reference.indexOf(c.name) < 0)
            report.extraColumns << c.name;

    std::vector<FeatureDrift> results(pairs.size());
    std::atomic<size_t> next{0};
    std::exception_ptr failure;
    std::mutex failureMutex;
    auto work = [&] {
        for (size_t k; (k = next.fetch_add(1)) < pairs.size();) {
            try {
                results[k] = driftOf(reference.columns.at(pairs[k].first), current.columns.at(pairs[k].second), reference.rowCount(), options);
            } catch (...) {
                std::lock_guard<std::mutex> lock(failureMutex);
                failure = std::current_exception();
            }
        }
    };
    const int threads = std::clamp(options.threads > 0 ? options.threads : QThread::idealThreadCount(), 1, std::max<int>(1, int(pairs.size())));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (std::thread &t : pool)
        t.join();
    if (failure)
        std::rethrow_exception(failure);

    // Multiple-testing correction over the features that were tested.
    std::vector<double> p;
    for (const FeatureDrift &f : results)
        p.push_back(isTest(f.method) ? f.pValue : qQNaN());
    const std::vector<double> adjusted = options.correction == DriftOptions::Correction::BenjaminiHochberg ? stats::benjaminiHochberg(p)
                                         : options.correction == DriftOptions::Correction::Bonferroni     ? stats::bonferroni(p)
                                                                                                           : p;
    for (size_t k = 0; k < results.size(); ++k) {
        FeatureDrift &f = results[k];
        if (isTest(f.method)) {
            f.adjustedPValue = adjusted[k];
            const bool significant = f.adjustedPValue < f.threshold;
            const bool large = options.effectSizeThreshold <= 0 || (!std::isnan(f.effectSize) && f.effectSize >= options.effectSizeThreshold);
            f.drifted = significant && large;
        } else if (f.method != QLatin1String("none")) {
            f.drifted = f.distance >= f.threshold;
        }
        report.features << f;
    }
    return report;
}

} // namespace cairn::monitor

#include "cairn/data/featureencoder.h"

#include "cairn/util/error.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QLocale>
#include <QSet>
#include <QTimeZone>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace cairn::data {

namespace {
constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMsPerDay = 86400000.0;

using Encoding = FeatureEncoder::Encoding;

double numericValue(const Column &c, qsizetype row)
{
    const double v = c.values[size_t(row)];
    return c.type == ColumnType::Datetime ? v / kMsPerDay : v;
}

QString encodingName(Encoding e)
{
    switch (e) {
    case Encoding::Number: return QStringLiteral("number");
    case Encoding::OneHot: return QStringLiteral("onehot");
    case Encoding::Ordinal: return QStringLiteral("ordinal");
    case Encoding::Target: return QStringLiteral("target");
    case Encoding::DatetimeParts: return QStringLiteral("datetime_parts");
    case Encoding::Text: return QStringLiteral("text");
    }
    return {};
}

std::optional<Encoding> encodingFromName(const QString &n)
{
    for (Encoding e : {Encoding::Number, Encoding::OneHot, Encoding::Ordinal, Encoding::Target, Encoding::DatetimeParts, Encoding::Text})
        if (encodingName(e) == n)
            return e;
    return std::nullopt;
}

/// A number feature's value in `c`, which may be typed otherwise than at training (it is then
/// parsed from its text).
double numberAt(ColumnType want, const Column &c, qsizetype r)
{
    if (c.isMissing(r))
        return kNaN;
    if (c.isNumeric() && (c.type == want || want == ColumnType::Numeric))
        return c.type == ColumnType::Datetime && want == ColumnType::Numeric ? c.values[size_t(r)] : numericValue(c, r);
    const QString text = c.text(r);
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (ok)
        return v;
    if (want == ColumnType::Boolean) {
        const QString t = text.toLower();
        if (t == QLatin1String("true") || t == QLatin1String("yes"))
            return 1;
        if (t == QLatin1String("false") || t == QLatin1String("no"))
            return 0;
    }
    return kNaN;
}

/// Milliseconds since the epoch (UTC wall time, as the CSV reader stores datetimes).
double datetimeAt(const Column &c, qsizetype r)
{
    if (c.isMissing(r))
        return kNaN;
    if (c.type == ColumnType::Datetime)
        return c.values[size_t(r)];
    QString t = c.text(r).trimmed();
    if (t.size() >= 10 && t.at(4) == QLatin1Char('/') && t.at(7) == QLatin1Char('/'))
        t[4] = t[7] = QLatin1Char('-');
    if (t.size() > 10 && t.at(10) == QLatin1Char(' '))
        t[10] = QLatin1Char('T');
    QDateTime dt = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (!dt.isValid())
        dt = QDateTime::fromString(t, Qt::ISODate);
    if (!dt.isValid())
        return kNaN;
    if (dt.timeSpec() == Qt::LocalTime)
        dt = QDateTime(dt.date(), dt.time(), QTimeZone::utc());
    return double(dt.toMSecsSinceEpoch());
}

/// year, month, day, day of week (Monday = 0), hour of a UTC timestamp.
void datetimeParts(double ms, double out[5])
{
    const qint64 days = qint64(std::floor(ms / kMsPerDay));
    const double inDay = ms - double(days) * kMsPerDay;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    const qint64 z = days + 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 doe = z - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const qint64 d = doy - (153 * mp + 2) / 5 + 1;
    const qint64 m = mp < 10 ? mp + 3 : mp - 9;
    out[0] = double(yoe + era * 400 + (m <= 2 ? 1 : 0));
    out[1] = double(m);
    out[2] = double(d);
    out[3] = double(((days % 7) + 7 + 3) % 7); // 1970-01-01 was a Thursday
    out[4] = std::floor(inDay / 3600000.0);
}

int partIndex(const QString &part)
{
    static const QStringList all{QStringLiteral("year"), QStringLiteral("month"), QStringLiteral("day"), QStringLiteral("dayofweek"),
                                 QStringLiteral("hour")};
    return int(all.indexOf(part));
}

/// Lowercase runs of letters and digits.
QStringList wordsOf(const QString &text)
{
    QStringList words;
    QString current;
    for (const QChar ch : text) {
        if (ch.isLetterOrNumber()) {
            current += ch.toLower();
        } else if (!current.isEmpty()) {
            words << current;
            current.clear();
        }
    }
    if (!current.isEmpty())
        words << current;
    return words;
}

/// Tokens that may become indicators: words of two or more characters.
bool indicatorToken(const QString &w) { return w.size() >= 2; }

struct Moments
{
    double sum = 0, sq = 0;
    qsizetype n = 0;
    void add(double v)
    {
        if (!std::isfinite(v))
            return;
        sum += v;
        sq += v * v;
        ++n;
    }
    double mean() const { return n ? sum / double(n) : 0; }
    double scale() const
    {
        const double m = mean();
        const double var = n ? std::max(0.0, sq / double(n) - m * m) : 0;
        return var > 1e-24 ? std::sqrt(var) : 1;
    }
};

double median(std::vector<double> v)
{
    v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
    if (v.empty())
        return 0;
    const size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + qsizetype(mid), v.end());
    const double hi = v[mid];
    if (v.size() % 2)
        return hi;
    return (*std::max_element(v.begin(), v.begin() + qsizetype(mid)) + hi) / 2;
}

QJsonArray toArray(const std::vector<double> &v)
{
    QJsonArray a;
    for (double x : v)
        a.append(x);
    return a;
}

std::vector<double> fromArray(const QJsonValue &v)
{
    std::vector<double> out;
    for (const QJsonValue &x : v.toArray())
        out.push_back(x.toDouble(kNaN));
    return out;
}

QStringList names(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &x : v.toArray())
        out << x.toString();
    return out;
}

QStringList outputNames(const FeatureEncoder::Feature &f)
{
    QStringList out;
    switch (f.encoding) {
    case Encoding::Number:
        out << f.column;
        break;
    case Encoding::OneHot:
        for (const QString &cat : f.categories)
            out << f.column + QLatin1Char('=') + cat;
        break;
    case Encoding::Ordinal:
        out << f.column;
        break;
    case Encoding::Target:
        if (f.targetNames.isEmpty())
            out << f.column + QStringLiteral("_te");
        else
            for (const QString &n : f.targetNames)
                out << f.column + QStringLiteral("_te=") + n;
        break;
    case Encoding::DatetimeParts:
        for (const QString &p : f.parts)
            out << f.column + QLatin1Char(':') + p;
        break;
    case Encoding::Text:
        out << f.column + QStringLiteral(":length") << f.column + QStringLiteral(":words");
        for (const QString &t : f.tokens)
            out << f.column + QStringLiteral(":word=") + t;
        break;
    }
    if (f.missingIndicator)
        out << f.column + QStringLiteral("_missing");
    return out;
}

} // namespace

QString categoricalEncodingName(CategoricalEncoding encoding)
{
    switch (encoding) {
    case CategoricalEncoding::Default: return QStringLiteral("default");
    case CategoricalEncoding::OneHot: return QStringLiteral("onehot");
    case CategoricalEncoding::Ordinal: return QStringLiteral("ordinal");
    case CategoricalEncoding::Target: return QStringLiteral("target");
    case CategoricalEncoding::Auto: return QStringLiteral("auto");
    }
    return {};
}

std::optional<CategoricalEncoding> categoricalEncodingFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    for (CategoricalEncoding e : {CategoricalEncoding::Default, CategoricalEncoding::OneHot, CategoricalEncoding::Ordinal,
                                  CategoricalEncoding::Target, CategoricalEncoding::Auto})
        if (categoricalEncodingName(e) == n)
            return e;
    if (n == QLatin1String("one-hot"))
        return CategoricalEncoding::OneHot;
    return std::nullopt;
}

EncoderTarget EncoderTarget::regression(std::vector<double> values)
{
    EncoderTarget t;
    t.values = std::move(values);
    return t;
}

EncoderTarget EncoderTarget::classification(std::vector<int> labels, QStringList classes)
{
    EncoderTarget t;
    t.labels = std::move(labels);
    t.classes = std::move(classes);
    return t;
}

int FeatureEncoder::Feature::width() const
{
    int w = 0;
    switch (encoding) {
    case Encoding::Number: w = 1; break;
    case Encoding::OneHot: w = int(categories.size()); break;
    case Encoding::Ordinal: w = 1; break;
    case Encoding::Target: w = int(targetPrior.size()); break;
    case Encoding::DatetimeParts: w = int(parts.size()); break;
    case Encoding::Text: w = 2 + int(tokens.size()); break;
    }
    return w + (missingIndicator ? 1 : 0);
}

void FeatureEncoder::fit(const Table &table, const QStringList &columns, const FeatureEncoderOptions &options)
{
    fitImpl(table, columns, options, nullptr, nullptr);
}

void FeatureEncoder::fit(const Table &table, const QStringList &columns, const FeatureEncoderOptions &options, const EncoderTarget &target)
{
    fitImpl(table, columns, options, &target, nullptr);
}

void FeatureEncoder::fitImpl(const Table &table, const QStringList &columns, const FeatureEncoderOptions &options,
                             const EncoderTarget *target, std::vector<std::vector<double>> *outOfFold)
{
    m_options = options;
    m_features.clear();
    m_dropped.clear();
    m_width = 0;
    const qsizetype rows = table.rowCount();
    const bool hasTarget = target && !target->isEmpty();
    if (hasTarget) {
        const size_t n = target->isClassification() ? target->labels.size() : target->values.size();
        if (qsizetype(n) != rows)
            throw Error(QStringLiteral("the target has %1 values for %2 rows").arg(n).arg(rows));
    }
    if (outOfFold)
        outOfFold->clear();

    // Target encoding: rows in seeded folds, each row encoded from the other folds only.
    std::vector<int> fold;
    int folds = 0;
    auto assignFolds = [&] {
        if (!fold.empty() || rows == 0)
            return;
        folds = int(std::clamp<qsizetype>(options.targetFolds, 2, std::max<qsizetype>(2, rows)));
        std::vector<qsizetype> order(static_cast<size_t>(rows));
        std::iota(order.begin(), order.end(), qsizetype(0));
        std::mt19937_64 rng(options.seed);
        std::shuffle(order.begin(), order.end(), rng);
        fold.assign(size_t(rows), 0);
        for (size_t i = 0; i < order.size(); ++i)
            fold[size_t(order[i])] = int(i % size_t(folds));
    };
    // Per row and output: the value the target contributes (NaN: unknown target).
    auto targetValue = [&](qsizetype r, int output) -> double {
        if (!target->isClassification())
            return target->values[size_t(r)];
        const int label = target->labels[size_t(r)];
        if (label < 0)
            return kNaN;
        const int positive = target->outputs() == 1 ? 1 : output;
        return label == positive ? 1.0 : 0.0;
    };

    for (const QString &name : columns) {
        const Column &c = table.column(name);
        Feature f;
        f.column = name;
        f.type = c.type;
        std::vector<double> oof;
        if (c.type == ColumnType::Text) {
            if (!options.textFeatures) {
                m_dropped << name;
                continue;
            }
            f.encoding = Encoding::Text;
            QHash<QString, qsizetype> documents;
            Moments length, words;
            for (qsizetype r = 0; r < rows; ++r) {
                const QString text = c.text(r);
                const QStringList w = wordsOf(text);
                length.add(double(text.size()));
                words.add(double(w.size()));
                QSet<QString> seen;
                for (const QString &t : w)
                    if (indicatorToken(t) && !seen.contains(t)) {
                        seen.insert(t);
                        ++documents[t];
                    }
            }
            const qsizetype minRows = std::max<qsizetype>(2, qsizetype(std::ceil(options.textMinFrequency * double(rows) - 1e-9)));
            QList<QPair<QString, qsizetype>> frequent;
            for (auto it = documents.cbegin(); it != documents.cend(); ++it)
                if (it.value() >= minRows)
                    frequent.append({it.key(), it.value()});
            std::sort(frequent.begin(), frequent.end(), [](const auto &a, const auto &b) {
                return a.second != b.second ? a.second > b.second : a.first < b.first;
            });
            for (qsizetype i = 0; i < frequent.size() && i < options.textTokens; ++i)
                f.tokens << frequent.at(i).first;
            f.means = {length.mean(), words.mean()};
            f.scales = {length.scale(), words.scale()};
        } else if (c.type == ColumnType::Datetime && options.datetimeParts) {
            f.encoding = Encoding::DatetimeParts;
            std::vector<std::vector<double>> values(5, std::vector<double>(size_t(rows), kNaN));
            QSet<qint64> timesOfDay;
            bool missing = false;
            for (qsizetype r = 0; r < rows; ++r) {
                const double ms = c.values[size_t(r)];
                if (!std::isfinite(ms)) {
                    missing = true;
                    continue;
                }
                double p[5];
                datetimeParts(ms, p);
                for (int i = 0; i < 5; ++i)
                    values[size_t(i)][size_t(r)] = p[i];
                if (timesOfDay.size() < 2)
                    timesOfDay.insert(qint64(ms - std::floor(ms / kMsPerDay) * kMsPerDay));
            }
            f.parts = QStringList{QStringLiteral("year"), QStringLiteral("month"), QStringLiteral("day"), QStringLiteral("dayofweek")};
            if (timesOfDay.size() > 1)
                f.parts << QStringLiteral("hour");
            for (int i = 0; i < f.parts.size(); ++i) {
                Moments m;
                for (double v : values[size_t(i)])
                    m.add(v);
                f.means.push_back(m.mean());
                f.scales.push_back(m.scale());
                f.fills.push_back(options.imputeMedian ? median(values[size_t(i)]) : m.mean());
            }
            f.missingIndicator = options.missingIndicators && missing;
        } else if (c.isNumeric()) {
            f.encoding = Encoding::Number;
            Moments m;
            std::vector<double> values;
            values.reserve(size_t(rows));
            bool missing = false;
            for (qsizetype r = 0; r < rows; ++r) {
                if (c.isMissing(r)) {
                    missing = true;
                    continue;
                }
                const double v = numericValue(c, r);
                m.add(v);
                values.push_back(v);
            }
            f.mean = m.mean();
            f.scale = m.scale();
            f.fill = options.imputeMedian ? median(std::move(values)) : f.mean;
            f.missingIndicator = options.missingIndicators && missing;
        } else {
            std::vector<qsizetype> counts(size_t(c.categories.size()), 0);
            for (auto code : c.codes)
                if (code >= 0)
                    ++counts[size_t(code)];
            const qsizetype distinct = std::count_if(counts.begin(), counts.end(), [](qsizetype n) { return n > 0; });
            const Encoding codesOrIndicators = options.oneHot ? Encoding::OneHot : Encoding::Ordinal;
            switch (options.categoricalEncoding) {
            case CategoricalEncoding::Default: f.encoding = codesOrIndicators; break;
            case CategoricalEncoding::OneHot: f.encoding = Encoding::OneHot; break;
            case CategoricalEncoding::Ordinal: f.encoding = Encoding::Ordinal; break;
            case CategoricalEncoding::Target:
                if (!hasTarget)
                    throw Error(QStringLiteral("target encoding of '%1' needs a target column; use \"auto\", \"onehot\" or \"ordinal\"").arg(name));
                f.encoding = Encoding::Target;
                break;
            case CategoricalEncoding::Auto:
                f.encoding = distinct <= options.oneHotMaxCardinality ? codesOrIndicators : hasTarget ? Encoding::Target : Encoding::Ordinal;
                break;
            }
            std::vector<int> order;
            for (size_t i = 0; i < counts.size(); ++i)
                if (counts[i] > 0)
                    order.push_back(int(i));
            if (f.encoding != Encoding::Target) {
                std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return counts[size_t(a)] > counts[size_t(b)]; });
                order.resize(std::min(order.size(), size_t(std::max(1, options.maxCategories))));
                // Keep the file's order of first appearance among the kept ones: stable, readable.
                std::sort(order.begin(), order.end());
            }
            std::vector<int> indexOfCode(size_t(c.categories.size()), -1);
            for (int i : order) {
                indexOfCode[size_t(i)] = int(f.categories.size());
                f.categories << c.categories.at(i);
            }
            if (f.encoding == Encoding::Target) {
                assignFolds();
                const int outputs = target->outputs();
                if (outputs > 1)
                    f.targetNames = target->classes;
                const int k = int(f.categories.size());
                const double m = std::max(0.0, options.targetSmoothing);
                // Sums and counts per fold, category and output; totals come from summing folds.
                std::vector<double> sum(size_t(folds) * size_t(k + 1) * size_t(outputs), 0.0);
                std::vector<double> count(size_t(folds) * size_t(k + 1), 0.0);
                auto at = [&](int fo, int cat) { return size_t(fo) * size_t(k + 1) + size_t(cat); };
                for (qsizetype r = 0; r < rows; ++r) {
                    if (std::isnan(targetValue(r, 0)))
                        continue;
                    const int code = c.codes[size_t(r)];
                    const int cat = code >= 0 ? indexOfCode[size_t(code)] : k; // k: missing
                    const int fo = fold[size_t(r)];
                    count[at(fo, cat)] += 1;
                    for (int o = 0; o < outputs; ++o)
                        sum[at(fo, cat) * size_t(outputs) + size_t(o)] += targetValue(r, o);
                }
                // Sums and counts over a set of folds, added up fold by fold (not total minus
                // fold) so a row's out-of-fold encoding does not depend on its own target at all.
                struct Stats
                {
                    std::vector<double> sum, count, prior;
                };
                const size_t width = size_t(outputs);
                auto statsWithout = [&](int skipped) {
                    Stats st;
                    st.sum.assign(size_t(k + 1) * width, 0.0);
                    st.count.assign(size_t(k + 1), 0.0);
                    st.prior.assign(width, 0.0);
                    for (int fo = 0; fo < folds; ++fo) {
                        if (fo == skipped)
                            continue;
                        for (int cat = 0; cat <= k; ++cat) {
                            st.count[size_t(cat)] += count[at(fo, cat)];
                            for (size_t o = 0; o < width; ++o)
                                st.sum[size_t(cat) * width + o] += sum[at(fo, cat) * width + o];
                        }
                    }
                    double n = 0;
                    for (int cat = 0; cat <= k; ++cat) {
                        n += st.count[size_t(cat)];
                        for (size_t o = 0; o < width; ++o)
                            st.prior[o] += st.sum[size_t(cat) * width + o];
                    }
                    for (double &x : st.prior)
                        x = n > 0 ? x / n : 0;
                    return st;
                };
                // Smoothed means per category; the last row (missing) is the prior, as at
                // prediction time, and so is a category without rows when m is 0.
                auto smoothed = [&](const Stats &st) {
                    std::vector<double> means(size_t(k + 1) * width);
                    for (int cat = 0; cat <= k; ++cat)
                        for (size_t o = 0; o < width; ++o) {
                            const double n = st.count[size_t(cat)];
                            means[size_t(cat) * width + o] =
                                cat == k || n + m <= 0 ? st.prior[o] : (st.sum[size_t(cat) * width + o] + m * st.prior[o]) / (n + m);
                        }
                    return means;
                };
                const Stats all = statsWithout(-1);
                f.targetPrior = all.prior;
                f.targetMeans = smoothed(all);
                f.targetMeans.resize(size_t(k) * width);
                std::vector<std::vector<double>> foldMeans(static_cast<size_t>(folds));
                for (int fo = 0; fo < folds; ++fo)
                    foldMeans[size_t(fo)] = smoothed(statsWithout(fo));
                oof.assign(size_t(rows) * size_t(outputs), 0.0);
                std::vector<Moments> moments(static_cast<size_t>(outputs));
                for (qsizetype r = 0; r < rows; ++r) {
                    const int code = c.codes[size_t(r)];
                    const int cat = code >= 0 ? indexOfCode[size_t(code)] : k;
                    const std::vector<double> &means = foldMeans[size_t(fold[size_t(r)])];
                    for (int o = 0; o < outputs; ++o) {
                        const double v = means[size_t(cat) * size_t(outputs) + size_t(o)];
                        oof[size_t(r) * size_t(outputs) + size_t(o)] = v;
                        moments[size_t(o)].add(v);
                    }
                }
                // Standardised on what the learner sees: the out-of-fold values.
                for (const Moments &mo : moments) {
                    f.means.push_back(mo.mean());
                    f.scales.push_back(mo.scale());
                }
            }
        }
        m_width += f.width();
        m_features << f;
        if (outOfFold)
            outOfFold->push_back(std::move(oof));
    }
}

std::vector<float> FeatureEncoder::fitTransform(const Table &table, const QStringList &columns, const FeatureEncoderOptions &options,
                                                const EncoderTarget &target, const QString &source)
{
    std::vector<std::vector<double>> oof;
    fitImpl(table, columns, options, &target, &oof);
    std::vector<float> out = transform(table, source);
    const size_t rows = size_t(table.rowCount());
    int offset = 0;
    for (qsizetype i = 0; i < m_features.size(); ++i) {
        const Feature &f = m_features.at(i);
        if (f.encoding == Encoding::Target) {
            const size_t outputs = f.targetPrior.size();
            for (size_t r = 0; r < rows; ++r)
                for (size_t o = 0; o < outputs; ++o) {
                    double v = oof[size_t(i)][r * outputs + o];
                    if (m_options.standardize)
                        v = (v - f.means[o]) / f.scales[o];
                    out[r * size_t(m_width) + size_t(offset) + o] = float(v);
                }
        }
        offset += f.width();
    }
    return out;
}

namespace {
Error beyondFloatRange(const QString &source, const QString &column, qsizetype row, double value)
{
    return Error(QStringLiteral("%1, column '%2', data row %3: %4 is beyond the range of 32-bit floats (±3.4e38) that training uses")
                     .arg(source.isEmpty() ? QStringLiteral("the input") : source, column)
                     .arg(row + 1)
                     .arg(QString::number(value, 'g', QLocale::FloatingPointShortest)));
}
} // namespace

void FeatureEncoder::checkFloatRange(const Table &table, const QString &source, const QStringList &skip)
{
    constexpr double kMax = double(std::numeric_limits<float>::max());
    for (const Column &c : table.columns) {
        if (c.type != ColumnType::Numeric || skip.contains(c.name))
            continue;
        for (size_t r = 0; r < c.values.size(); ++r)
            if (std::abs(c.values[r]) > kMax)
                throw beyondFloatRange(source, c.name, qsizetype(r), c.values[r]);
    }
}

std::vector<float> FeatureEncoder::transform(const Table &table, const QString &source) const
{
    const qsizetype rows = table.rowCount();
    const size_t stride = size_t(m_width);
    std::vector<float> out(size_t(rows) * stride, 0.0f);
    const bool standardize = m_options.standardize;
    int offset = 0;
    for (const Feature &f : m_features) {
        const int ci = table.indexOf(f.column);
        if (ci < 0)
            throw Error(QStringLiteral("%1has no column '%2', which the model was trained on (expected columns: %3)")
                            .arg(source.isEmpty() ? QStringLiteral("the input ") : source + QStringLiteral(" "), f.column,
                                 inputColumns().join(QStringLiteral(", "))));
        const Column &c = table.columns.at(ci);
        auto cell = [&](qsizetype r, int i) -> float & { return out[size_t(r) * stride + size_t(offset + i)]; };
        switch (f.encoding) {
        case Encoding::Number:
            for (qsizetype r = 0; r < rows; ++r) {
                double v = numberAt(f.type, c, r);
                const bool missing = std::isnan(v);
                if (f.missingIndicator)
                    cell(r, 1) = missing ? 1.0f : 0.0f;
                if (missing) {
                    if (!m_options.imputeMissing) {
                        cell(r, 0) = kNaNf;
                        continue;
                    }
                    v = f.fill;
                }
                const float x = float(standardize ? (v - f.mean) / f.scale : v);
                // Training works in 32-bit floats: 1e308 or 3.5e38 would reach the learner as
                // infinity (XGBoost fails deep inside, a network's loss turns NaN).
                if (!std::isfinite(x) || std::abs(v) > double(std::numeric_limits<float>::max()))
                    throw beyondFloatRange(source, f.column, r, v);
                cell(r, 0) = x;
            }
            break;
        case Encoding::DatetimeParts: {
            std::vector<int> index;
            for (const QString &p : f.parts)
                index.push_back(partIndex(p));
            for (qsizetype r = 0; r < rows; ++r) {
                const double ms = datetimeAt(c, r);
                const bool missing = !std::isfinite(ms);
                double p[5];
                if (!missing)
                    datetimeParts(ms, p);
                for (int i = 0; i < int(index.size()); ++i) {
                    double v = missing || index[size_t(i)] < 0 ? kNaN : p[index[size_t(i)]];
                    if (std::isnan(v)) {
                        if (!m_options.imputeMissing) {
                            cell(r, i) = kNaNf;
                            continue;
                        }
                        v = f.fills[size_t(i)];
                    }
                    cell(r, i) = float(standardize ? (v - f.means[size_t(i)]) / f.scales[size_t(i)] : v);
                }
                if (f.missingIndicator)
                    cell(r, int(index.size())) = missing ? 1.0f : 0.0f;
            }
            break;
        }
        case Encoding::Text: {
            QHash<QString, int> tokenIndex;
            for (int i = 0; i < f.tokens.size(); ++i)
                tokenIndex.insert(f.tokens.at(i), i);
            for (qsizetype r = 0; r < rows; ++r) {
                const QString text = c.text(r);
                const QStringList words = wordsOf(text);
                const double counts[2] = {double(text.size()), double(words.size())};
                for (int i = 0; i < 2; ++i)
                    cell(r, i) = float(standardize ? (counts[i] - f.means[size_t(i)]) / f.scales[size_t(i)] : counts[i]);
                for (const QString &w : words) {
                    const auto it = tokenIndex.constFind(w);
                    if (it != tokenIndex.cend())
                        cell(r, 2 + *it) = 1.0f;
                }
            }
            break;
        }
        case Encoding::OneHot:
        case Encoding::Ordinal:
        case Encoding::Target: {
            // Map the input's categories to the model's by their text.
            QHash<QString, int> index;
            for (int i = 0; i < f.categories.size(); ++i)
                index.insert(f.categories.at(i), i);
            std::vector<int> map;
            if (!c.isNumeric()) {
                map.resize(size_t(c.categories.size()));
                for (int i = 0; i < c.categories.size(); ++i)
                    map[size_t(i)] = index.value(c.categories.at(i), -1);
            }
            const int outputs = int(f.targetPrior.size());
            for (qsizetype r = 0; r < rows; ++r) {
                int k = -1;
                if (!c.isMissing(r))
                    k = c.isNumeric() ? index.value(c.text(r), -1) : map[size_t(c.codes[size_t(r)])];
                if (f.encoding == Encoding::OneHot) {
                    if (k >= 0)
                        cell(r, k) = 1.0f;
                } else if (f.encoding == Encoding::Ordinal) {
                    // Codes are NaN ("missing") for learners that handle it; -1 when imputing.
                    cell(r, 0) = k >= 0 ? float(k) : m_options.imputeMissing ? -1.0f : kNaNf;
                } else {
                    for (int o = 0; o < outputs; ++o) {
                        const double v = k >= 0 ? f.targetMeans[size_t(k) * size_t(outputs) + size_t(o)] : f.targetPrior[size_t(o)];
                        cell(r, o) = float(standardize ? (v - f.means[size_t(o)]) / f.scales[size_t(o)] : v);
                    }
                }
            }
            break;
        }
        }
        offset += f.width();
    }
    return out;
}

QStringList FeatureEncoder::featureNames() const
{
    QStringList out;
    for (const Feature &f : m_features)
        out << outputNames(f);
    return out;
}

std::vector<int> FeatureEncoder::featureColumns() const
{
    std::vector<int> out;
    for (int i = 0; i < m_features.size(); ++i)
        out.insert(out.end(), size_t(m_features.at(i).width()), i);
    return out;
}

std::vector<bool> FeatureEncoder::categoricalFeatures() const
{
    std::vector<bool> out;
    for (const Feature &f : m_features)
        out.insert(out.end(), size_t(f.width()), f.encoding == Encoding::Ordinal);
    return out;
}

QStringList FeatureEncoder::inputColumns() const
{
    QStringList names;
    for (const Feature &f : m_features)
        names << f.column;
    return names;
}

QStringList FeatureEncoder::describe() const
{
    QStringList oneHot, ordinal, target, dates, text, imputed, indicators;
    for (const Feature &f : m_features) {
        switch (f.encoding) {
        case Encoding::Number:
            if (m_options.imputeMissing)
                imputed << f.column;
            break;
        case Encoding::OneHot: oneHot << QStringLiteral("%1 (%2)").arg(f.column).arg(f.categories.size()); break;
        case Encoding::Ordinal: ordinal << QStringLiteral("%1 (%2)").arg(f.column).arg(f.categories.size()); break;
        case Encoding::Target: target << QStringLiteral("%1 (%2)").arg(f.column).arg(f.categories.size()); break;
        case Encoding::DatetimeParts: dates << QStringLiteral("%1 (%2)").arg(f.column, f.parts.join(QStringLiteral(", "))); break;
        case Encoding::Text: text << QStringLiteral("%1 (length, words, %2 tokens)").arg(f.column).arg(f.tokens.size()); break;
        }
        if (f.missingIndicator)
            indicators << f.column + QStringLiteral("_missing");
    }
    QStringList lines;
    auto add = [&](const QString &what, const QStringList &list) {
        if (!list.isEmpty())
            lines << QStringLiteral("%1: %2").arg(what, list.join(QStringLiteral(", ")));
    };
    add(QStringLiteral("one-hot encoded (categories)"), oneHot);
    add(QStringLiteral("category codes (categories)"), ordinal);
    add(QStringLiteral("target encoded, out of fold (categories)"), target);
    add(QStringLiteral("datetime parts"), dates);
    add(QStringLiteral("text features"), text);
    if (m_options.imputeMissing && !imputed.isEmpty())
        add(m_options.imputeMedian ? QStringLiteral("missing numbers imputed with the training median") : QStringLiteral("missing numbers imputed with the training mean"),
            imputed);
    add(QStringLiteral("missing indicators"), indicators);
    if (m_options.standardize)
        lines << QStringLiteral("continuous features standardized");
    return lines;
}

QJsonObject FeatureEncoder::toJson() const
{
    QJsonArray features;
    for (const Feature &f : m_features) {
        QJsonObject o{{QStringLiteral("column"), f.column},
                      {QStringLiteral("type"), columnTypeName(f.type)},
                      {QStringLiteral("encoding"), encodingName(f.encoding)}};
        switch (f.encoding) {
        case Encoding::Number:
            o.insert(QStringLiteral("mean"), f.mean);
            o.insert(QStringLiteral("scale"), f.scale);
            o.insert(QStringLiteral("fill"), f.fill);
            break;
        case Encoding::OneHot:
        case Encoding::Ordinal:
            o.insert(QStringLiteral("categories"), QJsonArray::fromStringList(f.categories));
            break;
        case Encoding::Target:
            o.insert(QStringLiteral("categories"), QJsonArray::fromStringList(f.categories));
            if (!f.targetNames.isEmpty())
                o.insert(QStringLiteral("targetNames"), QJsonArray::fromStringList(f.targetNames));
            o.insert(QStringLiteral("targetMeans"), toArray(f.targetMeans));
            o.insert(QStringLiteral("targetPrior"), toArray(f.targetPrior));
            o.insert(QStringLiteral("means"), toArray(f.means));
            o.insert(QStringLiteral("scales"), toArray(f.scales));
            break;
        case Encoding::DatetimeParts:
            o.insert(QStringLiteral("parts"), QJsonArray::fromStringList(f.parts));
            o.insert(QStringLiteral("means"), toArray(f.means));
            o.insert(QStringLiteral("scales"), toArray(f.scales));
            o.insert(QStringLiteral("fills"), toArray(f.fills));
            break;
        case Encoding::Text:
            o.insert(QStringLiteral("tokens"), QJsonArray::fromStringList(f.tokens));
            o.insert(QStringLiteral("means"), toArray(f.means));
            o.insert(QStringLiteral("scales"), toArray(f.scales));
            break;
        }
        if (f.missingIndicator)
            o.insert(QStringLiteral("missingIndicator"), true);
        features.append(o);
    }
    return QJsonObject{{QStringLiteral("oneHot"), m_options.oneHot},
                       {QStringLiteral("standardize"), m_options.standardize},
                       {QStringLiteral("imputeMissing"), m_options.imputeMissing},
                       {QStringLiteral("maxCategories"), m_options.maxCategories},
                       {QStringLiteral("categoricalEncoding"), categoricalEncodingName(m_options.categoricalEncoding)},
                       {QStringLiteral("oneHotMaxCardinality"), m_options.oneHotMaxCardinality},
                       {QStringLiteral("targetSmoothing"), m_options.targetSmoothing},
                       {QStringLiteral("targetFolds"), m_options.targetFolds},
                       {QStringLiteral("datetimeParts"), m_options.datetimeParts},
                       {QStringLiteral("textFeatures"), m_options.textFeatures},
                       {QStringLiteral("textTokens"), m_options.textTokens},
                       {QStringLiteral("textMinFrequency"), m_options.textMinFrequency},
                       {QStringLiteral("imputeMedian"), m_options.imputeMedian},
                       {QStringLiteral("missingIndicators"), m_options.missingIndicators},
                       {QStringLiteral("features"), features},
                       {QStringLiteral("dropped"), QJsonArray::fromStringList(m_dropped)},
                       {QStringLiteral("featureNames"), QJsonArray::fromStringList(featureNames())}};
}

FeatureEncoder FeatureEncoder::fromJson(const QJsonObject &json)
{
    FeatureEncoder e;
    FeatureEncoderOptions &o = e.m_options;
    o.oneHot = json.value(QStringLiteral("oneHot")).toBool(true);
    o.standardize = json.value(QStringLiteral("standardize")).toBool(false);
    o.imputeMissing = json.value(QStringLiteral("imputeMissing")).toBool(false);
    o.maxCategories = json.value(QStringLiteral("maxCategories")).toInt(64);
    o.categoricalEncoding = categoricalEncodingFromName(json.value(QStringLiteral("categoricalEncoding")).toString(QStringLiteral("default")))
                                .value_or(CategoricalEncoding::Default);
    o.oneHotMaxCardinality = json.value(QStringLiteral("oneHotMaxCardinality")).toInt(o.oneHotMaxCardinality);
    o.targetSmoothing = json.value(QStringLiteral("targetSmoothing")).toDouble(o.targetSmoothing);
    o.targetFolds = json.value(QStringLiteral("targetFolds")).toInt(o.targetFolds);
    o.datetimeParts = json.value(QStringLiteral("datetimeParts")).toBool(false);
    o.textFeatures = json.value(QStringLiteral("textFeatures")).toBool(false);
    o.textTokens = json.value(QStringLiteral("textTokens")).toInt(o.textTokens);
    o.textMinFrequency = json.value(QStringLiteral("textMinFrequency")).toDouble(o.textMinFrequency);
    o.imputeMedian = json.value(QStringLiteral("imputeMedian")).toBool(false);
    o.missingIndicators = json.value(QStringLiteral("missingIndicators")).toBool(false);
    const QJsonValue features = json.value(QStringLiteral("features"));
    if (!features.isArray())
        throw Error(QStringLiteral("the model card's preprocessing has no feature list; re-train the model"));
    auto broken = [](const QString &column, const QString &what) {
        return Error(QStringLiteral("the model card's preprocessing of '%1' %2; re-train the model").arg(column, what));
    };
    for (const QJsonValue &v : features.toArray()) {
        const QJsonObject fo = v.toObject();
        Feature f;
        f.column = fo.value(QStringLiteral("column")).toString();
        const auto type = columnTypeFromName(fo.value(QStringLiteral("type")).toString());
        if (f.column.isEmpty() || !type)
            throw Error(QStringLiteral("the model card's preprocessing has a feature without a column or type; re-train the model"));
        f.type = *type;
        const QJsonValue encoding = fo.value(QStringLiteral("encoding"));
        if (encoding.isUndefined()) {
            // Written before per-feature encodings: categories follow oneHot, the rest are numbers.
            f.encoding = f.type == ColumnType::Categorical ? (o.oneHot ? Encoding::OneHot : Encoding::Ordinal) : Encoding::Number;
        } else {
            const auto e = encodingFromName(encoding.toString());
            if (!e)
                throw broken(f.column, QStringLiteral("has an unknown encoding '%1'").arg(encoding.toString()));
            f.encoding = *e;
        }
        f.categories = names(fo.value(QStringLiteral("categories")));
        f.mean = fo.value(QStringLiteral("mean")).toDouble(0);
        f.scale = fo.value(QStringLiteral("scale")).toDouble(1);
        f.fill = fo.value(QStringLiteral("fill")).toDouble(f.mean);
        f.missingIndicator = fo.value(QStringLiteral("missingIndicator")).toBool(false);
        f.parts = names(fo.value(QStringLiteral("parts")));
        f.tokens = names(fo.value(QStringLiteral("tokens")));
        f.targetNames = names(fo.value(QStringLiteral("targetNames")));
        f.targetMeans = fromArray(fo.value(QStringLiteral("targetMeans")));
        f.targetPrior = fromArray(fo.value(QStringLiteral("targetPrior")));
        f.means = fromArray(fo.value(QStringLiteral("means")));
        f.scales = fromArray(fo.value(QStringLiteral("scales")));
        f.fills = fromArray(fo.value(QStringLiteral("fills")));
        switch (f.encoding) {
        case Encoding::Target: {
            const size_t outputs = f.targetPrior.size();
            if (outputs == 0 || f.targetMeans.size() != size_t(f.categories.size()) * outputs || f.means.size() != outputs
                || f.scales.size() != outputs || (!f.targetNames.isEmpty() && size_t(f.targetNames.size()) != outputs))
                throw broken(f.column, QStringLiteral("has inconsistent target encoding sizes"));
            break;
        }
        case Encoding::DatetimeParts:
            for (const QString &p : f.parts)
                if (partIndex(p) < 0)
                    throw broken(f.column, QStringLiteral("has an unknown datetime part '%1'").arg(p));
            if (f.means.size() != size_t(f.parts.size()) || f.scales.size() != f.means.size() || f.fills.size() != f.means.size())
                throw broken(f.column, QStringLiteral("has inconsistent datetime part sizes"));
            break;
        case Encoding::Text:
            if (f.means.size() != 2 || f.scales.size() != 2)
                throw broken(f.column, QStringLiteral("has no length and word statistics"));
            break;
        default:
            break;
        }
        e.m_width += f.width();
        e.m_features << f;
    }
    for (const QJsonValue &d : json.value(QStringLiteral("dropped")).toArray())
        e.m_dropped << d.toString();
    return e;
}

} // namespace cairn::data

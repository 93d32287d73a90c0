#include "cairn/data/csvreader.h"

#include "cairn/util/error.h"
#include "cairn/util/memory.h"

#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QThread>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <string>
#include <string_view>
#include <thread>
#include <memory>
#include <unordered_map>

namespace cairn::data {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Offset of the first byte that is not valid UTF-8, or -1.
qsizetype invalidUtf8At(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        int extra = 0;
        unsigned int minCode = 0;
        unsigned int code = 0;
        if ((c & 0xE0) == 0xC0) { extra = 1; code = c & 0x1F; minCode = 0x80; }
        else if ((c & 0xF0) == 0xE0) { extra = 2; code = c & 0x0F; minCode = 0x800; }
        else if ((c & 0xF8) == 0xF0) { extra = 3; code = c & 0x07; minCode = 0x10000; }
        else return qsizetype(i);
        for (int k = 1; k <= extra; ++k) {
            if (i + size_t(k) >= n || (s[i + size_t(k)] & 0xC0) != 0x80)
                return qsizetype(i);
            code = (code << 6) | (s[i + size_t(k)] & 0x3F);
        }
        if (code < minCode || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return qsizetype(i);
        i += size_t(extra) + 1;
    }
    return -1;
}

inline bool iequals(std::string_view a, const char *b)
{
    const size_t n = std::strlen(b);
    if (a.size() != n)
        return false;
    for (size_t i = 0; i < n; ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
        if (c != b[i])
            return false;
    }
    return true;
}

inline std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

/// Plain decimals ("326", "-0.23", "61.5") without exponent and with at most 15 significant
/// digits: an exact integer divided by an exact power of ten is correctly rounded (Clinger's
/// fast path), and several times faster than the general parser.
inline bool fastDecimal(std::string_view s, double &out)
{
    static constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
    size_t i = 0;
    const bool negative = s[0] == '-';
    if (negative)
        i = 1;
    if (i >= s.size() || s.size() - i > 17)
        return false;
    quint64 mantissa = 0;
    int digits = 0;
    int fraction = -1;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (c >= '0' && c <= '9') {
            mantissa = mantissa * 10 + quint64(c - '0');
            ++digits;
            if (fraction >= 0)
                ++fraction;
        } else if (c == '.' && fraction < 0) {
            fraction = 0;
        } else {
            return false;
        }
    }
    if (digits == 0 || digits > 15)
        return false;
    double v = double(mantissa);
    if (fraction > 0)
        v /= kPow10[fraction];
    out = negative ? -v : v;
    return true;
}

enum class Number : quint8 { No, Finite, NotANumber, Infinite };

inline Number classify(double v)
{
    return std::isnan(v) ? Number::NotANumber : std::isinf(v) ? Number::Infinite : Number::Finite;
}

inline Number generalNumber(std::string_view s, double &out)
{
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    if (r.ptr != s.data() + s.size())
        return Number::No;
    if (r.ec == std::errc::result_out_of_range) {
        // from_chars says nothing more: strtod tells an underflow (1e-400 reads as 0, as in
        // pandas) from an overflow (1e400, which is infinite).
        const std::string text(s);
        out = std::strtod(text.c_str(), nullptr);
        return classify(out);
    }
    if (r.ec != std::errc())
        return Number::No;
    return classify(out);
}

inline Number parseNumber(std::string_view s, double &out, bool decimalComma)
{
    if (!s.empty() && s.front() == '+')
        s.remove_prefix(1);
    if (s.empty())
        return Number::No;
    if (fastDecimal(s, out))
        return Number::Finite;
    const Number n = generalNumber(s, out);
    if (n != Number::No)
        return n;
    if (decimalComma && s.size() < 64) {
        const auto comma = s.find(',');
        if (comma != std::string_view::npos && s.find(',', comma + 1) == std::string_view::npos
            && s.find('.') == std::string_view::npos) {
            char buf[64];
            std::memcpy(buf, s.data(), s.size());
            buf[comma] = '.';
            return generalNumber(std::string_view(buf, s.size()), out);
        }
    }
    return Number::No;
}

/// 0 = false, 1 = true, -1 = not a boolean word.
inline int parseBool(std::string_view s)
{
    if (iequals(s, "true") || iequals(s, "yes"))
        return 1;
    if (iequals(s, "false") || iequals(s, "no"))
        return 0;
    return -1;
}

inline bool digits(std::string_view s, size_t at, size_t n, int &out)
{
    if (at + n > s.size())
        return false;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
inline qint64 daysFromCivil(int y, int m, int d)
{
    y -= m <= 2;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = unsigned((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + qint64(doe) - 719468;
}

/// ISO-like dates: YYYY-MM-DD or YYYY/MM/DD, optionally followed by [T ]HH:MM[:SS[.fff]][Z].
inline bool parseDatetime(std::string_view s, double &ms)
{
    int y, mo, d;
    if (s.size() < 10 || !digits(s, 0, 4, y) || (s[4] != '-' && s[4] != '/') || s[7] != s[4]
        || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31)
        return false;
    qint64 total = daysFromCivil(y, mo, d) * 86400000LL;
    if (s.size() > 10) {
        if (s[10] != 'T' && s[10] != ' ')
            return false;
        int h, mi, sec = 0;
        if (!digits(s, 11, 2, h) || s.size() < 16 || s[13] != ':' || !digits(s, 14, 2, mi) || h > 23 || mi > 59)
            return false;
        size_t at = 16;
        if (at < s.size() && s[at] == ':') {
            if (!digits(s, at + 1, 2, sec) || sec > 60)
                return false;
            at += 3;
        }
        double frac = 0;
        if (at < s.size() && s[at] == '.') {
            size_t e = at + 1;
            double scale = 0.1;
            while (e < s.size() && s[e] >= '0' && s[e] <= '9') {
                frac += (s[e] - '0') * scale;
                scale /= 10;
                ++e;
            }
            if (e == at + 1)
                return false;
            at = e;
        }
        if (at < s.size() && s[at] == 'Z')
            ++at;
        if (at != s.size())
            return false;
        total += (h * 3600LL + mi * 60LL + sec) * 1000LL + qint64(frac * 1000.0);
    }
    ms = double(total);
    return true;
}

enum class Kind : quint8 { Unknown, Numeric, Boolean, Datetime, String };

struct ViewHash
{
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

struct Builder
{
    Kind kind = Kind::Unknown;
    bool fixed = false;      ///< the kind was given (override or second pass): conflicts are errors
    bool conflict = false;   ///< a value did not fit the inferred kind: re-read as strings
    bool active = true;      ///< parsed in this pass
    std::optional<ColumnType> declared;
    std::vector<double> values;
    std::vector<std::int32_t> codes;
    std::unordered_map<std::string_view, std::int32_t, ViewHash, std::equal_to<>> dict;
    std::vector<std::string_view> categories;
    std::string_view boolSpelling[2];
    qsizetype nonMissing = 0;
    /// The first infinite number (inf, 1e400): an error if the column stays numeric.
    qsizetype infiniteLine = 0;
    qsizetype infiniteColumn = 0;
    std::string infiniteText;
    std::shared_ptr<std::deque<std::string>> owned = std::make_shared<std::deque<std::string>>();
};

class Parser
{
public:
    Parser(QByteArrayView text, const QString &source, const CsvOptions &options)
        : m_begin(text.data()), m_end(text.data() + text.size()), m_source(source), m_options(options)
    {
        for (const QString &t : options.missingTokens) {
            m_missing.push_back(t.toStdString());
            if (!m_missing.back().empty())
                m_missingFirst[static_cast<unsigned char>(m_missing.back().front())] = true;
        }
    }

    Table run();

private:
    [[noreturn]] void fail(qsizetype line, qsizetype column, const QString &what) const
    {
        throw Error(QStringLiteral("%1:%2:%3: %4").arg(m_source).arg(line).arg(column).arg(what));
    }

    /// Calls onField(index, raw, quoted, escaped, line, column) per field and onRecord(fields, line)
    /// per record until onRecord returns false; returns where it stopped (pointer, line).
    template<typename OnField, typename OnRecord>
    std::pair<const char *, qsizetype> tokenize(const char *from, const char *end, qsizetype firstLine, OnField onField, OnRecord onRecord);
    qsizetype parseRange(std::vector<Builder> &builders, const char *from, const char *to, qsizetype firstLine);
    bool parseParallel(const char *body, qsizetype bodyLine, int threads);

    bool isMissing(std::string_view s) const
    {
        if (s.empty())
            return true;
        // Most fields (numbers, words) cannot be a missing token: one table lookup says so.
        if (!m_missingFirst[static_cast<unsigned char>(s.front())])
            return false;
        for (const std::string &t : m_missing)
            if (s.size() == t.size() && std::memcmp(s.data(), t.data(), s.size()) == 0)
                return true;
        return false;
    }

    static std::string_view own(Builder &b, std::string_view raw, bool escaped)
    {
        if (!escaped)
            return raw;
        std::string s;
        s.reserve(raw.size());
        for (size_t i = 0; i < raw.size(); ++i) {
            s.push_back(raw[i]);
            if (raw[i] == '"' && i + 1 < raw.size() && raw[i + 1] == '"')
                ++i;
        }
        b.owned->push_back(std::move(s));
        return b.owned->back();
    }

    void addField(Builder &b, int column, std::string_view raw, bool quoted, bool escaped, qsizetype line, qsizetype col);
    void toString(Builder &b);

    const char *m_begin;
    const char *m_end;
    QString m_source;
    const CsvOptions &m_options;
    char m_delim = ',';
    std::vector<std::string> m_missing;
    bool m_missingFirst[256] = {};
    std::vector<Builder> m_builders;
    /// Strings that categories of merged chunks point into.
    std::vector<std::shared_ptr<std::deque<std::string>>> m_keepAlive;
    QStringList m_names;
    qsizetype m_rows = 0;
};

template<typename OnField, typename OnRecord>
std::pair<const char *, qsizetype> Parser::tokenize(const char *p, const char *end, qsizetype line, OnField onField, OnRecord onRecord)
{
    const char delim = m_delim;
    const char *lineStart = p;
    while (p < end) {
        if (*p == '\n' || *p == '\r') {
            // Blank lines are skipped, as pandas does.
            if (*p == '\r')
                ++p;
            if (p < end && *p == '\n')
                ++p;
            ++line;
            lineStart = p;
            continue;
        }
        const qsizetype recordLine = line;
        int field = 0;
        bool more = true;
        while (more) {
            const char *fieldStart = p;
            const qsizetype fieldLine = line;
            const qsizetype fieldCol = qsizetype(fieldStart - lineStart) + 1;
            if (p < end && *p == '"') {
                ++p;
                const char *s = p;
                bool escaped = false;
                const char *close = nullptr;
                for (;;) {
                    const char *q = static_cast<const char *>(std::memchr(p, '"', size_t(end - p)));
                    if (!q)
                        fail(fieldLine, fieldCol, QStringLiteral("a quoted field is never closed (add the closing \" or remove the opening one)"));
                    for (const char *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(q - p))); nl;
                         nl = static_cast<const char *>(std::memchr(nl + 1, '\n', size_t(q - nl - 1)))) {
                        ++line;
                        lineStart = nl + 1;
                    }
                    if (q + 1 < end && q[1] == '"') {
                        escaped = true;
                        p = q + 2;
                        continue;
                    }
                    close = q;
                    p = q + 1;
                    break;
                }
                while (p < end && (*p == ' ' || *p == '\t') && *p != delim)
                    ++p;
                if (p < end && *p != delim && *p != '\n' && *p != '\r')
                    fail(line, qsizetype(p - lineStart) + 1,
                         QStringLiteral("unexpected character '%1' after a closing quote (a quote inside a quoted field is written \"\")")
                             .arg(QChar::fromLatin1(*p)));
                onField(field, std::string_view(s, size_t(close - s)), true, escaped, fieldLine, fieldCol);
            } else {
                const char *q = p;
                while (q < end && *q != delim && *q != '\n' && *q != '\r')
                    ++q;
                onField(field, std::string_view(p, size_t(q - p)), false, false, fieldLine, fieldCol);
                p = q;
            }
            ++field;
            if (p >= end) {
                more = false;
            } else if (*p == delim) {
                ++p;
                if (p >= end) {
                    onField(field, std::string_view(p, 0), false, false, line, qsizetype(p - lineStart) + 1);
                    ++field;
                    more = false;
                }
            } else {
                if (*p == '\r')
                    ++p;
                if (p < end && *p == '\n')
                    ++p;
                ++line;
                lineStart = p;
                more = false;
            }
        }
        if (!onRecord(field, recordLine))
            return {p, line};
    }
    return {p, line};
}

void Parser::toString(Builder &b)
{
    // Only reached from Unknown (all missing so far): every earlier row is missing.
    const size_t capacity = b.values.capacity();
    b.codes.reserve(capacity);
    b.codes.assign(b.values.size(), -1);
    b.values = {};
    b.kind = Kind::String;
}

inline void Parser::addField(Builder &b, int column, std::string_view raw, bool quoted, bool escaped, qsizetype line, qsizetype col)
{
    const std::string_view s = trim(raw);
    if (isMissing(s)) {
        if (b.kind == Kind::String)
            b.codes.push_back(-1);
        else
            b.values.push_back(kNaN);
        return;
    }
    ++b.nonMissing;
    double v;
    // NaN in any spelling is a missing value; an infinity is kept out of the table: the column
    // fails at the end if it is still numeric then (a text column may hold the word "inf").
    auto addNumber = [&](Number n) {
        if (n == Number::NotANumber) {
            --b.nonMissing;
            v = kNaN;
        } else if (n == Number::Infinite) {
            if (b.infiniteLine == 0) {
                b.infiniteLine = line;
                b.infiniteColumn = col + (quoted ? 1 : 0) + qsizetype(s.data() - raw.data());
                b.infiniteText = std::string(s);
            }
            v = kNaN;
        }
        b.values.push_back(v);
    };
    switch (b.kind) {
    case Kind::Numeric:
        if (const Number n = parseNumber(s, v, m_delim == ';'); n != Number::No) {
            addNumber(n);
            return;
        }
        break;
    case Kind::Boolean: {
        const int t = parseBool(s);
        if (t >= 0) {
            if (b.boolSpelling[t].empty())
                b.boolSpelling[t] = own(b, s, escaped);
            b.values.push_back(t);
            return;
        }
        break;
    }
    case Kind::Datetime:
        if (parseDatetime(s, v)) {
            b.values.push_back(v);
            return;
        }
        break;
    case Kind::String: {
        // Look up the unescaped text: "" inside quotes stands for one quote.
        std::string unescaped;
        std::string_view lookup = s;
        if (escaped) {
            unescaped.reserve(s.size());
            for (size_t i = 0; i < s.size(); ++i) {
                unescaped.push_back(s[i]);
                if (s[i] == '"' && i + 1 < s.size() && s[i + 1] == '"')
                    ++i;
            }
            lookup = unescaped;
        }
        // Few categories (the common case): a direct scan beats hashing.
        if (b.categories.size() <= 16) {
            for (size_t k = 0; k < b.categories.size(); ++k) {
                const std::string_view c = b.categories[k];
                if (c.size() == lookup.size() && c.front() == lookup.front() && std::memcmp(c.data(), lookup.data(), c.size()) == 0) {
                    b.codes.push_back(std::int32_t(k));
                    return;
                }
            }
        } else if (const auto it = b.dict.find(lookup); it != b.dict.end()) {
            b.codes.push_back(it->second);
            return;
        }
        const std::string_view key = own(b, s, escaped);
        const qsizetype bad = invalidUtf8At(reinterpret_cast<const unsigned char *>(key.data()), key.size());
        if (bad >= 0) {
            const qsizetype offset = (quoted ? 1 : 0) + (escaped ? 0 : qsizetype(s.data() - raw.data()) + bad);
            fail(line, col + offset,
                 QStringLiteral("byte 0x%1 is not valid UTF-8 (save the file as UTF-8; it may be Latin-1 or Windows-1252)")
                     .arg(uint(static_cast<unsigned char>(key[size_t(bad)])), 2, 16, QLatin1Char('0')));
        }
        const auto code = std::int32_t(b.categories.size());
        b.categories.push_back(key);
        b.dict.emplace(key, code);
        b.codes.push_back(code);
        return;
    }
    case Kind::Unknown:
        if (const Number n = parseNumber(s, v, m_delim == ';'); n != Number::No) {
            b.kind = Kind::Numeric;
            addNumber(n);
            return;
        }
        if (const int t = parseBool(s); t >= 0) {
            b.kind = Kind::Boolean;
            b.boolSpelling[t] = own(b, s, escaped);
            b.values.push_back(t);
            return;
        }
        if (parseDatetime(s, v)) {
            b.kind = Kind::Datetime;
            b.values.push_back(v);
            return;
        }
        toString(b);
        --b.nonMissing;
        addField(b, column, raw, quoted, escaped, line, col);
        return;
    }
    // The value does not fit the column's kind.
    if (b.fixed) {
        const QString expected = b.declared ? columnTypeName(*b.declared)
                                            : (b.kind == Kind::Numeric ? QStringLiteral("numeric")
                                               : b.kind == Kind::Boolean ? QStringLiteral("boolean")
                                                                         : QStringLiteral("datetime"));
        fail(line, col, QStringLiteral("'%1' in column '%2' is not %3").arg(QString::fromUtf8(s.data(), qsizetype(s.size())), m_names.at(column), expected));
    }
    b.conflict = true;
    b.values.push_back(kNaN);
}

qsizetype Parser::parseRange(std::vector<Builder> &builders, const char *from, const char *to, qsizetype firstLine)
{
    const int width = int(m_names.size());
    // Reserve for one row per line: growing ten columns of a million values costs more.
    // A preview (maxRows) stops counting there: counting every line of a 10 GB file would read
    // all of it for a 50-row preview.
    const qsizetype maxLines = m_options.maxRows >= 0 ? m_options.maxRows : std::numeric_limits<qsizetype>::max();
    qsizetype lines = 0;
    for (const char *p = from; lines < maxLines && (p = static_cast<const char *>(std::memchr(p, '\n', size_t(to - p)))); ++p)
        ++lines;
    for (Builder &b : builders) {
        if (!b.active)
            continue;
        if (b.kind == Kind::String)
            b.codes.reserve(size_t(lines + 1));
        else
            b.values.reserve(size_t(lines + 1));
    }
    qsizetype rows = 0;
    tokenize(from, to, firstLine,
             [&](int field, std::string_view raw, bool quoted, bool escaped, qsizetype line, qsizetype col) {
                 if (field < width) {
                     Builder &b = builders[size_t(field)];
                     if (b.active)
                         addField(b, field, raw, quoted, escaped, line, col);
                 } else if (field == width) {
                     fail(line, col, QStringLiteral("this row has more fields than the header's %1 (check for an unquoted '%2' inside a value)")
                                         .arg(width).arg(m_delim == '\t' ? QStringLiteral("\\t") : QString(QChar::fromLatin1(m_delim))));
                 }
             },
             [&](int fields, qsizetype line) {
                 if (fields < width)
                     fail(line, 1, QStringLiteral("this row has %1 field(s) but the header has %2").arg(fields).arg(width));
                 ++rows;
                 return m_options.maxRows < 0 || rows < m_options.maxRows;
             });
    return rows;
}

/// Parses the body in `threads` chunks cut after line ends, then merges the columns. Any error
/// (or a quoted field spanning a cut) returns false and the caller parses sequentially, which
/// reports the exact line. A chunk that ends cleanly at its cut proves the next one starts
/// outside quotes: a quoted field open at a cut would run to the chunk's end unclosed.
bool Parser::parseParallel(const char *body, qsizetype bodyLine, int threads)
{
    if (threads < 2)
        return false;
    std::vector<const char *> cuts{body};
    const qsizetype size = qsizetype(m_end - body);
    for (int t = 1; t < threads; ++t) {
        const char *c = body + size * t / threads;
        if (c <= cuts.back())
            continue;
        const char *nl = static_cast<const char *>(std::memchr(c, '\n', size_t(m_end - c)));
        if (!nl || nl + 1 >= m_end)
            break;
        cuts.push_back(nl + 1);
    }
    cuts.push_back(m_end);
    const size_t n = cuts.size() - 1;
    if (n < 2)
        return false;
    std::vector<std::vector<Builder>> chunks(n, m_builders);
    for (auto &chunk : chunks)
        for (Builder &b : chunk)
            b.owned = std::make_shared<std::deque<std::string>>();
    // The first chunk's numbers become the merged column: room for all rows avoids a copy.
    {
        qsizetype lines = 0;
        for (const char *p = body; (p = static_cast<const char *>(std::memchr(p, '\n', size_t(m_end - p)))); ++p)
            ++lines;
        for (Builder &b : chunks[0])
            if (b.kind != Kind::String)
                b.values.reserve(size_t(lines + 1));
    }
    std::vector<qsizetype> rows(n, 0);
    std::vector<char> failed(n, 0);
    std::vector<std::thread> pool;
    for (size_t i = 0; i < n; ++i)
        pool.emplace_back([&, i] {
            try {
                rows[i] = parseRange(chunks[i], cuts[i], cuts[i + 1], i == 0 ? bodyLine : 1);
            } catch (...) {
                failed[i] = 1;
            }
        });
    for (auto &t : pool)
        t.join();
    for (char f : failed)
        if (f)
            return false;
    // An infinity is reported with its line, which only the sequential pass knows.
    for (const auto &chunk : chunks)
        for (const Builder &b : chunk)
            if (b.infiniteLine > 0)
                return false;

    m_rows = 0;
    for (qsizetype r : rows)
        m_rows += r;
    const int width = int(m_names.size());
    for (int col = 0; col < width; ++col) {
        Builder &out = m_builders[size_t(col)];
        Kind kind = Kind::Unknown;
        bool conflict = false;
        for (size_t i = 0; i < n; ++i) {
            const Builder &b = chunks[i][size_t(col)];
            conflict = conflict || b.conflict;
            if (b.kind == Kind::Unknown)
                continue;
            if (kind != Kind::Unknown && kind != b.kind)
                conflict = true;
            kind = b.kind;
        }
        if (conflict) {
            // Re-read as text by the second pass, like a late type change in one pass.
            out.conflict = true;
            out.values.assign(size_t(m_rows), 0.0);
            continue;
        }
        out.kind = kind;
        out.nonMissing = 0;
        for (size_t i = 0; i < n; ++i)
            out.nonMissing += chunks[i][size_t(col)].nonMissing;
        if (kind != Kind::String) {
            out.values = std::move(chunks[0][size_t(col)].values);
            out.values.reserve(size_t(m_rows));
            for (size_t i = 0; i < n; ++i) {
                Builder &b = chunks[i][size_t(col)];
                if (i > 0)
                    out.values.insert(out.values.end(), b.values.begin(), b.values.end());
                for (int t = 0; t < 2; ++t)
                    if (out.boolSpelling[t].empty() && !b.boolSpelling[t].empty())
                        out.boolSpelling[t] = b.boolSpelling[t];
                m_keepAlive.push_back(b.owned);
            }
            continue;
        }
        out.codes.clear();
        out.codes.reserve(size_t(m_rows));
        for (size_t i = 0; i < n; ++i) {
            Builder &b = chunks[i][size_t(col)];
            if (b.kind == Kind::Unknown) {
                out.codes.insert(out.codes.end(), b.values.size(), -1);
                continue;
            }
            std::vector<std::int32_t> remap(b.categories.size());
            for (size_t k = 0; k < b.categories.size(); ++k) {
                const auto it = out.dict.find(b.categories[k]);
                if (it != out.dict.end()) {
                    remap[k] = it->second;
                } else {
                    const auto code = std::int32_t(out.categories.size());
                    out.categories.push_back(b.categories[k]);
                    out.dict.emplace(b.categories[k], code);
                    remap[k] = code;
                }
            }
            for (auto c : b.codes)
                out.codes.push_back(c < 0 ? -1 : remap[size_t(c)]);
            m_keepAlive.push_back(b.owned);
        }
    }
    return true;
}

char detect(QByteArrayView text)
{
    int counts[3] = {0, 0, 0};
    const char cands[3] = {',', ';', '\t'};
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
        else if (!quoted)
            for (int k = 0; k < 3; ++k)
                counts[k] += c == cands[k] ? 1 : 0;
    }
    int best = 0;
    for (int k = 1; k < 3; ++k)
        if (counts[k] > counts[best])
            best = k;
    return counts[best] > 0 ? cands[best] : ',';
}

Table Parser::run()
{
    const char *p = m_begin;
    const qsizetype size = qsizetype(m_end - m_begin);
    if (size >= 2 && ((uchar(p[0]) == 0xFF && uchar(p[1]) == 0xFE) || (uchar(p[0]) == 0xFE && uchar(p[1]) == 0xFF)))
        throw Error(QStringLiteral("%1: the file is UTF-16; save it as UTF-8 to read it").arg(m_source));
    if (size >= 3 && uchar(p[0]) == 0xEF && uchar(p[1]) == 0xBB && uchar(p[2]) == 0xBF)
        p += 3;
    if (p == m_end)
        throw Error(QStringLiteral("%1: the file is empty (a header row is needed)").arg(m_source));
    m_delim = m_options.delimiter ? m_options.delimiter : detect(QByteArrayView(p, m_end - p));

    // Header.
    std::vector<std::pair<std::string, qsizetype>> names;
    const auto headerEnd = tokenize(p, m_end, 1,
             [&](int, std::string_view raw, bool, bool escaped, qsizetype line, qsizetype col) {
                 std::string name(trim(raw));
                 if (escaped) {
                     std::string u;
                     for (size_t i = 0; i < name.size(); ++i) {
                         u.push_back(name[i]);
                         if (name[i] == '"' && i + 1 < name.size() && name[i + 1] == '"')
                             ++i;
                     }
                     name = u;
                 }
                 const qsizetype bad = invalidUtf8At(reinterpret_cast<const unsigned char *>(name.data()), name.size());
                 if (bad >= 0)
                     fail(line, col + bad, QStringLiteral("byte 0x%1 in the header is not valid UTF-8 (save the file as UTF-8)")
                                               .arg(uint(static_cast<unsigned char>(name[size_t(bad)])), 2, 16, QLatin1Char('0')));
                 names.emplace_back(std::move(name), line);
             },
             [&](int, qsizetype) { return false; });
    if (names.empty())
        throw Error(QStringLiteral("%1: the file has no header row").arg(m_source));
    const char *body = headerEnd.first;
    const qsizetype bodyLine = headerEnd.second;
    {
        QHash<QString, int> seen;
        for (size_t i = 0; i < names.size(); ++i) {
            QString name = QString::fromUtf8(names[i].first.data(), qsizetype(names[i].first.size()));
            if (name.isEmpty())
                name = QStringLiteral("column_%1").arg(i + 1);
            if (seen.contains(name)) {
                int &n = seen[name];
                QString candidate;
                do
                    candidate = QStringLiteral("%1.%2").arg(name).arg(++n);
                while (seen.contains(candidate));
                name = candidate;
            }
            seen.insert(name, 0);
            m_names << name;
        }
    }
    const int width = int(m_names.size());

    auto resetBuilders = [&](bool secondPass) {
        for (int i = 0; i < width; ++i) {
            Builder &b = m_builders[size_t(i)];
            if (secondPass && !b.conflict) {
                b.active = false;
                continue;
            }
            const bool conflict = b.conflict;
            b = Builder();
            const auto declared = m_options.types.find(m_names.at(i));
            if (declared != m_options.types.end()) {
                b.declared = *declared;
                b.fixed = true;
                switch (*declared) {
                case ColumnType::Numeric: b.kind = Kind::Numeric; break;
                case ColumnType::Boolean: b.kind = Kind::Boolean; break;
                case ColumnType::Datetime: b.kind = Kind::Datetime; break;
                case ColumnType::Categorical:
                case ColumnType::Text: b.kind = Kind::String; break;
                }
            } else if (conflict) {
                b.kind = Kind::String;
                b.fixed = true;
            }
        }
    };
    m_builders.resize(size_t(width));
    resetBuilders(false);

    qsizetype rows = 0;
    const qsizetype bodySize = qsizetype(m_end - body);
    // CAIRN_CSV_THREADS caps the reader's threads (1: one thread), e.g. beside a running job.
    const int cap = qEnvironmentVariableIntValue("CAIRN_CSV_THREADS");
    const int threads = std::min(cap > 0 ? cap : 8, std::max(1, QThread::idealThreadCount()));
    bool parallel = false;
    if (threads > 1 && m_options.maxRows < 0 && bodySize > (8 << 20))
        parallel = parseParallel(body, bodyLine, int(std::min<qsizetype>(threads, bodySize / (4 << 20))));
    if (parallel)
        rows = m_rows;
    else
        rows = parseRange(m_builders, body, m_end, bodyLine);
    bool anyConflict = false;
    for (const Builder &b : m_builders)
        anyConflict = anyConflict || b.conflict;
    if (anyConflict) {
        resetBuilders(true);
        rows = parseRange(m_builders, body, m_end, bodyLine);
    }

    for (int i = 0; i < width; ++i) {
        const Builder &b = m_builders[size_t(i)];
        if (b.infiniteLine > 0 && b.kind == Kind::Numeric)
            fail(b.infiniteLine, b.infiniteColumn,
                 QStringLiteral("'%1' in column '%2' is not a finite number (numbers beyond ±1.8e308 and infinities are not read; "
                                "leave the field empty or write NA for a missing value)")
                     .arg(QString::fromUtf8(b.infiniteText.data(), qsizetype(b.infiniteText.size())), m_names.at(i)));
    }

    Table table;
    for (int i = 0; i < width; ++i) {
        Builder &b = m_builders[size_t(i)];
        Column c;
        c.name = m_names.at(i);
        switch (b.kind) {
        case Kind::Unknown:
        case Kind::Numeric:
            c.type = ColumnType::Numeric;
            c.values = std::move(b.values);
            break;
        case Kind::Boolean:
            c.type = ColumnType::Boolean;
            c.values = std::move(b.values);
            c.categories << (b.boolSpelling[0].empty() ? QStringLiteral("false") : QString::fromUtf8(b.boolSpelling[0].data(), qsizetype(b.boolSpelling[0].size())))
                         << (b.boolSpelling[1].empty() ? QStringLiteral("true") : QString::fromUtf8(b.boolSpelling[1].data(), qsizetype(b.boolSpelling[1].size())));
            break;
        case Kind::Datetime:
            c.type = ColumnType::Datetime;
            c.values = std::move(b.values);
            break;
        case Kind::String: {
            const qsizetype distinct = qsizetype(b.categories.size());
            if (b.declared)
                c.type = *b.declared;
            else
                // Few distinct values that repeat: categories. Every value different (names, ids,
                // sentences) or too many distinct values: free text.
                c.type = (distinct <= m_options.categoricalMaxDistinct
                          && (distinct * 2 <= b.nonMissing || (distinct <= 20 && (distinct < b.nonMissing || b.nonMissing < 3))))
                    ? ColumnType::Categorical : ColumnType::Text;
            c.codes = std::move(b.codes);
            c.categories.reserve(distinct);
            for (const std::string_view &s : b.categories)
                c.categories << QString::fromUtf8(s.data(), qsizetype(s.size()));
            break;
        }
        }
        if (c.size() != rows)
            throw Error(QStringLiteral("%1: internal error reading column '%2' (%3 values for %4 rows)")
                            .arg(m_source, c.name).arg(c.size()).arg(rows));
        table.columns << std::move(c);
    }
    return table;
}

} // namespace

namespace {

/// Offset just after the last line end of `text` outside a quoted field (RFC 4180 quotes: a
/// doubled quote toggles twice), or after the last line end at all (`ignoreQuotes`); -1: none.
qsizetype lastRecordEnd(QByteArrayView text, bool ignoreQuotes)
{
    qsizetype end = -1;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"' && !ignoreQuotes)
            quoted = !quoted;
        else if (c == '\n' && !quoted)
            end = i + 1;
    }
    return end;
}

/// Offset just after the header's line end (outside quotes), or -1.
qsizetype headerEnd(QByteArrayView text)
{
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] == '"')
            quoted = !quoted;
        else if (text[i] == '\n' && !quoted)
            return i + 1;
    }
    return -1;
}

/// Bytes a string value costs once read: its UTF-16 text, the QString in the category list and
/// the reader's dictionary entry and view of it.
constexpr qint64 kStringOverhead = 96;

} // namespace

CsvMemoryEstimate CsvReader::estimateMemory(const QString &path, const CsvOptions &options)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("cannot open %1: %2").arg(path, file.errorString()));
    CsvMemoryEstimate e;
    e.fileBytes = file.size();
    // The head: 256 KB, more only while it holds no whole row after the header (wide rows).
    QByteArray head;
    qsizetype bodyStart = -1;
    qsizetype cut = -1;
    bool whole = false;
    for (qint64 want = 256 << 10; want <= (qint64(16) << 20); want *= 4) {
        file.seek(0);
        head = file.read(std::min(want, e.fileBytes));
        whole = head.size() >= e.fileBytes;
        bodyStart = headerEnd(head);
        cut = whole ? head.size() : lastRecordEnd(head, false);
        if (whole || (bodyStart > 0 && cut > bodyStart))
            break;
    }
    if (bodyStart < 0 || cut <= bodyStart)
        return e; // no whole row in 16 MB: no estimate
    CsvOptions sampleOptions = options;
    // Bounded by the head's bytes; a row limit also keeps the reader to one thread.
    sampleOptions.maxRows = head.size();
    Table sample;
    try {
        sample = Parser(QByteArrayView(head.constData(), cut), path, sampleOptions).run();
    } catch (const Error &) {
        // A quote inside an unquoted field fools the quote-aware cut: try the last line end.
        const qsizetype plain = whole ? -1 : lastRecordEnd(head, true);
        if (plain <= bodyStart || plain == cut)
            throw;
        cut = plain;
        sample = Parser(QByteArrayView(head.constData(), cut), path, sampleOptions).run();
    }
    e.columns = sample.columnCount();
    e.sampleRows = sample.rowCount();
    if (e.sampleRows == 0)
        return e;
    // Bytes per row from the rows read; the BOM and header are not rows.
    const double bytesPerRow = double(cut - bodyStart) / double(e.sampleRows);
    e.rows = whole ? e.sampleRows : qint64(double(e.fileBytes - bodyStart) / bytesPerRow);
    double perRow = 0;
    qint64 fixed = 0;
    for (const Column &c : sample.columns) {
        if (c.isNumeric()) {
            perRow += sizeof(double);
            continue;
        }
        perRow += sizeof(std::int32_t);
        qint64 textBytes = 0;
        for (const QString &v : c.categories)
            textBytes += 2 * v.size() + kStringOverhead;
        if (c.type == ColumnType::Text)
            perRow += double(textBytes) / double(e.sampleRows); // distinct values grow with the rows
        else
            fixed += textBytes; // categories: bounded by categoricalMaxDistinct
    }
    e.bytes = qint64(perRow * double(e.rows)) + fixed;
    return e;
}

void CsvReader::checkMemory(const QString &path, const CsvOptions &options)
{
    const qint64 size = QFileInfo(path).size();
    // Small files cannot matter, and reading a few /proc files is all a big one costs unless it
    // is within 1/64 of the memory available (no column takes 64 times its text).
    if (size < (qint64(8) << 20))
        return;
    const AvailableMemory available = availableMemory();
    if (available.bytes < 0 || size * 64 < available.bytes)
        return;
    const CsvMemoryEstimate e = estimateMemory(path, options);
    if (e.sampleRows == 0 || e.bytes <= available.bytes)
        return;
    QLocale english = QLocale::c();
    english.setNumberOptions({}); // 268,435,456 rows
    throw Error(QStringLiteral("%1 is too big to read into memory: the file is %2, about %3 rows of %4 columns "
                               "(estimated from its first %5 rows), whose columns would take about %6, but %7 is available "
                               "(%8). Use a sample of its rows (for example `head -n 1000001 %9 > sample.csv` keeps the "
                               "header and a million rows) or a machine with more memory.")
                    .arg(path, formatBytes(e.fileBytes), english.toString(e.rows), QString::number(e.columns),
                         QString::number(e.sampleRows), formatBytes(e.bytes), formatBytes(available.bytes), available.source,
                         QFileInfo(path).fileName()));
}

Table CsvReader::read(const QString &path, const CsvOptions &options)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("cannot open %1: %2").arg(path, file.errorString()));
    const QString name = QFileInfo(path).fileName();
    if (file.size() == 0)
        throw Error(QStringLiteral("%1: the file is empty (a header row is needed)").arg(path));
    // Before the mapping is read: a file whose columns cannot fit is refused with a reason,
    // instead of the process being killed for want of memory minutes later.
    if (options.maxRows < 0)
        checkMemory(path, options);
    uchar *mapped = file.map(0, file.size());
    if (mapped)
        return Parser(QByteArrayView(reinterpret_cast<const char *>(mapped), file.size()), path, options).run();
    const QByteArray all = file.readAll();
    return Parser(QByteArrayView(all), path, options).run();
}

Table CsvReader::parse(QByteArrayView text, const QString &sourceName, const CsvOptions &options)
{
    return Parser(text, sourceName, options).run();
}

char CsvReader::detectDelimiter(QByteArrayView text)
{
    return detect(text);
}

} // namespace cairn::data

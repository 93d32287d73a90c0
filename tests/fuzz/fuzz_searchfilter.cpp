// The run search language on arbitrary text: a filter compiles to SQL whose '?' count matches its
// bindings, or is a SearchSyntaxError with a position inside the text.
#include "fuzzutil.h"

#include "cairn/store/searchfilter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    try {
        const cairn::CompiledFilter f = cairn::SearchFilter::compile(text);
        if (f.sql.count(QLatin1Char('?')) != f.bindings.size())
            __builtin_trap();
    } catch (const cairn::SearchSyntaxError &e) {
        if (e.position() < 0 || e.position() > text.size())
            __builtin_trap();
    }
    try {
        QList<QVariant> bindings;
        for (const cairn::OrderTerm &t : cairn::SearchFilter::parseOrderBy(text))
            (void)cairn::SearchFilter::orderExpression(t.field, bindings);
    } catch (const cairn::SearchSyntaxError &) {
    }
    return 0;
}

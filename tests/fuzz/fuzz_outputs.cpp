// The notebook output renderer's text path on arbitrary bytes: carriage returns, ANSI escape
// sequences stripped, and ANSI colours turned into HTML (what the view hands to its text browser).
#include "fuzzutil.h"

#include "cairn/notebook/outputs.h"

#include <QRegularExpression>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString lines = cairn::applyCarriageReturns(text);
    const QString plain = cairn::stripAnsi(lines);
    if (cairn::stripAnsi(plain) != plain) // stripping is done in one pass
        __builtin_trap();
    // The only markup in the HTML is the colour spans it makes: no '<' or '>' of the text gets
    // through as markup, whatever escape sequences surround it.
    static const QRegularExpression spans(QStringLiteral("<span style=\"[^\"<>]*\">|</span>"));
    QString html = cairn::ansiToHtml(lines);
    html.remove(spans);
    if (html.contains(QLatin1Char('<')) || html.contains(QLatin1Char('>')))
        __builtin_trap();
    return 0;
}

// The CSV reader on arbitrary bytes: it returns a table or throws cairn::Error, nothing else.
#include "fuzzutil.h"

#include "cairn/data/csvreader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text = fuzz::bytes(data, size);
    for (char delimiter : {char(0), ';'}) {
        cairn::data::CsvOptions options;
        options.delimiter = delimiter;
        try {
            const cairn::data::Table t = cairn::data::CsvReader::parse(text, QStringLiteral("fuzz.csv"), options);
            for (const cairn::data::Column &c : t.columns)
                for (qsizetype r = 0; r < c.size(); ++r)
                    (void)c.text(r);
        } catch (const cairn::Error &) {
        }
    }
    return 0;
}

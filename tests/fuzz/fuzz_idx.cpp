// The IDX reader (plain and gzip) on arbitrary bytes.
#include "fuzzutil.h"

#include "cairn/data/idxreader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString path = fuzz::writeScratch(QStringLiteral("input.idx"), data, size);
    try {
        (void)cairn::data::IdxReader::read(path);
    } catch (const cairn::Error &) {
    }
    return 0;
}

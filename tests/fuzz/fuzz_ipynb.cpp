// The .ipynb reader (nbformat 3 and 4) on arbitrary bytes, and a round trip of what it accepts.
#include "fuzzutil.h"

#include "cairn/notebook/notebook.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::ensureApp();
    try {
        const cairn::Notebook nb = cairn::Notebook::fromJson(fuzz::bytes(data, size), QStringLiteral("fuzz.ipynb"));
        const cairn::Notebook again = cairn::Notebook::fromJson(nb.toJson(), QStringLiteral("again.ipynb"));
        if (again.cells().size() != nb.cells().size())
            __builtin_trap();
    } catch (const cairn::Error &) {
    }
    return 0;
}

// A job spec (spec.json) on arbitrary bytes; what parses survives a save and load.
#include "fuzzutil.h"

#include "cairn/jobs/jobspec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString path = fuzz::writeScratch(QStringLiteral("spec.json"), data, size);
    try {
        const cairn::JobSpec spec = cairn::JobSpec::load(path);
        const cairn::JobSpec again = cairn::JobSpec::fromJson(spec.toJson(), QStringLiteral("again"));
        if (again.algorithm != spec.algorithm || again.resources.cpus != spec.resources.cpus)
            __builtin_trap();
    } catch (const cairn::Error &) {
    }
    return 0;
}

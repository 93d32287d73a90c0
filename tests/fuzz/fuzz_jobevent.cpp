// A job event line (JSON Lines from a worker) on arbitrary bytes.
#include "fuzzutil.h"

#include "cairn/jobs/jobevent.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QString error;
    const auto event = cairn::JobEvent::parse(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)), &error);
    if (event) {
        const auto again = cairn::JobEvent::parse(event->toLine().trimmed(), &error);
        if (!again || again->type != event->type)
            __builtin_trap();
    }
    return 0;
}

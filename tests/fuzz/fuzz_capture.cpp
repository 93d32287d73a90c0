// A data capture line (SageMaker's capture shape, JSON Lines written by an endpoint) on
// arbitrary bytes, then the rows of its request and answer as a monitoring run reads them.
#include "fuzzutil.h"

#include "cairn/monitor/capture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace cairn::monitor;
    CaptureRecord r;
    try {
        r = CaptureRecord::fromJsonLine(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    } catch (const cairn::Error &) {
        return 0;
    }
    // What was accepted survives a round trip through the writer's own serialisation.
    const CaptureRecord again = CaptureRecord::fromJsonLine(r.toJsonLine());
    if (again.eventId != r.eventId || again.inputData != r.inputData || again.outputData != r.outputData
        || again.inferenceTimeMs != r.inferenceTimeMs)
        __builtin_trap();
    CaptureWindow w;
    w.records << r;
    QList<MalformedLine> malformed;
    try {
        capturedInputs(w, {QStringLiteral("a"), QStringLiteral("b")}, {}, nullptr, &malformed);
        capturedOutputs(w, nullptr, &malformed);
    } catch (const cairn::Error &) {
        // A table that cannot be built is an error a user sees, not a crash.
    }
    return 0;
}

// The yolo importer: see fuzz_labels.cpp.
#include <cstddef>
#include <cstdint>

int fuzzLabels(const char *format, const uint8_t *data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzzLabels("yolo", data, size);
}

// The safetensors header (JSON with dtypes, shapes and offsets) and its checks against the
// data that follows: every tensor a file describes must lie inside it, or be refused.
#include "fuzzsupport.h"
#include "models/safetensors.h"

using namespace lookalike;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto file = SafetensorsFile::fromBytes(fuzz::bytesOf(data, size), QStringLiteral("fuzz.safetensors"));
    if (!file)
        return 0;
    // Touch every tensor the header accepted: each must lie within the bytes, and converting
    // it must give as many values as its shape says (or a refusal, for dtypes it cannot take).
    for (const TensorInfo &info : (*file)->tensors()) {
        const std::span<const std::byte> bytes = (*file)->bytes(info);
        volatile unsigned sink = 0;
        for (size_t i = 0; i < bytes.size(); i += 97)
            sink = sink ^ unsigned(bytes[i]);
        if (!bytes.empty())
            sink = sink ^ unsigned(bytes.back());
        if (auto values = (*file)->toFloat32(info.name); values && int64_t(values->size()) != info.elementCount())
            std::abort();
    }
    return 0;
}

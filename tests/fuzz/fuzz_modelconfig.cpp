// config.json (CLIP and SigLIP, with Hugging Face's defaults for what a file leaves out) and
// preprocessor_config.json: whatever the JSON says, the result is a refusal or a config whose
// sizes are positive and consistent.
#include "fuzzsupport.h"
#include "models/hfconfig.h"
#include "models/preprocessorconfig.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace lookalike;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QJsonDocument doc = QJsonDocument::fromJson(fuzz::bytesOf(data, size));
    if (!doc.isObject())
        return 0;
    const QJsonObject json = doc.object();
    if (auto clip = ClipConfig::fromJson(json); clip) {
        if (clip->vision.numPatches() <= 0 || clip->text.hiddenSize <= 0 || clip->projectionDim <= 0)
            std::abort();
    }
    if (auto siglip = SiglipConfig::fromJson(json); siglip) {
        if (siglip->vision.numPatches() <= 0 || siglip->text.hiddenSize <= 0)
            std::abort();
    }
    if (auto pre = PreprocessorConfig::fromJson(json); pre) {
        (void)pre;
    }
    return 0;
}

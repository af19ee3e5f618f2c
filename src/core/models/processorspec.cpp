#include "processorspec.h"

namespace lookalike {

PreprocessSpec processorSpec(const PreprocessorConfig &config)
{
    PreprocessSpec spec;
    spec.mode = config.family == PreprocessorConfig::Family::Clip ? PreprocessSpec::Mode::ClipOpenAi
                                                                  : PreprocessSpec::Mode::Siglip;
    spec.doResize = config.doResize;
    spec.shortestEdge = config.shortestEdge;
    spec.height = config.height;
    spec.width = config.width;
    spec.doCenterCrop = config.doCenterCrop;
    spec.cropHeight = config.cropHeight;
    spec.cropWidth = config.cropWidth;
    spec.resample = config.resample;
    spec.doRescale = config.doRescale;
    spec.rescaleFactor = config.rescaleFactor;
    spec.doNormalize = config.doNormalize;
    for (size_t c = 0; c < 3; ++c) {
        spec.mean[c] = config.mean[c];
        spec.std[c] = config.std[c];
    }
    spec.doConvertRgb = config.doConvertRgb;
    spec.processorClass = config.processorClass;
    return spec;
}

} // namespace lookalike

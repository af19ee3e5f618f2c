#pragma once

#include "models/imagepreprocessor.h"
#include "models/preprocessorconfig.h"

namespace lookalike {

// The preprocessing a model folder's preprocessor_config.json asks for. CLIP folders follow
// openai's clip._transform (what the weights were trained with; on RGB input it equals
// CLIPImageProcessor up to float rounding and the crop offset's rounding), SigLIP folders
// SiglipImageProcessor.
PreprocessSpec processorSpec(const PreprocessorConfig &config);

} // namespace lookalike

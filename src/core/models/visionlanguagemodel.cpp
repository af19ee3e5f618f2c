#include "visionlanguagemodel.h"

#include "models/clipmodel.h"
#include "models/hfconfig.h"
#include "models/siglipmodel.h"

#include <QDir>

#include <cmath>

namespace lookalike {

int64_t HostTensor::numel() const
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

HostTensor HostTensor::rowNormalized() const
{
    HostTensor out = *this;
    if (shape.empty() || shape.back() == 0)
        return out;
    const int64_t width = shape.back();
    for (size_t row = 0; row + size_t(width) <= out.values.size(); row += size_t(width)) {
        float *v = out.values.data() + row;
        double sum = 0.0;
        for (int64_t i = 0; i < width; ++i)
            sum += double(v[i]) * double(v[i]);
        const float norm = float(std::sqrt(sum));
        if (norm > 0.0f) {
            for (int64_t i = 0; i < width; ++i)
                v[i] /= norm;
        }
    }
    return out;
}

HostTensor VisionLanguageModel::logitsPerImage(const HostTensor &images, const HostTensor &texts) const
{
    const int64_t ni = images.shape.empty() ? 0 : images.shape.front();
    const int64_t nt = texts.shape.empty() ? 0 : texts.shape.front();
    const int64_t dim = images.shape.empty() ? 0 : images.shape.back();
    const double scale = logitScale();
    const double bias = logitBias().value_or(0.0);
    HostTensor out{{ni, nt}, std::vector<float>(size_t(ni * nt))};
    for (int64_t i = 0; i < ni; ++i) {
        for (int64_t t = 0; t < nt; ++t) {
            double dot = 0.0;
            for (int64_t k = 0; k < dim; ++k)
                dot += double(images.values[size_t(i * dim + k)]) * double(texts.values[size_t(t * dim + k)]);
            out.values[size_t(i * nt + t)] = float(scale * dot + bias);
        }
    }
    return out;
}

Result<std::unique_ptr<VisionLanguageModel>> loadVisionLanguageModel(const QString &folder, const ModelLoadOptions &options)
{
    const auto type = modelType(QDir(folder).filePath(options.configFile));
    if (!type)
        return type.error();
    if (*type == QLatin1String("clip")) {
        auto m = ClipModel::load(folder, options);
        if (!m)
            return m.error();
        return std::unique_ptr<VisionLanguageModel>(std::move(*m));
    }
    if (*type == QLatin1String("siglip")) {
        auto m = SiglipModel::load(folder, options);
        if (!m)
            return m.error();
        return std::unique_ptr<VisionLanguageModel>(std::move(*m));
    }
    return Error(QStringLiteral("%1: model_type \"%2\" is neither CLIP nor SigLIP").arg(folder, *type), Error::Code::Unsupported);
}

} // namespace lookalike

#include "visionlanguageembedder.h"

#include "models/cpubuffercache.h"
#include "models/imagepreprocessor.h"
#include "models/modelregistry.h"
#include "models/preprocessorconfig.h"
#include "models/processorspec.h"
#include "models/tokenizer.h"
#include "util/logging.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace lookalike {

QString VisionLanguageEmbedder::idFor(const QString &family, const QString &folder)
{
    return ModelRegistry::idFor(family, folder);
}

VisionLanguageEmbedder::VisionLanguageEmbedder(QString id, QString folder, std::unique_ptr<VisionLanguageModel> model,
                                               std::unique_ptr<Tokenizer> tokenizer,
                                               std::unique_ptr<ImagePreprocessor> preprocessor)
    : m_id(std::move(id)),
      m_folder(std::move(folder)),
      m_model(std::move(model)),
      m_tokenizer(std::move(tokenizer)),
      m_preprocessor(std::move(preprocessor))
{
}

VisionLanguageEmbedder::~VisionLanguageEmbedder() = default;

void VisionLanguageEmbedder::releaseWorkingMemory()
{
    CpuBufferCache::instance().trim();
}

Result<std::unique_ptr<VisionLanguageEmbedder>> VisionLanguageEmbedder::load(const QString &folder,
                                                                             const ModelLoadOptions &options)
{
    const QDir dir(folder);
    auto model = loadVisionLanguageModel(folder, options);
    if (!model)
        return model.error();

    auto config = PreprocessorConfig::fromFile(dir.filePath(QStringLiteral("preprocessor_config.json")));
    if (!config)
        return config.error();
    const bool clip = (*model)->family() == QLatin1String("clip");
    if ((config->family == PreprocessorConfig::Family::Clip) != clip) {
        return Error(QStringLiteral("%1: preprocessor_config.json names %2, which does not go with a %3 model")
                         .arg(folder, config->processorClass, (*model)->family()),
                     Error::Code::Corrupt);
    }
    auto preprocessor = ImagePreprocessor::create(processorSpec(*config));
    if (!preprocessor)
        return preprocessor.error();
    const QSize out = preprocessor->outputSize();
    const int side = (*model)->imageSize();
    if (out != QSize(side, side)) {
        return Error(QStringLiteral("%1: the image processor makes %2×%3 images, but the vision tower takes %4×%4")
                         .arg(folder)
                         .arg(out.width())
                         .arg(out.height())
                         .arg(side),
                     Error::Code::Corrupt);
    }

    auto tokenizer = Tokenizer::fromModelFolder(folder);
    if (!tokenizer)
        return tokenizer.error();

    const QString id = idFor((*model)->family(), folder);
    qCInfo(lcEmbed).noquote() << "loaded" << id << "from" << folder << "on" << (*model)->device() << "dimension"
                              << (*model)->embeddingDimension();
    return std::unique_ptr<VisionLanguageEmbedder>(
        new VisionLanguageEmbedder(id, folder, std::move(*model), std::move(*tokenizer),
                                   std::make_unique<ImagePreprocessor>(std::move(*preprocessor))));
}

int VisionLanguageEmbedder::dimension() const
{
    return m_model->embeddingDimension();
}

int VisionLanguageEmbedder::preferredInputSide() const
{
    const PreprocessSpec &spec = m_preprocessor->spec();
    if (spec.shortestEdge > 0)
        return spec.shortestEdge;
    return std::max({spec.height, spec.width, m_model->imageSize()});
}

double VisionLanguageEmbedder::logitScale() const
{
    return m_model->logitScale();
}

std::optional<double> VisionLanguageEmbedder::logitBias() const
{
    return m_model->logitBias();
}

Result<std::vector<float>> VisionLanguageEmbedder::embedImages(std::span<const QImage> images)
{
    const int side = m_model->imageSize();
    const qsizetype perImage = m_preprocessor->valuesPerImage();
    const size_t dim = size_t(dimension());
    std::vector<float> out;
    out.reserve(images.size() * dim);
    for (size_t first = 0; first < images.size(); first += kBatchSize) {
        const size_t count = std::min(images.size() - first, size_t(kBatchSize));
        HostTensor pixels{{int64_t(count), 3, side, side}, std::vector<float>(count * size_t(perImage))};
        for (size_t i = 0; i < count; ++i) {
            auto done = m_preprocessor->processInto(images[first + i],
                                                    std::span<float>(pixels.values.data() + i * size_t(perImage), size_t(perImage)));
            if (!done)
                return Error(QStringLiteral("image %1: %2").arg(first + i).arg(done.errorMessage()), done.error().code);
        }
        auto embeds = m_model->encodeImages(pixels);
        if (!embeds)
            return embeds.error();
        const HostTensor normalized = embeds->rowNormalized();
        out.insert(out.end(), normalized.values.begin(), normalized.values.end());
    }
    return out;
}

Result<std::vector<float>> VisionLanguageEmbedder::embedTexts(std::span<const QString> texts)
{
    // CLIP pools at its end-of-text token and SigLIP at the last position, having been trained
    // on rows padded to the full context: both get rows of the model's full length, and no
    // attention mask (SigLIP was trained without one).
    const int length = m_model->maxTextLength();
    const size_t dim = size_t(dimension());
    std::vector<float> out;
    out.reserve(texts.size() * dim);
    for (size_t first = 0; first < texts.size(); first += kBatchSize) {
        const size_t count = std::min(texts.size() - first, size_t(kBatchSize));
        TokenBatch batch;
        batch.rows = int64_t(count);
        batch.length = length;
        batch.ids.reserve(count * size_t(length));
        for (size_t i = 0; i < count; ++i) {
            auto row = m_tokenizer->tokenize(texts[first + i], length);
            if (!row)
                return Error(QStringLiteral("text %1: %2").arg(first + i).arg(row.errorMessage()), row.error().code);
            if (row->ids.size() != size_t(length))
                return Error(QStringLiteral("text %1: the tokenizer gave %2 ids, not %3").arg(first + i).arg(row->ids.size()).arg(length));
            batch.ids.insert(batch.ids.end(), row->ids.begin(), row->ids.end());
        }
        auto embeds = m_model->encodeTexts(batch);
        if (!embeds)
            return embeds.error();
        const HostTensor normalized = embeds->rowNormalized();
        out.insert(out.end(), normalized.values.begin(), normalized.values.end());
    }
    return out;
}

} // namespace lookalike

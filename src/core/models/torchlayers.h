#pragma once

// Internal to lookalike_models: the building blocks the CLIP and SigLIP networks share, as
// plain functions over at::Tensor with the weights in small structs (no torch::nn modules,
// which cost compile time and hide the tensor names). Include before any Qt header: Qt's
// keyword macros break libtorch's headers.
#include <ATen/ATen.h>

#include "models/hfconfig.h"
#include "models/visionlanguagemodel.h"
#include "models/weighttable.h"

#include "models/safetensors.h"

#include <QDir>
#include <QString>

#include <memory>
#include <stdexcept>

namespace lookalike {

class SafetensorsModel;

namespace torchnn {

// Thrown inside the networks' loaders and caught at their boundary, like c10::Error.
class LoadError : public std::runtime_error
{
public:
    explicit LoadError(const QString &message) : std::runtime_error(message.toStdString()) {}
};

// The hyper-parameters of one transformer tower.
struct TowerShape
{
    int hidden = 0;
    int intermediate = 0;
    int layers = 0;
    int heads = 0;
    double eps = 1e-5;
    HiddenAct act = HiddenAct::QuickGelu;
};

struct Linear
{
    at::Tensor weight; // out × in
    at::Tensor bias;   // undefined when the layer has none
    at::Tensor operator()(const at::Tensor &x) const { return at::linear(x, weight, bias); }
};

struct LayerNorm
{
    at::Tensor weight;
    at::Tensor bias;
    double eps = 1e-5;
    at::Tensor operator()(const at::Tensor &x) const;
};

struct Mlp
{
    Linear fc1;
    Linear fc2;
};

struct EncoderLayer
{
    LayerNorm layerNorm1;
    Linear q, k, v, out;
    LayerNorm layerNorm2;
    Mlp mlp;
};

// A tower's shape from its HF config section (CLIP's and SigLIP's share these fields).
template <typename TowerConfig>
TowerShape towerShape(const TowerConfig &c)
{
    return {c.hiddenSize, c.intermediateSize, c.numHiddenLayers, c.numAttentionHeads, c.layerNormEps, c.hiddenAct};
}
// Both towers' sizes positive and hidden divisible by heads; `family` names the model in the
// error ("CLIP vision_config: ...").
Result<void> checkTowers(const QString &family, const TowerShape &vision, const TowerShape &text);

// Table entries (names and shapes) for the HF layouts.
void addLinear(WeightTable &table, const QString &prefix, int64_t out, int64_t in, bool bias, const QString &why);
void addLayerNorm(WeightTable &table, const QString &prefix, int64_t dim, const QString &why);
// `prefix`.layers.{i}.{self_attn.{q,k,v,out}_proj, layer_norm1, layer_norm2, mlp.fc1, mlp.fc2}
void addEncoder(WeightTable &table, const QString &prefix, const TowerShape &shape, const QString &why);

// Reads validated tensors (WeightTable::check first) as float32 and moves them to the
// device and dtype the network runs in. Throws LoadError.
class WeightLoader
{
public:
    WeightLoader(const SafetensorsModel &weights, at::Device device, at::ScalarType dtype)
        : m_weights(weights), m_device(device), m_dtype(dtype)
    {
    }
    at::Tensor tensor(const QString &name) const;
    // The value of a [] or [1] tensor.
    double scalar(const QString &name) const;
    Linear linear(const QString &prefix, bool bias) const;
    LayerNorm layerNorm(const QString &prefix, double eps) const;
    Mlp mlp(const QString &prefix) const;
    std::vector<EncoderLayer> encoder(const QString &prefix, const TowerShape &shape) const;

private:
    at::Tensor cpuFloat(const QString &name) const;

    const SafetensorsModel &m_weights;
    at::Device m_device;
    at::ScalarType m_dtype;
};

at::Tensor activate(const at::Tensor &x, HiddenAct act);
at::Tensor mlpForward(const Mlp &mlp, const at::Tensor &x, HiddenAct act);

// Scaled dot-product attention over already projected q (B×Lq×D), k and v (B×Lk×D), split
// into `heads`; `allowed` is a bool tensor broadcastable to B×heads×Lq×Lk (true = may attend)
// or undefined. Returns B×Lq×D, before the output projection.
at::Tensor attention(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v, int heads,
                     const at::Tensor &allowed);

// Pre-LN encoder: x + attn(ln1(x)), then x + mlp(ln2(x)), layer after layer. With `debug`,
// stores each layer's output as "<debugPrefix>encoder_layer_<i>_output".
at::Tensor encoderForward(const std::vector<EncoderLayer> &layers, const TowerShape &shape, at::Tensor x,
                          const at::Tensor &allowed, DebugTensors *debug, const QString &debugPrefix);

// Padding mask from 0/1 ids (rows × length) → bool rows×1×1×length, on `device`.
at::Tensor keyPaddingAllowed(const TokenBatch &tokens, at::Device device);

HostTensor toHost(const at::Tensor &t);
at::Tensor fromHost(const HostTensor &t, at::Device device, at::ScalarType dtype);

// Device and dtype from the options and TorchRuntime; an error for "cuda" without a GPU.
struct Placement
{
    at::Device device = at::kCPU;
    at::ScalarType dtype = at::kFloat;
};
Result<Placement> resolvePlacement(const ModelLoadOptions &options);
QString deviceName(const Placement &placement);

// Runs `f` and turns libtorch and loader exceptions into an Error that starts with `what`.
template <typename F>
auto guarded(const QString &what, F &&f) -> decltype(f())
{
    try {
        return f();
    } catch (const c10::Error &e) {
        return Error(what + QStringLiteral(": ") + QString::fromStdString(e.what_without_backtrace()));
    } catch (const LoadError &e) {
        return Error(what + QStringLiteral(": ") + QString::fromStdString(e.what()), Error::Code::Corrupt);
    } catch (const std::exception &e) {
        return Error(what + QStringLiteral(": ") + QString::fromStdString(e.what()));
    }
}

// A network's load(): its config (Config::fromFile, HF's defaults filled in) and the
// folder's weights, then Model::create().
template <typename Model, typename Config>
Result<std::unique_ptr<Model>> loadFolder(const QString &folder, const ModelLoadOptions &options)
{
    auto config = Config::fromFile(QDir(folder).filePath(options.configFile));
    if (!config)
        return config.error();
    auto weights = SafetensorsModel::open(folder);
    if (!weights)
        return weights.error();
    return Model::create(*config, *weights, options);
}

// What every network's create() does before reading a weight: checks every tensor's name,
// dtype and shape against `table` and resolves where it will run; then `build(placement,
// loader)` reads the weights, with libtorch's and the loader's exceptions turned into errors
// that start with `what`.
template <typename Model, typename Build>
Result<std::unique_ptr<Model>> buildNetwork(const QString &what, const WeightTable &table, const SafetensorsModel &weights,
                                            const ModelLoadOptions &options, Build &&build)
{
    if (auto checked = table.check(weights); !checked)
        return checked.error();
    auto placement = resolvePlacement(options);
    if (!placement)
        return placement.error();
    return guarded(what, [&]() -> Result<std::unique_ptr<Model>> {
        const WeightLoader loader(weights, placement->device, placement->dtype);
        return build(*placement, loader);
    });
}

} // namespace torchnn
} // namespace lookalike

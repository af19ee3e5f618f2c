#include "torchlayers.h"

#include "models/safetensors.h"
#include "models/torchbackend.h"

#include <QSysInfo>

#include <cmath>
#include <limits>

namespace lookalike::torchnn {

at::Tensor LayerNorm::operator()(const at::Tensor &x) const
{
    return at::layer_norm(x, {weight.size(0)}, weight, bias, eps);
}

void addLinear(WeightTable &table, const QString &prefix, int64_t out, int64_t in, bool bias, const QString &why)
{
    table.add(prefix + QStringLiteral(".weight"), {out, in}, why);
    if (bias)
        table.add(prefix + QStringLiteral(".bias"), {out}, why);
}

void addLayerNorm(WeightTable &table, const QString &prefix, int64_t dim, const QString &why)
{
    table.add(prefix + QStringLiteral(".weight"), {dim}, why);
    table.add(prefix + QStringLiteral(".bias"), {dim}, why);
}

void addEncoder(WeightTable &table, const QString &prefix, const TowerShape &shape, const QString &why)
{
    const QString hidden = why + QStringLiteral(" hidden_size %1").arg(shape.hidden);
    const QString inter = hidden + QStringLiteral(", intermediate_size %1").arg(shape.intermediate);
    for (int i = 0; i < shape.layers; ++i) {
        const QString p = prefix + QStringLiteral(".layers.%1.").arg(i);
        for (const char *proj : {"q_proj", "k_proj", "v_proj", "out_proj"})
            addLinear(table, p + QStringLiteral("self_attn.") + QLatin1String(proj), shape.hidden, shape.hidden, true, hidden);
        addLayerNorm(table, p + QStringLiteral("layer_norm1"), shape.hidden, hidden);
        addLayerNorm(table, p + QStringLiteral("layer_norm2"), shape.hidden, hidden);
        addLinear(table, p + QStringLiteral("mlp.fc1"), shape.intermediate, shape.hidden, true, inter);
        addLinear(table, p + QStringLiteral("mlp.fc2"), shape.hidden, shape.intermediate, true, inter);
    }
}

Result<void> checkTowers(const QString &family, const TowerShape &vision, const TowerShape &text)
{
    for (const auto &[name, tower] : {std::pair{"vision", vision}, std::pair{"text", text}}) {
        if (tower.hidden <= 0 || tower.intermediate <= 0 || tower.layers < 0 || tower.heads <= 0 || tower.hidden % tower.heads != 0) {
            return Error(QStringLiteral("%1 %2_config: hidden_size %3 must be a positive multiple of num_attention_heads %4")
                             .arg(family, QLatin1String(name))
                             .arg(tower.hidden)
                             .arg(tower.heads),
                         Error::Code::InvalidArgument);
        }
    }
    return {};
}

at::Tensor WeightLoader::cpuFloat(const QString &name) const
{
    const auto found = m_weights.find(name);
    if (!found || !found->info)
        throw LoadError(QStringLiteral("missing tensor %1").arg(name));
    std::vector<int64_t> sizes = found->info->shape;
    // F32 as stored is what the CPU computes in: the tensor is the mapped file itself, no
    // copy. The model then costs its file's pages (shared with the page cache, and read in
    // as the layers first use them) instead of a private copy of every weight; loading
    // peaked at twice the weights before (bench_models, memory_after_load). The tensor holds
    // the file open through its deleter.
    const std::span<const std::byte> bytes = found->file->bytes(*found->info);
    if (found->info->dtype == TensorDType::F32 && QSysInfo::ByteOrder == QSysInfo::LittleEndian
        && reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(float) == 0) {
        std::shared_ptr<const SafetensorsFile> owner = found->owner;
        return at::from_blob(
            const_cast<std::byte *>(bytes.data()), sizes, [owner](void *) {}, at::TensorOptions().dtype(at::kFloat));
    }
    auto values = m_weights.toFloat32(name);
    if (!values)
        throw LoadError(values.errorMessage());
    // Hand the vector's storage to the tensor instead of copying it (a ViT-L tower is ~1 GB).
    auto *owned = new std::vector<float>(std::move(values.value()));
    return at::from_blob(
        owned->data(), sizes, [owned](void *) { delete owned; }, at::TensorOptions().dtype(at::kFloat));
}

at::Tensor WeightLoader::tensor(const QString &name) const
{
    at::Tensor t = cpuFloat(name);
    if (m_device.is_cpu() && m_dtype == at::kFloat)
        return t;
    return t.to(m_device, m_dtype);
}

double WeightLoader::scalar(const QString &name) const
{
    const at::Tensor t = cpuFloat(name);
    if (t.numel() != 1)
        throw LoadError(QStringLiteral("%1 must hold one value, not %2").arg(name).arg(t.numel()));
    return t.reshape({}).item<double>();
}

Linear WeightLoader::linear(const QString &prefix, bool bias) const
{
    Linear l;
    l.weight = tensor(prefix + QStringLiteral(".weight"));
    if (bias)
        l.bias = tensor(prefix + QStringLiteral(".bias"));
    return l;
}

LayerNorm WeightLoader::layerNorm(const QString &prefix, double eps) const
{
    return LayerNorm{tensor(prefix + QStringLiteral(".weight")), tensor(prefix + QStringLiteral(".bias")), eps};
}

Mlp WeightLoader::mlp(const QString &prefix) const
{
    return Mlp{linear(prefix + QStringLiteral(".fc1"), true), linear(prefix + QStringLiteral(".fc2"), true)};
}

std::vector<EncoderLayer> WeightLoader::encoder(const QString &prefix, const TowerShape &shape) const
{
    std::vector<EncoderLayer> layers;
    layers.reserve(size_t(shape.layers));
    for (int i = 0; i < shape.layers; ++i) {
        const QString p = prefix + QStringLiteral(".layers.%1.").arg(i);
        EncoderLayer l;
        l.layerNorm1 = layerNorm(p + QStringLiteral("layer_norm1"), shape.eps);
        l.q = linear(p + QStringLiteral("self_attn.q_proj"), true);
        l.k = linear(p + QStringLiteral("self_attn.k_proj"), true);
        l.v = linear(p + QStringLiteral("self_attn.v_proj"), true);
        l.out = linear(p + QStringLiteral("self_attn.out_proj"), true);
        l.layerNorm2 = layerNorm(p + QStringLiteral("layer_norm2"), shape.eps);
        l.mlp = mlp(p + QStringLiteral("mlp"));
        layers.push_back(std::move(l));
    }
    return layers;
}

at::Tensor activate(const at::Tensor &x, HiddenAct act)
{
    switch (act) {
    case HiddenAct::QuickGelu:
        return x * at::sigmoid(x * 1.702);
    case HiddenAct::Gelu:
        return at::gelu(x);
    case HiddenAct::GeluPytorchTanh:
    case HiddenAct::GeluNew: // the same function as gelu_pytorch_tanh, up to rounding
        return at::gelu(x, "tanh");
    }
    return x;
}

at::Tensor mlpForward(const Mlp &mlp, const at::Tensor &x, HiddenAct act)
{
    return mlp.fc2(activate(mlp.fc1(x), act));
}

at::Tensor attention(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v, int heads, const at::Tensor &allowed)
{
    const int64_t batch = q.size(0);
    const int64_t lq = q.size(1);
    const int64_t lk = k.size(1);
    const int64_t dim = q.size(2);
    const int64_t headDim = dim / heads;
    // B×L×D → B×H×L×hd
    const auto split = [&](const at::Tensor &t, int64_t len) {
        return t.view({batch, len, heads, headDim}).transpose(1, 2);
    };
    const at::Tensor qh = split(q * (1.0 / std::sqrt(double(headDim))), lq);
    const at::Tensor kh = split(k, lk);
    const at::Tensor vh = split(v, lk);
    at::Tensor scores = at::matmul(qh, kh.transpose(-2, -1));
    if (allowed.defined()) {
        // The lowest finite value, as HF's masks use: a fully masked row stays finite.
        const double lowest = scores.scalar_type() == at::kHalf ? -65504.0 : double(std::numeric_limits<float>::lowest());
        scores = scores.masked_fill(allowed.logical_not(), lowest);
    }
    const at::Tensor probs = scores.scalar_type() == at::kFloat
        ? at::softmax(scores, -1)
        : at::softmax(scores, -1, at::kFloat).to(scores.scalar_type());
    return at::matmul(probs, vh).transpose(1, 2).reshape({batch, lq, dim});
}

at::Tensor encoderForward(const std::vector<EncoderLayer> &layers, const TowerShape &shape, at::Tensor x,
                          const at::Tensor &allowed, DebugTensors *debug, const QString &debugPrefix)
{
    for (size_t i = 0; i < layers.size(); ++i) {
        const EncoderLayer &l = layers[i];
        const at::Tensor h = l.layerNorm1(x);
        x = x + l.out(attention(l.q(h), l.k(h), l.v(h), shape.heads, allowed));
        x = x + mlpForward(l.mlp, l.layerNorm2(x), shape.act);
        if (debug)
            debug->insert(debugPrefix + QStringLiteral("encoder_layer_%1_output").arg(i), toHost(x));
    }
    return x;
}

at::Tensor keyPaddingAllowed(const TokenBatch &tokens, at::Device device)
{
    at::Tensor mask = at::empty({tokens.rows, 1, 1, tokens.length}, at::TensorOptions().dtype(at::kBool));
    bool *p = mask.data_ptr<bool>();
    for (size_t i = 0; i < tokens.attentionMask.size(); ++i)
        p[i] = tokens.attentionMask[i] != 0;
    return mask.to(device);
}

HostTensor toHost(const at::Tensor &t)
{
    const at::Tensor c = t.detach().to(at::kCPU, at::kFloat).contiguous();
    HostTensor out;
    out.shape.assign(c.sizes().begin(), c.sizes().end());
    const float *p = c.data_ptr<float>();
    out.values.assign(p, p + c.numel());
    return out;
}

at::Tensor fromHost(const HostTensor &t, at::Device device, at::ScalarType dtype)
{
    at::Tensor cpu = at::from_blob(const_cast<float *>(t.values.data()), t.shape, at::TensorOptions().dtype(at::kFloat));
    // from_blob does not own the memory: always copy before the caller's HostTensor goes away.
    return cpu.to(device, dtype, /*non_blocking=*/false, /*copy=*/true);
}

Result<Placement> resolvePlacement(const ModelLoadOptions &options)
{
    const QString asked = options.device.isEmpty() ? TorchBackend::device() : options.device;
    TorchBackend::ensureApplied(); // the configured intra-op thread count
    Placement p;
    if (asked == QLatin1String("cpu"))
        return p;
    if (asked == QLatin1String("cuda")) {
        if (!TorchBackend::cudaAvailable())
            return Error(QStringLiteral("device \"cuda\" was asked for, but libtorch sees no CUDA GPU"), Error::Code::Unsupported);
        p.device = at::Device(at::kCUDA, 0);
        p.dtype = options.halfOnCuda ? at::kHalf : at::kFloat;
        return p;
    }
    return Error(QStringLiteral("unknown device \"%1\" (cpu, cuda)").arg(asked), Error::Code::InvalidArgument);
}

QString deviceName(const Placement &placement)
{
    return placement.device.is_cuda() ? QStringLiteral("cuda") : QStringLiteral("cpu");
}

} // namespace lookalike::torchnn

#!/usr/bin/python3
"""Writes a Hugging Face-layout CLIP or SigLIP model folder with random weights at real size.

    make_random_vlm.py {clip-vit-b32|siglip-so400m} OUT_DIR [--seed N] [--image-size N]

For benchmarks only: the architecture and every tensor name and shape are those of the
published checkpoints (openai/clip-vit-base-patch32, google/siglip-so400m-patch14-384), the
weights are noise, so embeddings mean nothing. Needs numpy only (Debian's python3-numpy).

Contents of OUT_DIR:
  config.json              the published hyper-parameters, written out in full
  model.safetensors        float32, HF tensor names; written tensor by tensor (the so400m file
                           is ~3.5 GB and never held in memory whole)
  preprocessor_config.json CLIPImageProcessor (shortest edge 224, crop 224) or
                           SiglipImageProcessor (384 x 384), as HF publishes them
  tokenizer files          CLIP: the real BPE vocabulary from shared/testdata/models/clip-tokenizer;
                           SigLIP: the 4000-piece test SentencePiece model from siglip-tiny (the
                           real one has 32,000 pieces; its ids all fall inside vocab_size 32000,
                           which is what the loader checks)
  README.md                what the folder is

Weights: N(0, 0.02) for matrices, embeddings and biases; LayerNorm weights 1 + N(0, 0.02);
logit_scale / logit_bias fixed scalars. Each tensor is seeded from the seed and its name, so
the file does not depend on the order tensors are written in.

--image-size overrides the vision tower's image_size (and the processor's size), for loaders
that insist on image_size being a multiple of patch_size (so400m: 384 = 27 x 14 + 6; 378 gives
the same 27 x 27 = 729 patches and the same transformer workload).
"""

import argparse
import json
import os
import shutil
import struct
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "testdata", "models"))

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]


def clip_config():
    # openai/clip-vit-base-patch32
    return {
        "architectures": ["CLIPModel"],
        "model_type": "clip",
        "projection_dim": 512,
        "logit_scale_init_value": 2.6592,
        "initializer_factor": 1.0,
        "text_config": {
            "model_type": "clip_text_model", "vocab_size": 49408, "hidden_size": 512,
            "intermediate_size": 2048, "projection_dim": 512, "num_hidden_layers": 12,
            "num_attention_heads": 8, "max_position_embeddings": 77, "hidden_act": "quick_gelu",
            "layer_norm_eps": 1e-05, "attention_dropout": 0.0, "initializer_range": 0.02,
            "initializer_factor": 1.0, "pad_token_id": 1, "bos_token_id": 49406, "eos_token_id": 49407,
        },
        "vision_config": {
            "model_type": "clip_vision_model", "hidden_size": 768, "intermediate_size": 3072,
            "projection_dim": 512, "num_hidden_layers": 12, "num_attention_heads": 12,
            "num_channels": 3, "image_size": 224, "patch_size": 32, "hidden_act": "quick_gelu",
            "layer_norm_eps": 1e-05, "attention_dropout": 0.0, "initializer_range": 0.02,
            "initializer_factor": 1.0,
        },
        "torch_dtype": "float32",
    }


def siglip_config():
    # google/siglip-so400m-patch14-384
    return {
        "architectures": ["SiglipModel"],
        "model_type": "siglip",
        "initializer_factor": 1.0,
        "text_config": {
            "model_type": "siglip_text_model", "vocab_size": 32000, "hidden_size": 1152,
            "intermediate_size": 4304, "num_hidden_layers": 27, "num_attention_heads": 16,
            "max_position_embeddings": 64, "hidden_act": "gelu_pytorch_tanh",
            "layer_norm_eps": 1e-06, "attention_dropout": 0.0, "pad_token_id": 1,
            "bos_token_id": 49406, "eos_token_id": 49407,
        },
        "vision_config": {
            "model_type": "siglip_vision_model", "hidden_size": 1152, "intermediate_size": 4304,
            "num_hidden_layers": 27, "num_attention_heads": 16, "num_channels": 3,
            "image_size": 384, "patch_size": 14, "hidden_act": "gelu_pytorch_tanh",
            "layer_norm_eps": 1e-06, "attention_dropout": 0.0,
        },
        "torch_dtype": "float32",
    }


# Tensor kinds: "w" N(0, 0.02), "ln" 1 + N(0, 0.02), ("const", v) a fixed value.
def encoder(prefix, layers, hidden, inter):
    out = []
    for i in range(layers):
        p = f"{prefix}.layers.{i}."
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            out += [(p + f"self_attn.{proj}.weight", [hidden, hidden], "w"), (p + f"self_attn.{proj}.bias", [hidden], "w")]
        for ln in ("layer_norm1", "layer_norm2"):
            out += [(p + f"{ln}.weight", [hidden], "ln"), (p + f"{ln}.bias", [hidden], "w")]
        out += [(p + "mlp.fc1.weight", [inter, hidden], "w"), (p + "mlp.fc1.bias", [inter], "w"),
                (p + "mlp.fc2.weight", [hidden, inter], "w"), (p + "mlp.fc2.bias", [hidden], "w")]
    return out


def layer_norm(prefix, dim):
    return [(prefix + ".weight", [dim], "ln"), (prefix + ".bias", [dim], "w")]


def clip_tensors(cfg):
    v, t, proj = cfg["vision_config"], cfg["text_config"], cfg["projection_dim"]
    dv, dt = v["hidden_size"], t["hidden_size"]
    grid = v["image_size"] // v["patch_size"]
    out = [("vision_model.embeddings.class_embedding", [dv], "w"),
           ("vision_model.embeddings.patch_embedding.weight", [dv, 3, v["patch_size"], v["patch_size"]], "w"),
           ("vision_model.embeddings.position_embedding.weight", [grid * grid + 1, dv], "w")]
    out += layer_norm("vision_model.pre_layrnorm", dv)
    out += encoder("vision_model.encoder", v["num_hidden_layers"], dv, v["intermediate_size"])
    out += layer_norm("vision_model.post_layernorm", dv)
    out += [("visual_projection.weight", [proj, dv], "w"),
            ("text_model.embeddings.token_embedding.weight", [t["vocab_size"], dt], "w"),
            ("text_model.embeddings.position_embedding.weight", [t["max_position_embeddings"], dt], "w")]
    out += encoder("text_model.encoder", t["num_hidden_layers"], dt, t["intermediate_size"])
    out += layer_norm("text_model.final_layer_norm", dt)
    out += [("text_projection.weight", [proj, dt], "w"),
            ("logit_scale", [], ("const", 4.6052))]  # ln 100, as the trained checkpoint holds
    return out


def siglip_tensors(cfg):
    v, t = cfg["vision_config"], cfg["text_config"]
    dv, dt, iv = v["hidden_size"], t["hidden_size"], v["intermediate_size"]
    grid = v["image_size"] // v["patch_size"]
    out = [("vision_model.embeddings.patch_embedding.weight", [dv, 3, v["patch_size"], v["patch_size"]], "w"),
           ("vision_model.embeddings.patch_embedding.bias", [dv], "w"),
           ("vision_model.embeddings.position_embedding.weight", [grid * grid, dv], "w")]
    out += encoder("vision_model.encoder", v["num_hidden_layers"], dv, iv)
    out += layer_norm("vision_model.post_layernorm", dv)
    out += [("vision_model.head.probe", [1, 1, dv], "w"),
            ("vision_model.head.attention.in_proj_weight", [3 * dv, dv], "w"),
            ("vision_model.head.attention.in_proj_bias", [3 * dv], "w"),
            ("vision_model.head.attention.out_proj.weight", [dv, dv], "w"),
            ("vision_model.head.attention.out_proj.bias", [dv], "w")]
    out += layer_norm("vision_model.head.layernorm", dv)
    out += [("vision_model.head.mlp.fc1.weight", [iv, dv], "w"), ("vision_model.head.mlp.fc1.bias", [iv], "w"),
            ("vision_model.head.mlp.fc2.weight", [dv, iv], "w"), ("vision_model.head.mlp.fc2.bias", [dv], "w"),
            ("text_model.embeddings.token_embedding.weight", [t["vocab_size"], dt], "w"),
            ("text_model.embeddings.position_embedding.weight", [t["max_position_embeddings"], dt], "w")]
    out += encoder("text_model.encoder", t["num_hidden_layers"], dt, t["intermediate_size"])
    out += layer_norm("text_model.final_layer_norm", dt)
    out += [("text_model.head.weight", [dv, dt], "w"), ("text_model.head.bias", [dv], "w"),
            ("logit_scale", [1], ("const", 2.3026)), ("logit_bias", [1], ("const", -10.0))]
    return out


def generate(name, shape, kind, seed):
    n = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if isinstance(kind, tuple):
        return np.full(n, kind[1], dtype="<f4")
    rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
    a = rng.standard_normal(n, dtype=np.float32)
    a *= np.float32(0.02)
    if kind == "ln":
        a += np.float32(1.0)
    return a.astype("<f4", copy=False)


def write_safetensors(path, tensors, seed):
    # Header first (offsets follow from the shapes), then the data, one tensor at a time.
    # Names sorted, as save_pretrained writes them.
    tensors = sorted(tensors, key=lambda x: x[0])
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape, _ in tensors:
        size = 4 * (int(np.prod(shape, dtype=np.int64)) if shape else 1)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    tmp = path + ".part"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for name, shape, kind in tensors:
            f.write(generate(name, shape, kind, seed).tobytes())
    if os.path.getsize(tmp) != 8 + len(blob) + offset:
        sys.exit(f"{tmp}: wrong size")
    os.replace(tmp, path)
    return offset


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", choices=["clip-vit-b32", "siglip-so400m"])
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--image-size", type=int, default=0)
    args = ap.parse_args()

    clip = args.model == "clip-vit-b32"
    cfg = clip_config() if clip else siglip_config()
    if args.image_size:
        cfg["vision_config"]["image_size"] = args.image_size
    side = cfg["vision_config"]["image_size"]
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")

    if clip:
        pre = {"crop_size": {"height": side, "width": side}, "do_center_crop": True, "do_convert_rgb": True,
               "do_normalize": True, "do_rescale": True, "do_resize": True, "image_mean": CLIP_MEAN,
               "image_processor_type": "CLIPImageProcessor", "image_std": CLIP_STD, "resample": 3,
               "rescale_factor": 0.00392156862745098, "size": {"shortest_edge": side}}
        src = os.path.join(TESTDATA, "clip-tokenizer")
        files = ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"]
    else:
        pre = {"do_convert_rgb": None, "do_normalize": True, "do_rescale": True, "do_resize": True,
               "image_mean": [0.5, 0.5, 0.5], "image_processor_type": "SiglipImageProcessor",
               "image_std": [0.5, 0.5, 0.5], "resample": 3, "rescale_factor": 0.00392156862745098,
               "size": {"height": side, "width": side}}
        src = os.path.join(TESTDATA, "siglip-tiny")
        files = ["spiece.model", "tokenizer_config.json", "special_tokens_map.json"]
    with open(os.path.join(args.out_dir, "preprocessor_config.json"), "w") as f:
        json.dump(pre, f, indent=2)
        f.write("\n")
    for name in files:
        shutil.copyfile(os.path.join(src, name), os.path.join(args.out_dir, name))

    tensors = clip_tensors(cfg) if clip else siglip_tensors(cfg)
    data = write_safetensors(os.path.join(args.out_dir, "model.safetensors"), tensors, args.seed)
    params = data // 4
    with open(os.path.join(args.out_dir, "README.md"), "w") as f:
        f.write(f"# {args.model}: random weights, for benchmarks only\n\n"
                f"Written by lookalike bench/make_random_vlm.py (seed {args.seed}): the architecture, tensor names\n"
                f"and shapes of the published checkpoint, N(0, 0.02) noise for weights. Embeddings are meaningless.\n"
                f"{len(tensors)} tensors, {params:,} parameters, float32. Tokenizer files from {src}.\n")
    print(json.dumps({"model": args.model, "dir": args.out_dir, "tensors": len(tensors), "parameters": params,
                      "image_size": side, "bytes": os.path.getsize(os.path.join(args.out_dir, "model.safetensors"))}))


if __name__ == "__main__":
    main()

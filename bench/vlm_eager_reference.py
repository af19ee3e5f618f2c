#!/usr/bin/python3
"""A plain PyTorch-eager image tower for CLIP and SigLIP, timed as bench_models times ours.

    vlm_eager_reference.py MODEL_DIR [--batch 16] [--reps 5] [--warmup 1] [--threads T]
                           [--images DIR --n N] [--check PIXELS.npy EMBEDS.npy] [--malloc-tuned]

Reads MODEL_DIR/config.json and the vision tensors of MODEL_DIR/model.safetensors by their
Hugging Face names (no transformers), and runs the vision tower the way transformers' eager
code does: CLIP ViT (patch conv, class token, pre-LN, pre-norm blocks with quick_gelu,
post-LN of the class token, visual_projection) or SigLIP (patch conv with bias, blocks with
gelu tanh, post-LN, attention-pooling head via torch's multi_head_attention_forward).
Float32, torch.inference_mode(), torch.set_num_threads(T) (default: all cores).

  model alone   N x 3 x S x S noise per batch; --warmup untimed batches, then --reps timed
                ones; images/s of the median.
  --images DIR  also an end-to-end loop as one would write it with PIL and HF's processors:
                for each batch of files (img_*.jpg in DIR, sorted, the first --n):
                Image.open().convert("RGB"), bicubic resize (CLIP: shortest edge S, centre
                crop (w - S) // 2; SigLIP: S x S), rescale, normalise, stack, forward; one
                thread decodes, nothing overlaps. --reps runs over the files, median.
  --check       runs PIXELS.npy ((N, 3*S*S) float32, written by bench_models --check-out)
                and compares with EMBEDS.npy (N, dim): max abs diff and worst cosine.
  --malloc-tuned  mallopt(M_MMAP_THRESHOLD, 1 GiB), mallopt(M_TRIM_THRESHOLD, INT_MAX) first,
                as bench_models --malloc-tuned (not what a plain loop does; off by default).
Prints one JSON object.
"""

import argparse
import glob
import json
import os
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F


def load_vision_weights(folder):
    path = os.path.join(folder, "model.safetensors")
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    weights = {}
    for name, info in header.items():
        if name == "__metadata__" or not (name.startswith("vision_model.") or name == "visual_projection.weight"):
            continue
        assert info["dtype"] == "F32", name
        begin, end = info["data_offsets"]
        a = np.fromfile(path, dtype="<f4", count=(end - begin) // 4, offset=8 + n + begin)
        weights[name] = torch.from_numpy(a).reshape(info["shape"])
    return weights


class Tower:
    def __init__(self, folder):
        with open(os.path.join(folder, "config.json")) as f:
            cfg = json.load(f)
        self.family = cfg["model_type"]
        v = cfg["vision_config"]
        self.clip = self.family == "clip"
        self.size, self.patch = v["image_size"], v["patch_size"]
        self.hidden, self.heads, self.layers = v["hidden_size"], v["num_attention_heads"], v["num_hidden_layers"]
        self.eps = v.get("layer_norm_eps", 1e-5 if self.clip else 1e-6)
        self.w = load_vision_weights(folder)

    def ln(self, x, prefix):
        return F.layer_norm(x, (self.hidden,), self.w[prefix + ".weight"], self.w[prefix + ".bias"], self.eps)

    def linear(self, x, prefix, bias=True):
        return F.linear(x, self.w[prefix + ".weight"], self.w[prefix + ".bias"] if bias else None)

    def act(self, x):
        return x * torch.sigmoid(1.702 * x) if self.clip else F.gelu(x, approximate="tanh")

    def attention(self, x, p):
        b, length, d = x.shape
        hd = d // self.heads
        q = self.linear(x, p + "q_proj") * hd**-0.5
        k, v = self.linear(x, p + "k_proj"), self.linear(x, p + "v_proj")
        q, k, v = (t.view(b, length, self.heads, hd).transpose(1, 2) for t in (q, k, v))
        probs = torch.softmax(q @ k.transpose(-1, -2), dim=-1)
        out = (probs @ v).transpose(1, 2).reshape(b, length, d)
        return self.linear(out, p + "out_proj")

    def encoder(self, h):
        for i in range(self.layers):
            p = f"vision_model.encoder.layers.{i}."
            h = h + self.attention(self.ln(h, p + "layer_norm1"), p + "self_attn.")
            x = self.ln(h, p + "layer_norm2")
            h = h + self.linear(self.act(self.linear(x, p + "mlp.fc1")), p + "mlp.fc2")
        return h

    def __call__(self, pixels):
        w, n = self.w, pixels.shape[0]
        e = "vision_model.embeddings."
        h = F.conv2d(pixels, w[e + "patch_embedding.weight"], w.get(e + "patch_embedding.bias"), stride=self.patch)
        h = h.flatten(2).transpose(1, 2)
        if self.clip:
            cls = w[e + "class_embedding"].view(1, 1, -1).expand(n, 1, self.hidden)
            h = self.ln(torch.cat([cls, h], 1) + w[e + "position_embedding.weight"], "vision_model.pre_layrnorm")
            h = self.encoder(h)
            return self.linear(self.ln(h[:, 0], "vision_model.post_layernorm"), "visual_projection", bias=False)
        h = self.encoder(h + w[e + "position_embedding.weight"])
        h = self.ln(h, "vision_model.post_layernorm")
        hp = "vision_model.head."
        probe = w[hp + "probe"].expand(n, 1, self.hidden)
        pooled, _ = F.multi_head_attention_forward(
            probe.transpose(0, 1), h.transpose(0, 1), h.transpose(0, 1), self.hidden, self.heads,
            w[hp + "attention.in_proj_weight"], w[hp + "attention.in_proj_bias"], None, None, False, 0.0,
            w[hp + "attention.out_proj.weight"], w[hp + "attention.out_proj.bias"], training=False, need_weights=False)
        pooled = pooled.transpose(0, 1)
        x = self.ln(pooled, hp + "layernorm")
        pooled = pooled + self.linear(self.act(self.linear(x, hp + "mlp.fc1")), hp + "mlp.fc2")
        return pooled[:, 0]


CLIP_MEAN, CLIP_STD = np.array([0.48145466, 0.4578275, 0.40821073], "f4"), np.array([0.26862954, 0.26130258, 0.27577711], "f4")


def preprocess(path, tower):
    from PIL import Image

    s = tower.size
    img = Image.open(path).convert("RGB")
    if tower.clip:
        w, h = img.size
        short, long = min(w, h), max(w, h)
        new_long = int(s * long / short)
        img = img.resize((s, new_long) if w < h else (new_long, s), Image.BICUBIC)
        w, h = img.size
        left, top = (w - s) // 2, (h - s) // 2
        img = img.crop((left, top, left + s, top + s))
        x = (np.asarray(img, dtype=np.float32) * np.float32(1 / 255) - CLIP_MEAN) / CLIP_STD
    else:
        img = img.resize((s, s), Image.BICUBIC)
        x = (np.asarray(img, dtype=np.float32) * np.float32(1 / 255) - 0.5) / 0.5
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))


def timed(fn):
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def summary(walls, cpus, images):
    med = statistics.median(walls)
    return {"images": images, "seconds": walls, "cpu_seconds": cpus, "median_seconds": med,
            "ips": images / med, "cpu_ms_per_image": 1000 * statistics.median(cpus) / images}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--images")
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--check", nargs=2, metavar=("PIXELS", "EMBEDS"))
    ap.add_argument("--no-model", action="store_true", help="skip the model-alone timing")
    ap.add_argument("--malloc-tuned", action="store_true")
    args = ap.parse_args()
    if args.malloc_tuned:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        if libc.mallopt(-3, 1 << 30) != 1 or libc.mallopt(-1, 2**31 - 1) != 1:  # M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
            raise SystemExit("mallopt refused the thresholds")

    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    tower = Tower(args.model_dir)
    out = {"family": tower.family, "image_size": tower.size, "threads": torch.get_num_threads(), "batch": args.batch,
           "torch": torch.__version__, "malloc_tuned": args.malloc_tuned, "load_seconds": time.perf_counter() - t0}

    with torch.inference_mode():
        if args.check:
            pixels = torch.from_numpy(np.load(args.check[0])).reshape(-1, 3, tower.size, tower.size)
            ours = np.load(args.check[1]).astype(np.float64)
            ref = tower(pixels).double().numpy()
            cos = (ref * ours).sum(1) / np.linalg.norm(ref, axis=1) / np.linalg.norm(ours, axis=1)
            out["check"] = {"rows": int(ref.shape[0]), "dim": int(ref.shape[1]), "max_abs_diff": float(np.abs(ref - ours).max()),
                            "max_abs_value": float(np.abs(ref).max()), "min_cosine": float(cos.min())}

        if not args.no_model:
            g = torch.Generator().manual_seed(0)
            x = torch.randn(args.batch, 3, tower.size, tower.size, generator=g)
            for _ in range(args.warmup):
                tower(x)
            walls, cpus = zip(*(timed(lambda: tower(x)) for _ in range(args.reps)))
            out["model_alone"] = summary(list(walls), list(cpus), args.batch)

        if args.images:
            files = sorted(glob.glob(os.path.join(args.images, "img_*.jpg")))[: args.n]

            def loop():
                for i in range(0, len(files), args.batch):
                    tower(torch.stack([preprocess(f, tower) for f in files[i : i + args.batch]]))

            walls, cpus = zip(*(timed(loop) for _ in range(args.reps)))
            out["end_to_end"] = summary(list(walls), list(cpus), len(files))
            # The decode + preprocess part alone, once, single thread.
            wall, cpu = timed(lambda: [preprocess(f, tower) for f in files])
            out["decode_preprocess"] = {"images": len(files), "seconds": wall, "ms_per_image": 1000 * wall / len(files)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()

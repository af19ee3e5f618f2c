#!/usr/bin/python3
"""Writes a small TorchScript image encoder the way a user would export one, for the tests.

    make_torchscript_encoder.py OUT_DIR [--bad-modules]

OUT_DIR/tiny_encoder.pt    torch.jit.script of a conv net: N×3×32×32 (normalised) → N×24
OUT_DIR/tiny_encoder.json  the sidecar Lookalike reads: name, input size, mean/std, resize rule
OUT_DIR/input.npy          float32 [3, 3·32·32]: a fixed batch of normalised inputs, each row
                           one NCHW image flattened (2-D, because Lookalike's NpyFile reads
                           N × D matrices)
OUT_DIR/expected.npy       float32 [3,24]: the module's output on it (not normalised)
OUT_DIR/photo_{0,1}.png    two RGB pictures, 90×60 and 45×70 (the second's crop offset is 8.5,
                           which torchvision rounds half to even)
OUT_DIR/photos_expected.npy float32 [2,24]: the module's output on them after torchvision's
                           Resize(32, bicubic) + CenterCrop(32) + ToTensor + Normalize, spelt
                           out with Pillow (torchvision is not packaged for Debian 12)

With --bad-modules, also modules a loader must refuse, each with a valid sidecar:
OUT_DIR/bad_output.pt      returns its N×3×32×32 input unchanged (4-D, not N×D)
OUT_DIR/nan_output.pt      returns N×4 NaNs on a zero batch (0/0)

Run with Debian's python3-torch; deterministic (seeded weights).
"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image


class TinyEncoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.bn = torch.nn.BatchNorm2d(16)
        self.fc = torch.nn.Linear(16 * 2, 24)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.bn(self.conv2(x)))
        pooled = torch.cat([x.mean(dim=(2, 3)), x.amax(dim=(2, 3))], dim=1)
        return self.fc(pooled)


class BadOutput(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


class NanOutput(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = x[:, :, 0, :4].sum(dim=1)
        return m / m


def torchvision_transform(img, size, mean, std):
    """torchvision.transforms Resize(size) + CenterCrop(size) + ToTensor + Normalize on a PIL image."""
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size, int(size * long / short)
    img = img.resize((new_short, new_long) if w <= h else (new_long, new_short), Image.BICUBIC)
    w, h = img.size
    top, left = int(round((h - size) / 2.0)), int(round((w - size) / 2.0))
    img = img.crop((left, top, left + size, top + size))
    x = torch.from_numpy(np.asarray(img, dtype=np.uint8).copy()).permute(2, 0, 1).float().div(255)
    m = torch.tensor(mean, dtype=torch.float32).view(3, 1, 1)
    s = torch.tensor(std, dtype=torch.float32).view(3, 1, 1)
    return (x - m) / s


def photo(width, height, seed):
    """Smooth gradients plus noise: a picture whose resize is not trivial."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    r = 255 * xx / max(width - 1, 1)
    g = 255 * yy / max(height - 1, 1)
    b = 128 + 100 * np.sin(xx / 5.0) * np.cos(yy / 7.0)
    rgb = np.stack([r, g, b], axis=2) + rng.normal(0, 20, (height, width, 3))
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")


def main():
    out = sys.argv[1]
    bad_modules = "--bad-modules" in sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(20261122)
    model = TinyEncoder()
    with torch.no_grad():
        model.bn.running_mean.uniform_(-0.2, 0.2)
        model.bn.running_var.uniform_(0.5, 1.5)
    model.eval()
    scripted = torch.jit.script(model)
    scripted.save(os.path.join(out, "tiny_encoder.pt"))
    sidecar = {"name": "tiny-encoder", "input_size": 32, "resize": "shortest_edge_center_crop",
               "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}
    with open(os.path.join(out, "tiny_encoder.json"), "w") as f:
        json.dump(sidecar, f, indent=2)
    x = torch.randn(3, 3, 32, 32, generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        y = scripted(x)
    np.save(os.path.join(out, "input.npy"), x.reshape(3, -1).numpy().astype(np.float32))
    np.save(os.path.join(out, "expected.npy"), y.numpy().astype(np.float32))

    pixels = []
    for i, (w, h) in enumerate(((90, 60), (45, 70))):
        img = photo(w, h, 100 + i)
        img.save(os.path.join(out, "photo_%d.png" % i))
        pixels.append(torchvision_transform(img, sidecar["input_size"], sidecar["mean"], sidecar["std"]))
    with torch.no_grad():
        y = scripted(torch.stack(pixels))
    np.save(os.path.join(out, "photos_expected.npy"), y.numpy().astype(np.float32))

    if bad_modules:
        for name, module in (("bad_output", BadOutput()), ("nan_output", NanOutput())):
            torch.jit.script(module.eval()).save(os.path.join(out, name + ".pt"))
            with open(os.path.join(out, name + ".json"), "w") as f:
                json.dump(dict(sidecar, name=name), f, indent=2)


if __name__ == "__main__":
    main()

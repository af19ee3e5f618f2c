#!/usr/bin/python3
"""Writes the fuzz targets' seed corpora into tests/fuzz/corpus/<target>/ (committed; run again
only to change them). Small, valid and nearly-valid inputs that reach deep into each parser, so
that fuzzing starts from the interesting places. Needs Debian's python3-pil.

    tests/fuzz/make_seeds.py
"""
import io
import json
import os
import struct

from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def image_bytes(img, fmt, **kw):
    b = io.BytesIO()
    img.save(b, fmt, **kw)
    return b.getvalue()


def picture(mode="RGB", size=(24, 16)):
    img = Image.new(mode, size)
    d = ImageDraw.Draw(img)
    d.rectangle([2, 2, 12, 10], fill=(200, 40, 40) if mode in ("RGB", "RGBA") else 180)
    d.ellipse([10, 4, 22, 14], fill=(30, 60, 200) if mode in ("RGB", "RGBA") else 60)
    return img


SVGS = {
    "rect.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#c33"/></svg>',
    "viewbox.svg": '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 30">'
                   '<circle cx="5" cy="5" r="4" fill="blue"/><path d="M0 10 L10 20 Q5 30 0 10z"/></svg>',
    "gradient.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="30"><defs><linearGradient id="g">'
                    '<stop offset="0" stop-color="red"/><stop offset="1" stop-color="blue"/></linearGradient></defs>'
                    '<rect width="30" height="30" fill="url(#g)"/><use href="#g"/></svg>',
    "text.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><text x="2" y="15">Hi</text></svg>',
    "entity.svg": '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "xx">]><svg xmlns="http://www.w3.org/2000/svg" '
                  'width="10" height="10"><text>&x;</text></svg>',
    "href.svg": '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" '
                'height="10"><image xlink:href="file:///etc/hostname" width="10" height="10"/></svg>',
    "transform.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><g transform="rotate(30) scale(2)">'
                     '<polygon points="1,1 9,1 5,8" stroke="black" stroke-width="0.5"/></g></svg>',
}


def spiece_model():
    """A tiny unigram SentencePiece model, in the protobuf wire format by hand."""
    def varint(v):
        out = b""
        while True:
            b = v & 0x7F
            v >>= 7
            out += bytes([b | (0x80 if v else 0)])
            if not v:
                return out

    def field(num, wire, payload):
        key = varint((num << 3) | wire)
        if wire == 2:
            return key + varint(len(payload)) + payload
        return key + payload

    pieces = [("<unk>", 0.0, 2), ("</s>", 0.0, 3), ("<pad>", 0.0, 3)]
    pieces += [(p, -float(i), 1) for i, p in enumerate(["\u2581", "\u2581a", "\u2581photo", "\u2581of", "\u2581cat",
                                                          "a", "c", "t", "o", "p", "h", "f", "\u2581the", "e"])]
    body = b""
    for text, score, kind in pieces:
        sp = field(1, 2, text.encode()) + field(2, 5, struct.pack("<f", score)) + field(3, 0, varint(kind))
        body += field(1, 2, sp)
    body += field(2, 2, field(3, 0, varint(1)) + field(40, 0, varint(0)))
    body += field(3, 2, field(3, 0, varint(1)) + field(4, 0, varint(1)) + field(5, 0, varint(1)))
    return body


def safetensors(tensors, metadata=None):
    header, data = {}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data


def main():
    rgb = picture()
    put("imagedecoder", "rgb.png", image_bytes(rgb, "PNG"))
    put("imagedecoder", "rgba.png", image_bytes(picture("RGBA"), "PNG"))
    put("imagedecoder", "gray16.png", image_bytes(picture("L").convert("I;16"), "PNG"))
    put("imagedecoder", "palette.png", image_bytes(rgb.convert("P"), "PNG"))
    put("imagedecoder", "photo.jpg", image_bytes(rgb, "JPEG", quality=80))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90
    put("imagedecoder", "rotated.jpg", image_bytes(rgb, "JPEG", exif=exif.tobytes()))
    put("imagedecoder", "cmyk.jpg", image_bytes(rgb.convert("CMYK"), "JPEG"))
    put("imagedecoder", "anim.gif", image_bytes(rgb, "GIF", save_all=True, append_images=[picture("L").convert("RGB")]))
    put("imagedecoder", "plain.bmp", image_bytes(rgb, "BMP"))
    put("imagedecoder", "lossy.webp", image_bytes(rgb, "WEBP"))
    put("imagedecoder", "strip.tif", image_bytes(rgb, "TIFF"))
    put("imagedecoder", "truncated.jpg", image_bytes(rgb, "JPEG")[:120])
    put("imagedecoder", "page.html", "<!DOCTYPE html><html><body>not an image</body></html>")
    put("imagedecoder", "rect.svg", SVGS["rect.svg"])
    for name, text in SVGS.items():
        put("svg", name, text)

    put("csv", "reports.csv", "image_path,report,age\nimg1.png,\"No acute findings.\",54\nsub/img2.jpg,\"Left\nlower lobe, \"\"patchy\"\"\",61\n")
    put("csv", "bom-crlf.csv", b"\xef\xbb\xbfid;text\r\n1;a\r\n2;\"b;c\"\r\n")
    put("csv", "ragged.csv", "a,b,c\n1,2\n3,4,5,6\n\n\"unterminated,7\n")
    put("csv", "invalid-utf8.csv", b"name,value\n\xff\xfe,\xc3(\n")

    f32 = struct.pack("<6f", *[0.5, -1.0, 2.0, 3.5, 0.0, 1e-3])
    put("safetensors", "f32.safetensors", safetensors({"w": ("F32", [2, 3], f32)}, {"format": "pt"}))
    put("safetensors", "mixed.safetensors", safetensors({"a": ("F16", [2], struct.pack("<2e", 1.0, -2.0)),
                                                         "b": ("BF16", [1], b"\x80\x3f"),
                                                         "c": ("I64", [1], struct.pack("<q", 7)),
                                                         "d": ("BOOL", [2], b"\x01\x00")}))
    put("safetensors", "empty.safetensors", safetensors({"z": ("F32", [0], b"")}))

    clip = {"model_type": "clip", "projection_dim": 16,
            "text_config": {"hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4, "num_hidden_layers": 2,
                            "vocab_size": 99, "max_position_embeddings": 16, "hidden_act": "quick_gelu"},
            "vision_config": {"hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4, "num_hidden_layers": 2,
                              "image_size": 30, "patch_size": 2, "hidden_act": "quick_gelu"}}
    siglip = {"model_type": "siglip",
              "text_config": {"hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4, "num_hidden_layers": 2,
                              "vocab_size": 99, "max_position_embeddings": 16},
              "vision_config": {"hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4, "num_hidden_layers": 2,
                                "image_size": 30, "patch_size": 4}}
    put("modelconfig", "clip.json", json.dumps(clip))
    put("modelconfig", "siglip.json", json.dumps(siglip))
    put("modelconfig", "legacy-dict.json", json.dumps({"model_type": "clip", "text_config_dict": {"hidden_size": 8},
                                                       "vision_config_dict": {"image_size": 8, "patch_size": 3}}))
    put("modelconfig", "preprocessor.json", json.dumps({"image_processor_type": "CLIPImageProcessor", "do_resize": True,
                                                        "size": {"shortest_edge": 224}, "crop_size": {"height": 224, "width": 224},
                                                        "do_center_crop": True, "resample": 3, "image_mean": [0.5, 0.5, 0.5],
                                                        "image_std": [0.5, 0.5, 0.5], "rescale_factor": 0.00392156862745098}))
    put("modelconfig", "siglip-preprocessor.json", json.dumps({"image_processor_type": "SiglipImageProcessor",
                                                               "size": {"height": 384, "width": 384}, "resample": 2}))

    for i, text in enumerate(["a photo of a cat", "The  CAT &amp; the dog &lt;3", "naïve café — résumé, ﬁne",
                              "<|startoftext|>x<|endoftext|> y", "🙂👍🏽 日本語のテキスト", "can't won't it's 1234.5 x-ray",
                              "\u00e2\u20ac\u2122 mojibake", "   \t\n  "]):
        put("tokenizer", f"text{i}.txt", text)
    put("spiece", "tiny.model", spiece_model())
    put("spiece", "tiny-truncated.model", spiece_model()[:40])

    # restrequest: first byte 0 = search body, 1 = items query string, 2 = add body.
    import base64
    png = base64.b64encode(image_bytes(picture(), "PNG")).decode()
    searches = {
        "text": {"text": "dog park", "k": 5},
        "ids": {"item_ids": [1, 2], "negative_ids": [3], "threshold": 0.2, "k": 20, "offset": 3},
        "image": {"image": png, "text": "cat", "alpha": 0.7, "filters": {"site": "north"}},
        "everything": {"item_ids": [4], "include_query": True, "space": "image:classic-v1", "limit": 7},
        "bad-types": {"k": "ten", "item_ids": "1", "alpha": 3, "filters": [1]},
    }
    for name, body in searches.items():
        put("restrequest", f"search-{name}", b"\x00" + json.dumps(body).encode())
    put("restrequest", "search-truncated", b"\x00" + json.dumps(searches["image"]).encode()[:60])
    for name, query in {"page": "offset=3&limit=4", "vectors": "limit=2&vectors=1", "bad": "offset=-1&limit=99999999999"}.items():
        put("restrequest", f"items-{name}", b"\x01" + query.encode())
    adds = {
        "url": {"url": "https://example.invalid/a.png"},
        "batch": {"urls": ["http://127.0.0.1:1/x.jpg", "file:///etc/passwd"], "images": [{"image": png, "filename": "a.png"}]},
        "upload": {"image": png, "filename": "../../escape.png"},
    }
    for name, body in adds.items():
        put("restrequest", f"add-{name}", b"\x02" + json.dumps(body).encode())

    # ivflists: the lists section after its fourcc (collection/ivflists.cpp), 8 lists of
    # 16-byte codes as the fuzz target expects; the pad counts from the input's start.
    def lists(sizes, code_size=16, aligned=True):
        head = struct.pack("<QQ", len(sizes), code_size) + struct.pack(f"<{len(sizes)}Q", *sizes)
        pad = (64 - (len(head) + 8) % 64) % 64 if aligned else 0
        ids = b"".join(struct.pack("<q", 1000 * l + i) for l, n in enumerate(sizes) for i in range(n))
        codes = bytes((7 * i) % 251 for i in range(sum(sizes) * code_size))
        return head + struct.pack("<Q", pad) + bytes(pad) + ids + codes
    put("ivflists", "eight", lists([3, 0, 5, 1, 2, 0, 0, 4]))
    put("ivflists", "eight-unaligned", lists([3, 0, 5, 1, 2, 0, 0, 4], aligned=False))
    put("ivflists", "empty-lists", lists([0] * 8))
    put("ivflists", "truncated", lists([3, 0, 5, 1, 2, 0, 0, 4])[:150])
    put("ivflists", "other-shape", lists([1, 2, 3], code_size=12))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Make the dequantization fixtures of Tests/KernelsTests/Fixtures.

Each case is two files: NAME.blocks (raw ggml blocks) and NAME.f32 (the values the `gguf` Python
package's numpy dequantizer gives for them, little-endian float32), listed in MANIFEST as
`NAME TYPE COUNT`. Cases:
  - synthetic: random data quantized by gguf.quants where it can (F16, BF16, Q4_0, Q4_1, Q5_0,
    Q5_1, Q8_0), random block bytes with sane float scales for the K-quants (gguf.quants only
    dequantizes those);
  - model rows: a few rows of the default model's tensors (when the model is on disk), and
    model-tensors.txt: `NAME TYPE ROWS COLS FILE_OFFSET` for the tests that run the real tensors.

Run: /root/.cache/llmpack/venv/bin/python scripts/make-kernel-fixtures.py
"""
import os
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf.constants import GGML_QUANT_SIZES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "KernelsTests", "Fixtures")
MODEL = "/root/.cache/llmpack/models/gemma-3-270m-q4_k_m.gguf"

rng = np.random.default_rng(20250601)
manifest = []


def write_case(name, qtype, blocks, values):
    blocks = np.ascontiguousarray(blocks).view(np.uint8).ravel()
    values = np.ascontiguousarray(values, dtype="<f4").ravel()
    block_size, type_size = GGML_QUANT_SIZES[qtype]
    assert blocks.size == values.size // block_size * type_size, name
    blocks.tofile(os.path.join(OUT, name + ".blocks"))
    values.tofile(os.path.join(OUT, name + ".f32"))
    manifest.append(f"{name} {qtype.name} {values.size}")


def half_bytes(values):
    return np.asarray(values, dtype="<f2").view(np.uint8)


def random_k_blocks(qtype, count):
    """Random bytes for `count` K-quant blocks, with the float16 scale fields set to sane values."""
    _, size = GGML_QUANT_SIZES[qtype]
    blocks = rng.integers(0, 256, size=(count, size), dtype=np.uint8)
    d = half_bytes(rng.uniform(0.001, 0.02, size=count)).reshape(count, 2)
    dmin = half_bytes(rng.uniform(0.0, 0.01, size=count)).reshape(count, 2)
    if qtype == T.Q2_K:        # scales[16] qs[64] d dmin
        blocks[:, 80:82], blocks[:, 82:84] = d, dmin
    elif qtype == T.Q3_K:      # hmask[32] qs[64] scales[12] d
        blocks[:, 108:110] = d
    elif qtype in (T.Q4_K, T.Q5_K):   # d dmin scales[12] ...
        blocks[:, 0:2], blocks[:, 2:4] = d, dmin
    elif qtype == T.Q6_K:      # ql[128] qh[64] scales[16] d
        blocks[:, 208:210] = d
    return blocks


def synthetic():
    # Float formats, with edge values.
    x = rng.standard_normal(256).astype(np.float32)
    edges = np.array([0.0, -0.0, 6.0e-8, -6.0e-8, 6.1e-5, 65504.0, -65504.0, np.inf, -np.inf, 1.0, -2.5],
                     dtype=np.float32)
    xf16 = np.concatenate([x[:245], edges]).astype(np.float16)
    write_case("F16", T.F16, xf16, xf16.astype(np.float32))
    xbf = gguf.quants.quantize(x * 100, T.BF16)
    write_case("BF16", T.BF16, xbf, gguf.quants.dequantize(xbf, T.BF16))
    write_case("F32", T.F32, x, x)

    # 32-value formats: gguf.quants quantizes them (8 blocks, one of them all zeros).
    for qtype in (T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0):
        data = (rng.standard_normal(256) * rng.uniform(0.01, 2.0)).astype(np.float32)
        data[32:64] = 0
        q = gguf.quants.quantize(data, qtype)
        write_case(qtype.name, qtype, q, gguf.quants.dequantize(q, qtype))

    # K-quants: random blocks (4 super-blocks each).
    for qtype in (T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K):
        q = random_k_blocks(qtype, 4)
        write_case(qtype.name, qtype, q, gguf.quants.dequantize(q.ravel(), qtype))


def model_rows():
    if not os.path.exists(MODEL):
        print(f"note: {MODEL} missing, model-row fixtures not made", file=sys.stderr)
        return
    reader = gguf.GGUFReader(MODEL)
    wanted = {
        "blk.0.attn_q.weight",        # Q5_0, 640 -> 1024
        "blk.0.attn_v.weight",        # Q8_0, 640 -> 256
        "blk.0.attn_output.weight",   # Q4_K, 1024 -> 640
        "blk.0.ffn_down.weight",      # Q6_K, 2048 -> 640
        "blk.2.ffn_down.weight",      # Q4_K, 2048 -> 640
        "token_embd.weight",          # Q8_0, 640 -> 262144
    }
    lines = []
    for t in reader.tensors:
        if t.name not in wanted:
            continue
        cols, rows = int(t.shape[0]), int(t.shape[1])
        qtype = t.tensor_type
        block_size, type_size = GGML_QUANT_SIZES[qtype]
        row_bytes = cols // block_size * type_size
        lines.append(f"{t.name} {qtype.name} {rows} {cols} {t.data_offset}")
        raw = np.asarray(t.data).view(np.uint8).reshape(rows, row_bytes)
        for r in (0, rows - 1):
            name = f"model-{t.name}-row{r}"
            write_case(name, qtype, raw[r], gguf.quants.dequantize(raw[r], qtype))
    with open(os.path.join(OUT, "model-tensors.txt"), "w") as f:
        f.write("\n".join(sorted(lines)) + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith((".blocks", ".f32")):
            os.remove(os.path.join(OUT, name))
    synthetic()
    model_rows()
    with open(os.path.join(OUT, "MANIFEST"), "w") as f:
        f.write("\n".join(manifest) + "\n")
    print(f"wrote {len(manifest)} cases to {OUT}")


if __name__ == "__main__":
    main()

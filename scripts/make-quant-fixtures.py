#!/usr/bin/env python3
"""Make the quantization fixtures of Tests/KernelsTests/Fixtures/quant.

Files:
  input.f32              4096 little-endian float32 values: 16 groups of 256 with different
                         shapes (normal, tiny, huge, constant, zero, one-signed, heavy-tailed,
                         outliers, rounding ties, sparse), see GROUPS below.
  TYPE.gguf-py.blocks    input.f32 quantized by the `gguf` Python package (gguf.quants.quantize),
                         for the types it can write: F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0.
  TYPE.ggml.blocks       input.f32 quantized by llama.cpp's own llama-quantize (--pure, as one
                         16 x 256 tensor), for Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K.
  llama-quantize.txt     llama-quantize's output for whole models, one line per tensor:
                         `MODEL MIX TENSOR TYPE SHA256-OF-ITS-DATA`, for the models
                           quant-tiny       a gemma3-shaped F32 model generated here (the Swift
                                            tests generate the same values, see quant_tiny()),
                           llama-spm-tiny   ../shared/reference/synthetic (F16/F32, rows of 64),
                           qwen2-tiny       ../shared/reference/synthetic (F16, 1-D biases,
                                            a Q8_0 embedding that stays Q8_0),
                           llama3-bpe-tiny  ../shared/reference/synthetic (Q8_0 blocks and a Q4_0
                                            embedding: requantized, rope_freqs),
                         and the mixes Q8_0, Q4_0, Q4_K_M, Q5_K_M, Q6_K.

The ggml files need llama.cpp's llama-quantize, built from the same llama.cpp as the references
(scripts/build-llamacpp builds its other tools; add this one with
`cmake --build ~/.cache/llmpack/llama.cpp-build/build --target llama-quantize`), found at
$LLAMA_QUANTIZE or ~/.cache/llmpack/llama.cpp-build/build/bin/llama-quantize.

Run: /root/.cache/llmpack/venv/bin/python scripts/make-quant-fixtures.py
"""
import hashlib
import os
import subprocess
import sys
import tempfile

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "KernelsTests", "Fixtures", "quant")
SYNTHETIC = os.path.join(os.path.dirname(ROOT), "shared", "reference", "synthetic")
LLAMA_QUANTIZE = os.environ.get(
    "LLAMA_QUANTIZE", os.path.expanduser("~/.cache/llmpack/llama.cpp-build/build/bin/llama-quantize"))
MIXES = ["Q8_0", "Q4_0", "Q4_K_M", "Q5_K_M", "Q6_K"]


def groups(rng):
    """16 groups of 256 values, each a different shape of data."""
    n = lambda: rng.standard_normal(256)
    out = [
        n(),                                                    # 0 standard normal
        n() * 0.02,                                             # 1 weight-like
        rng.uniform(-1, 1, 256),                                # 2 uniform
        rng.standard_t(3, 256) * 0.05,                          # 3 heavy tails
        np.zeros(256),                                          # 4 zero
        np.full(256, 0.5),                                      # 5 constant
        np.where(np.arange(256) == 77, 3.0, n() * 0.01),        # 6 one outlier
        np.abs(n()),                                            # 7 positive only
        -np.abs(n()),                                           # 8 negative only
        n() * 1e-9,                                             # 9 tiny (below the K-quant epsilon in places)
        n() * np.repeat(10.0 ** (np.arange(8) - 4), 32),        # 10 sub-blocks of very different scales
        np.round(n() * 8) / 16,                                 # 11 values on a grid: rounding ties
        np.where(np.arange(256) % 2 == 0, 0.0, n()),            # 12 half zeros
        n() * 1000,                                             # 13 large
        n() * 0.05,                                             # 14 typical
        np.where(rng.uniform(size=256) < 0.05, np.sign(n()), 0.0),  # 15 sparse
    ]
    return np.concatenate(out).astype(np.float32)


def splitmix(seed, count):
    """SplitMix64 outputs for states seed * 2^32 + n, n = 0..<count (the Swift tests do the same)."""
    with np.errstate(over="ignore"):
        z = (np.uint64(seed) << np.uint64(32)) + np.arange(count, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def bell(seed, count, exponent):
    """Near-normal values, exact in float32: (a + b + c - 3 * 2^23) * 2^exponent, a, b, c 24-bit
    SplitMix64 draws; the standard deviation is 2^(23 + exponent)."""
    z = (splitmix(seed, 3 * count) >> np.uint64(40)).astype(np.int64).reshape(count, 3)
    s = z.sum(axis=1) - 3 * (1 << 23)
    return s.astype(np.float32) * np.float32(2.0 ** exponent)


def quant_tiny_tensors():
    """The gemma3-shaped model quant-tiny: (name, dims ne0 first, values)."""
    e, ff, heads, kv, hd, vocab, blocks = 256, 288, 4, 2, 64, 320, 4
    specs = [("token_embd.weight", [e, vocab], "embd"), ("output_norm.weight", [e], "norm")]
    for i in range(blocks):
        b = f"blk.{i}."
        specs += [
            (b + "attn_norm.weight", [e], "norm"), (b + "attn_q.weight", [e, heads * hd], "w"),
            (b + "attn_k.weight", [e, kv * hd], "w"), (b + "attn_v.weight", [e, kv * hd], "w"),
            (b + "attn_q_norm.weight", [hd], "norm"), (b + "attn_k_norm.weight", [hd], "norm"),
            (b + "attn_output.weight", [heads * hd, e], "w"), (b + "post_attention_norm.weight", [e], "norm"),
            (b + "ffn_norm.weight", [e], "norm"), (b + "ffn_gate.weight", [e, ff], "w"),
            (b + "ffn_up.weight", [e, ff], "w"), (b + "ffn_down.weight", [ff, e], "w"),
            (b + "post_ffw_norm.weight", [e], "norm"),
        ]
    tensors = []
    for index, (name, dims, kind) in enumerate(specs):
        count = int(np.prod(dims))
        if kind == "norm":
            values = np.float32(1) + bell(index + 1, count, -30)     # 1 + N(0, 1/128)
        elif kind == "embd":
            values = bell(index + 1, count, -25)                     # N(0, 1/4)
        else:
            values = bell(index + 1, count, -27)                     # N(0, 1/16)
        tensors.append((name, dims, values))
    return tensors


def write_quant_tiny(path):
    w = gguf.GGUFWriter(path, "gemma3")
    w.add_context_length(1024)
    w.add_embedding_length(256)
    w.add_block_count(4)
    w.add_feed_forward_length(288)
    w.add_head_count(4)
    w.add_head_count_kv(2)
    w.add_key_length(64)
    w.add_value_length(64)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_rope_freq_base(1e6)
    w.add_sliding_window(4)
    w.add_file_type(0)
    for name, dims, values in quant_tiny_tensors():
        w.add_tensor(name, values.reshape(list(reversed(dims))))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def llama_quantize(src, dst, mix, extra=()):
    result = subprocess.run([LLAMA_QUANTIZE, *extra, src, dst, mix], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"llama-quantize {mix} {src} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def tensor_lines(model, mix, path):
    reader = gguf.GGUFReader(path)
    lines = []
    for t in reader.tensors:
        digest = hashlib.sha256(t.data.tobytes()).hexdigest()
        lines.append(f"{model} {mix} {t.name} {t.tensor_type.name} {digest}")
    return lines


def main():
    os.makedirs(OUT, exist_ok=True)
    data = groups(np.random.default_rng(20260101))
    assert data.size == 4096
    data.tofile(os.path.join(OUT, "input.f32"))
    for qtype in [T.F16, T.BF16, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0]:
        blocks = gguf.quants.quantize(data, qtype)
        blocks.tofile(os.path.join(OUT, f"{qtype.name}.gguf-py.blocks"))

    if not os.access(LLAMA_QUANTIZE, os.X_OK):
        print(f"no llama-quantize at {LLAMA_QUANTIZE}: kept the ggml fixtures as they are", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        # One 16 x 256 tensor in an otherwise empty llama model, quantized --pure to each type.
        src = os.path.join(tmp, "input.gguf")
        w = gguf.GGUFWriter(src, "llama")
        for key, value in [("context_length", 64), ("embedding_length", 256), ("block_count", 1),
                           ("feed_forward_length", 256), ("attention.head_count", 1)]:
            w.add_uint32(f"llama.{key}", value)
        w.add_float32("llama.attention.layer_norm_rms_epsilon", 1e-5)
        w.add_tensor("blk.0.ffn_up.weight", data.reshape(16, 256))
        w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
        for mix, qtype in [("Q4_0", T.Q4_0), ("Q4_1", T.Q4_1), ("Q5_0", T.Q5_0), ("Q5_1", T.Q5_1), ("Q8_0", T.Q8_0),
                           ("Q4_K_S", T.Q4_K), ("Q5_K_S", T.Q5_K), ("Q6_K", T.Q6_K)]:
            dst = os.path.join(tmp, f"{mix}.gguf")
            llama_quantize(src, dst, mix, ["--pure"])
            (tensor,) = gguf.GGUFReader(dst).tensors
            assert tensor.tensor_type == qtype, (mix, tensor.tensor_type)
            tensor.data.tofile(os.path.join(OUT, f"{qtype.name}.ggml.blocks"))
            py = os.path.join(OUT, f"{qtype.name}.gguf-py.blocks")
            if os.path.exists(py) and open(py, "rb").read() != tensor.data.tobytes():
                print(f"note: gguf-py and llama-quantize differ for {qtype.name}", file=sys.stderr)

        lines = []
        tiny = os.path.join(tmp, "quant-tiny.gguf")
        write_quant_tiny(tiny)
        models = [("quant-tiny", tiny, []),
                  ("llama-spm-tiny", os.path.join(SYNTHETIC, "llama-spm-tiny.gguf"), []),
                  ("qwen2-tiny", os.path.join(SYNTHETIC, "qwen2-tiny.gguf"), ["--allow-requantize"]),
                  ("llama3-bpe-tiny", os.path.join(SYNTHETIC, "llama3-bpe-tiny.gguf"), ["--allow-requantize"])]
        for model, path, extra in models:
            for mix in MIXES:
                dst = os.path.join(tmp, f"{model}-{mix}.gguf")
                llama_quantize(path, dst, mix, extra)
                lines += tensor_lines(model, mix, dst)
                os.remove(dst)
        with open(os.path.join(OUT, "llama-quantize.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
    print(f"wrote fixtures to {OUT}")


if __name__ == "__main__":
    main()

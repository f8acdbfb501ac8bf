#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/<name>/corpus (small files; committed, so this only needs to
run again when the formats change). Uses the gguf package of the llmpack venv for GGUF seeds and
the built `llmpack` (.build/debug/llmpack) for bundle seeds; skips a kind whose tool is missing.

    /root/.cache/llmpack/venv/bin/python fuzz/make-seeds.py
"""
import json, os, shutil, struct, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ = os.path.join(ROOT, "fuzz")


def corpus(name):
    path = os.path.join(FUZZ, name, "corpus")
    os.makedirs(path, exist_ok=True)
    return path


def put(name, file, data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(corpus(name), file), "wb") as f:
        f.write(data)


def gguf_seeds():
    try:
        import gguf
        import numpy as np
    except ImportError:
        print("gguf seeds: no gguf package (use the llmpack venv)", file=sys.stderr)
        return
    tmp = tempfile.mkdtemp()
    try:
        def write(file, build, arch="llama"):
            path = os.path.join(tmp, file)
            w = gguf.GGUFWriter(path, arch)
            build(w)
            w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
            with open(path, "rb") as f:
                return f.read()

        def scalars(w):
            w.add_uint8("t.u8", 7); w.add_int8("t.i8", -7); w.add_uint16("t.u16", 700); w.add_int16("t.i16", -700)
            w.add_uint32("t.u32", 70000); w.add_int32("t.i32", -70000); w.add_float32("t.f32", 1.5)
            w.add_uint64("t.u64", 1 << 40); w.add_int64("t.i64", -(1 << 40)); w.add_float64("t.f64", 2.25)
            w.add_bool("t.bool", True); w.add_string("t.str", "héllo")
            w.add_array("t.arr.str", ["a", "bc", ""]); w.add_array("t.arr.i32", [1, -2, 3]); w.add_array("t.arr.f32", [0.5, 1.5])

        def tensors(w):
            w.add_context_length(128); w.add_embedding_length(32)
            w.add_tensor("a.weight", np.arange(64, dtype=np.float32).reshape(2, 32))
            w.add_tensor("b.weight", np.ones(32, dtype=np.float16))
            q = gguf.quantize(np.linspace(-1, 1, 256, dtype=np.float32).reshape(1, 256), gguf.GGMLQuantizationType.Q8_0)
            w.add_tensor("c.weight", q, raw_dtype=gguf.GGMLQuantizationType.Q8_0)

        def vocab(w):
            toks = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + ["▁", "▁a", "b", "ab", "▁ab"]
            w.add_tokenizer_model("llama"); w.add_token_list(toks)
            w.add_token_scores([0.0] * 3 + [0.0] * 256 + [-1.0, -2.0, -3.0, -4.0, -5.0])
            w.add_token_types([2, 3, 3] + [6] * 256 + [1] * 5)
            w.add_bos_token_id(1); w.add_eos_token_id(2)
            w.add_tensor("token_embd.weight", np.zeros((len(toks), 4), dtype=np.float32))

        put("gguf", "scalars.gguf", write("s.gguf", scalars))
        put("gguf", "tensors.gguf", write("t.gguf", tensors))
        put("gguf", "vocab.gguf", write("v.gguf", vocab))
        put("gguf", "empty-v3.gguf", b"GGUF" + struct.pack("<IQQ", 3, 0, 0))
        put("gguf", "nested-array.gguf", b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1) + b"k"
            + struct.pack("<IIQ", 9, 9, 1) + struct.pack("<IQ", 4, 2) + struct.pack("<II", 1, 2))
    finally:
        shutil.rmtree(tmp)


def bundle_seeds():
    """Payload (sections + index) followed by the index length (u32): the harness's input format."""
    llmpack = os.path.join(ROOT, ".build", "debug", "llmpack")
    model = os.path.join(corpus("gguf"), "tensors.gguf")
    if not (os.path.exists(llmpack) and os.path.exists(model)):
        print("bundle seeds: needs .build/debug/llmpack and the gguf seeds", file=sys.stderr)
        return
    tmp = tempfile.mkdtemp()
    try:
        for name, extra in [("plain", []), ("zstd", ["--compress", "weights"])]:
            out = os.path.join(tmp, name + ".run")
            subprocess.run([llmpack, "build", model, "-o", out, "--no-selftest", "--system", "be brief", "--arg=-n", "--arg=8"] + extra,
                           check=True, capture_output=True)
            data = open(out, "rb").read()
            trailer = data[-80:]
            payload_length, index_offset, index_length = struct.unpack("<QQQ", trailer[8:32])
            payload = data[len(data) - payload_length:]
            body = payload[:index_offset + index_length]
            put("bundle", name + ".seed", body + struct.pack("<I", index_length))
            put("bundle", name + "-trailer.seed", trailer)
            put("bundle", name + "-index.seed", payload[index_offset:index_offset + index_length])
    finally:
        shutil.rmtree(tmp)


TEXTS = [
    "Hello, world!", " leading space", "tabs\tand\nnewlines\r\n", "ab ab  ab   ab",
    "<s>special</s> tokens <unk>", "日本語のテキスト", "emoji 🦙🔥 and ZWJ 👩‍👩‍👧", "Ünïcödé çåsé",
    "numbers 1234567890 3.14", "it's don't we'll", "\u00a0\u2003spaces", "a" * 200, "\x00\x01\x7f",
]


def tokenizer_seeds():
    # First byte: tokenizer and flags (see fuzz/tokenizer/main.swift); the rest is the text.
    for i, text in enumerate(TEXTS):
        for selector in (0, 1, 6, 7):
            put("tokenizer", f"text{i:02d}-{selector}", bytes([selector]) + text.encode())


def template_seeds():
    # Template source, then a 0 byte, then the messages as JSON-ish lines (see fuzz/template/main.swift).
    folder = os.path.join(ROOT, "Tests", "ChatTemplateTests", "Templates")
    messages = b"system\x1fBe brief.\x1euser\x1fHi {{ there }}\x1eassistant\x1fHello!\x1euser\x1fBye"
    for file in sorted(os.listdir(folder)):
        if file.endswith(".jinja"):
            put("template", file, open(os.path.join(folder, file), "rb").read() + b"\x00" + messages)
    small = [
        "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}",
        "{% set x = [1, 2, 3] | map('string') | join(',') %}{{ x ~ bos_token }}",
        "{% macro f(a, b=2) %}{{ a * b }}{% endmacro %}{{ f(3) }}{{ range(5) | list }}",
        "{{ messages[0]['content'] | trim | upper }}{% if add_generation_prompt %}<start>{% endif %}",
        "{{ raise_exception('no') }}", "{% for i in range(10) %}{% if loop.last %}{{ i }}{% endif %}{% endfor %}",
        "{{ {'a': 1, 'b': [1,2]} | tojson }}{{ 'x' in 'xyz' }}{{ 7 // 2 }}{{ -3 % 2 }}",
        "{%- set ns = namespace(found=false) -%}{%- for m in messages -%}{%- if m.role == 'system' -%}{%- set ns.found = true -%}{%- endif -%}{%- endfor -%}{{ ns.found }}",
    ]
    for i, source in enumerate(small):
        put("template", f"small{i}.jinja", source.encode() + b"\x00" + messages)


def http_seeds():
    # First byte: the route (see fuzz/http/main.swift); the rest is the body.
    chat = {"model": "m", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
            "temperature": 0.7, "top_p": 0.9, "max_tokens": 16, "stream": True, "stream_options": {"include_usage": True},
            "stop": ["\n", "END"], "seed": 42}
    parts = {"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]}
    bodies = [
        (0, chat), (0, parts), (0, {"messages": []}), (1, {"prompt": "Once upon", "max_tokens": 5, "n": 1}),
        (1, {"prompt": [1, 2, 3], "logprobs": None}), (2, {"prompt": "x", "n_predict": -1, "top_k": 40, "min_p": 0.05}),
        (3, {"content": "hello world", "add_special": True, "with_pieces": True}), (4, {"tokens": [1, 2, 3]}),
        (5, {"model": "m", "messages": [{"role": "user", "content": "hi"}], "options": {"temperature": 0, "num_predict": 8}, "stream": False}),
        (6, {"model": "m", "prompt": "hi", "system": "s", "options": {"num_ctx": 64, "stop": ["x"]}, "raw": True}),
        (0, '{"messages":[{"role":"user","content":"\\ud83e\\udd99 \\u00e9"}],"max_completion_tokens":1e2}'),
    ]
    for i, (route, body) in enumerate(bodies):
        text = body if isinstance(body, str) else json.dumps(body)
        put("http", f"body{i:02d}", bytes([route]) + text.encode())


if __name__ == "__main__":
    gguf_seeds(); bundle_seeds(); tokenizer_seeds(); template_seeds(); http_seeds()

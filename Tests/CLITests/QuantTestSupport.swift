// Helpers for the quantization tests: the gemma3-shaped F32 model "quant-tiny" (the same values
// scripts/make-quant-fixtures.py generates and quantized with llama.cpp's llama-quantize), the
// fixture of llama-quantize's per-tensor results, and tensor hashing.
import Bundle
import Foundation
import GGUF

/// Tests/KernelsTests/Fixtures/quant (shared with the kernel tests).
let quantFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("KernelsTests/Fixtures/quant")

/// ../shared/reference/synthetic, next to the package root.
let syntheticModels: URL = {
    var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while folder.path != "/" && !FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
        folder.deleteLastPathComponent()
    }
    return folder.deletingLastPathComponent().appendingPathComponent("shared/reference/synthetic")
}()

/// One line of llama-quantize.txt: what llama-quantize made of one tensor.
struct ReferenceTensor: Equatable {
    var type: String
    var sha256: String
}

/// llama-quantize's results: model -> mix -> tensor name -> type and data hash.
func llamaQuantizeReference() throws -> [String: [String: [String: ReferenceTensor]]] {
    let text = try String(contentsOf: quantFixtures.appendingPathComponent("llama-quantize.txt"), encoding: .utf8)
    var result: [String: [String: [String: ReferenceTensor]]] = [:]
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: " ").map(String.init)
        guard parts.count == 5 else { continue }
        result[parts[0], default: [:]][parts[1], default: [:]][parts[2]] = ReferenceTensor(type: parts[3], sha256: parts[4])
    }
    return result
}

/// Every tensor of a GGUF file: its type and the SHA-256 of its data.
func tensorDigests(of path: String) throws -> [String: ReferenceTensor] {
    let file = try MappedFile(path: path)
    let gguf = try GGUFFile.parse(file.bytes)
    var result: [String: ReferenceTensor] = [:]
    for tensor in gguf.tensors {
        let start = gguf.dataOffset + tensor.offset
        let data = UnsafeRawBufferPointer(rebasing: file.bytes[start..<(start + tensor.byteCount)])
        result[tensor.name] = ReferenceTensor(type: tensor.type.name, sha256: SHA256.hash(data).hex)
    }
    return result
}

/// SplitMix64 of the state seed * 2^32 + n.
func splitMix(seed: UInt64, _ n: UInt64) -> UInt64 {
    var z = (seed << 32) &+ n &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Near-normal values exact in float32: (a + b + c - 3 * 2^23) * 2^exponent (as the script).
func bell(seed: UInt64, count: Int, exponent: Int) -> [Float] {
    let scale = Float(sign: .plus, exponent: exponent, significand: 1)
    return (0..<count).map { i in
        var sum: Int64 = -3 * (1 << 23)
        for k in 0..<3 { sum += Int64(splitMix(seed: seed, UInt64(3 * i + k)) >> 40) }
        return Float(sum) * scale
    }
}

/// Writes quant-tiny: gemma3, 4 blocks, embedding 256, feed-forward 288 (so ffn_down rows fall
/// back from K-quants), 4 heads of 64, 2 KV heads, 320 tokens with a small SentencePiece
/// vocabulary (so the model runs), all weights F32.
func makeQuantTiny(at path: String) throws {
    var writer = GGUFWriter()
    writer.add(key: "general.architecture", .string("gemma3"))
    writer.add(key: "general.name", .string("Quant Tiny"))
    writer.add(key: "general.file_type", .uint32(0))
    for (key, value) in [("context_length", 1024), ("embedding_length", 256), ("block_count", 4), ("feed_forward_length", 288),
                         ("attention.head_count", 4), ("attention.head_count_kv", 2), ("attention.key_length", 64),
                         ("attention.value_length", 64), ("attention.sliding_window", 4)] {
        writer.add(key: "gemma3.\(key)", .uint32(UInt32(value)))
    }
    writer.add(key: "gemma3.attention.sliding_window_pattern", .uint32(3))
    writer.add(key: "gemma3.attention.layer_norm_rms_epsilon", .float32(1e-6))
    writer.add(key: "gemma3.rope.freq_base", .float32(1e6))
    // Vocabulary: unk, bos, eos, 256 byte tokens, "▁" and a-z with and without "▁", 8 pairs.
    var tokens = ["<unk>", "<s>", "</s>"], scores: [Float] = [0, 0, 0], types: [Int32] = [2, 3, 3]
    let hex = Array("0123456789ABCDEF")
    for b in 0..<256 { tokens.append("<0x\(hex[b >> 4])\(hex[b & 15])>"); scores.append(0); types.append(6) }
    let letters = (UInt8(ascii: "a")...UInt8(ascii: "z")).map { String(UnicodeScalar($0)) }
    let pieces = ["▁"] + letters + letters.map { "▁" + $0 } + ["▁the", "he", "th", "in", "er", "an", "re", "on"]
    for (i, piece) in pieces.enumerated() { tokens.append(piece); scores.append(-Float(i) / 10 - 1); types.append(1) }
    precondition(tokens.count == 320)
    writer.add(key: "tokenizer.ggml.model", .string("llama"))
    writer.add(key: "tokenizer.ggml.tokens", .array(tokens.map { .string($0) }))
    writer.add(key: "tokenizer.ggml.scores", .array(scores.map { .float32($0) }))
    writer.add(key: "tokenizer.ggml.token_type", .array(types.map { .int32($0) }))
    writer.add(key: "tokenizer.ggml.bos_token_id", .uint32(1))
    writer.add(key: "tokenizer.ggml.eos_token_id", .uint32(2))
    writer.add(key: "tokenizer.ggml.unknown_token_id", .uint32(0))

    let e = 256, ff = 288, vocab = 320, qWidth = 4 * 64, kvWidth = 2 * 64
    var specs: [(String, [Int], Int?)] = [("token_embd.weight", [e, vocab], -25), ("output_norm.weight", [e], nil)]
    for i in 0..<4 {
        let b = "blk.\(i)."
        specs += [(b + "attn_norm.weight", [e], nil), (b + "attn_q.weight", [e, qWidth], -27), (b + "attn_k.weight", [e, kvWidth], -27),
                  (b + "attn_v.weight", [e, kvWidth], -27), (b + "attn_q_norm.weight", [64], nil), (b + "attn_k_norm.weight", [64], nil),
                  (b + "attn_output.weight", [qWidth, e], -27), (b + "post_attention_norm.weight", [e], nil),
                  (b + "ffn_norm.weight", [e], nil), (b + "ffn_gate.weight", [e, ff], -27), (b + "ffn_up.weight", [e, ff], -27),
                  (b + "ffn_down.weight", [ff, e], -27), (b + "post_ffw_norm.weight", [e], nil)]
    }
    for (index, (name, dims, exponent)) in specs.enumerated() {
        let count = dims.reduce(1, *)
        // Norm weights: 1 + N(0, 1/128); matrices N(0, 1/16); the embedding N(0, 1/4).
        let values = exponent.map { bell(seed: UInt64(index + 1), count: count, exponent: $0) }
            ?? bell(seed: UInt64(index + 1), count: count, exponent: -30).map { 1 + $0 }
        writer.addTensor(name: name, dims: dims, type: .f32, data: values.withUnsafeBytes { Array($0) })
    }
    try writer.write(to: path)
}

// `llmpack build` refuses a model it could not run, naming what is unsupported (an architecture,
// a tensor type), and writes nothing; a supported one (a synthetic llama) builds.
import Foundation
import GGUF
import Testing

/// A one-block llama-shaped GGUF (no tokenizer) with random F32 weights, `architecture` as its
/// general.architecture, and `attn_q` of type `queryType` (F32 or a type of 32-value blocks of
/// `queryBlockBytes` bytes, filled with zeros).
private func writeTinyModel(at path: String, architecture: String, queryType: GGMLType = .f32,
                            queryBlockBytes: Int = 0) throws {
    let e = 32, f = 32, vocab = 8
    var writer = GGUFWriter(alignment: 32)
    writer.add(key: "general.architecture", .string(architecture))
    writer.add(key: "\(architecture).context_length", .uint32(256))
    writer.add(key: "\(architecture).embedding_length", .uint32(UInt32(e)))
    writer.add(key: "\(architecture).block_count", .uint32(1))
    writer.add(key: "\(architecture).feed_forward_length", .uint32(UInt32(f)))
    writer.add(key: "\(architecture).attention.head_count", .uint32(2))
    writer.add(key: "\(architecture).attention.layer_norm_rms_epsilon", .float32(1e-5))
    var state: UInt32 = 1
    func f32(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<count {
            state = state &* 1_664_525 &+ 1_013_904_223
            withUnsafeBytes(of: (Float(state >> 8) / Float(1 << 24) - 0.5).bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }
    writer.addTensor(name: "token_embd.weight", dims: [e, vocab], type: .f32, data: f32(e * vocab))
    writer.addTensor(name: "output_norm.weight", dims: [e], type: .f32, data: f32(e))
    writer.addTensor(name: "blk.0.attn_norm.weight", dims: [e], type: .f32, data: f32(e))
    if queryType == .f32 {
        writer.addTensor(name: "blk.0.attn_q.weight", dims: [e, e], type: .f32, data: f32(e * e))
    } else {
        writer.addTensor(name: "blk.0.attn_q.weight", dims: [e, e], type: queryType,
                         data: [UInt8](repeating: 0, count: e / 32 * queryBlockBytes * e))
    }
    for name in ["attn_k", "attn_v", "attn_output"] {
        writer.addTensor(name: "blk.0.\(name).weight", dims: [e, e], type: .f32, data: f32(e * e))
    }
    writer.addTensor(name: "blk.0.ffn_norm.weight", dims: [e], type: .f32, data: f32(e))
    writer.addTensor(name: "blk.0.ffn_gate.weight", dims: [e, f], type: .f32, data: f32(e * f))
    writer.addTensor(name: "blk.0.ffn_up.weight", dims: [e, f], type: .f32, data: f32(e * f))
    writer.addTensor(name: "blk.0.ffn_down.weight", dims: [f, e], type: .f32, data: f32(f * e))
    try writer.write(to: path)
}

@Suite struct CLIUnsupportedModelTests {
    @Test func unsupportedArchitectureIsRefusedByName() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/mamba.gguf", out = folder + "/mamba.run"
        try writeTinyModel(at: model, architecture: "mamba")
        expectFailure(try llmpack("build", model, "-o", out), mentioning: "unsupported architecture 'mamba' (supported: ")
        #expect(!FileManager.default.fileExists(atPath: out))
        // Also without the self-test, which otherwise loads the model.
        expectFailure(try llmpack("build", model, "-o", out, "--no-selftest"), mentioning: "unsupported architecture 'mamba'")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["mamba.gguf"])
    }

    @Test func unsupportedTensorTypeIsRefusedByName() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/iq.gguf", out = folder + "/iq.run"
        // IQ4_NL: 32 values in 18 bytes; the kernels have no product for it.
        try writeTinyModel(at: model, architecture: "llama", queryType: .iq4_nl, queryBlockBytes: 18)
        for extra in [[], ["--no-selftest"]] {
            expectFailure(try run(llmpackPath, ["build", model, "-o", out] + extra),
                          mentioning: "tensor blk.0.attn_q.weight has type IQ4_NL, which llmpack cannot multiply")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["iq.gguf"])
    }

    /// A supported architecture other than gemma3 builds, self-test included.
    @Test func syntheticLlamaBuilds() throws {
        let synthetic = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/reference/synthetic/llama-spm-tiny.gguf").path
        guard FileManager.default.fileExists(atPath: synthetic) else {
            print("SKIP: \(synthetic) is missing")
            return
        }
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let out = folder + "/llama.run"
        let build = try llmpack("build", synthetic, "-o", out)
        #expect(build.status == 0, "\(build)")
        let selfTest = try run(out, ["--selftest"])
        #expect(selfTest.status == 0, "\(selfTest)")
    }
}

// Parses the default model (gemma-3-270m Q4_K_M) and checks facts that the Python `gguf` package
// (GGUFReader) reported for the same file.

import Foundation
import GGUF
import Testing

private let modelPath: String = {
    let cache = ProcessInfo.processInfo.environment["LLMPACK_CACHE"]
        ?? (NSHomeDirectory() + "/.cache/llmpack")
    return cache + "/models/gemma-3-270m-q4_k_m.gguf"
}()
private let modelPresent = FileManager.default.fileExists(atPath: modelPath)

@Suite(.enabled(if: modelPresent, "default model missing: run scripts/fetch-model to download it"))
struct RealModelTests {
    @Test func headerFacts() throws {
        let mapped = try MappedFile(path: modelPath)
        #expect(mapped.count == 253_113_024)
        let file = try GGUFFile.parse(mapped.bytes)
        #expect(file.version == 3)
        #expect(file.architecture == "gemma3")
        #expect(file.metadata.count == 33)
        #expect(file.tensors.count == 236)
        #expect(file.alignment == 32)
        #expect(file.dataOffset == 6_525_120)
        #expect(file.dataSize == 246_587_904)
        #expect(file.dataOffset + file.dataSize == mapped.count)

        #expect(file.int("gemma3.context_length") == 32768)
        #expect(file.int("gemma3.embedding_length") == 640)
        #expect(file.int("gemma3.block_count") == 18)
        #expect(file.int("gemma3.attention.head_count_kv") == 1)
        #expect(file["gemma3.attention.layer_norm_rms_epsilon"] == .float32(9.999999974752427e-07))
        #expect(file["gemma3.rope.freq_base"] == .float32(1_000_000))
        #expect(file.string("tokenizer.ggml.model") == "llama")
        #expect(file.bool("tokenizer.ggml.add_bos_token") == true)
        #expect(file["tokenizer.ggml.bos_token_id"] == .uint32(2))
        #expect(file["general.tags"] == .array([.string("gemma3"), .string("gemma"), .string("google"),
                                                .string("text-generation")]))
        #expect(file.metadata.first?.key == "general.architecture")
        #expect(file.metadata.last?.key == "general.file_type")
    }

    @Test func tensorFacts() throws {
        let mapped = try MappedFile(path: modelPath)
        let file = try GGUFFile.parse(mapped.bytes)
        struct Fact { let name: String; let dims: [Int]; let type: GGMLType; let offset: Int; let bytes: Int }
        let facts = [
            Fact(name: "output_norm.weight", dims: [640], type: .f32, offset: 0, bytes: 2560),
            Fact(name: "token_embd.weight", dims: [640, 262_144], type: .q8_0, offset: 2560, bytes: 178_257_920),
            Fact(name: "blk.0.attn_k.weight", dims: [640, 256], type: .q5_0, offset: 178_260_480, bytes: 112_640),
            Fact(name: "blk.0.attn_output.weight", dims: [1024, 640], type: .q4_K, offset: 178_376_704, bytes: 368_640),
            Fact(name: "blk.17.ffn_down.weight", dims: [2048, 640], type: .q6_K, offset: 243_702_784, bytes: 1_075_200),
            Fact(name: "blk.17.post_ffw_norm.weight", dims: [640], type: .f32, offset: 246_585_344, bytes: 2560),
        ]
        for fact in facts {
            let t = try #require(file.tensor(named: fact.name), "\(fact.name)")
            #expect(t.dims == fact.dims, "\(fact.name)")
            #expect(t.type == fact.type, "\(fact.name)")
            #expect(t.offset == fact.offset, "\(fact.name)")
            #expect(t.byteCount == fact.bytes, "\(fact.name)")
        }
        #expect(file.tensors.first?.name == "output_norm.weight")
        #expect(file.tensors.last?.name == "blk.17.post_ffw_norm.weight")
        let counts = Dictionary(grouping: file.tensors, by: \.type).mapValues(\.count)
        #expect(counts == [.f32: 109, .q5_0: 81, .q4_K: 27, .q8_0: 10, .q6_K: 9])

        let embedding = try #require(file.tensor(named: "token_embd.weight"))
        #expect(embedding.rowCount == 262_144 && embedding.rowLength == 640 && embedding.rowByteCount == 680)
        let region = UnsafeRawBufferPointer(rebasing: mapped.bytes[file.dataOffset...])
        #expect(file.data(of: embedding, in: region).count == 178_257_920)
        expectStructurallyValid(file, fileSize: mapped.count)
    }

    @Test func vocabularyArrays() throws {
        let mapped = try MappedFile(path: modelPath)
        let file = try GGUFFile.parse(mapped.bytes)
        let tokens = try #require(file.stringArray("tokenizer.ggml.tokens"))
        #expect(tokens.count == 262_144)
        #expect(tokens.totalByteCount == 2_315_366)
        #expect(tokens[0] == "<pad>" && tokens[1] == "<eos>" && tokens[2] == "<bos>")
        #expect(tokens[106] == "<end_of_turn>" && tokens[107] == "\n" && tokens[1000] == "put")
        #expect(tokens[262_143] == "<unused6241>")
        #expect(Array(tokens.bytes(at: 107)) == [10])
        #expect(tokens.strings.count == 262_144)

        let scores = try #require(file.floatArray("tokenizer.ggml.scores"))
        #expect(scores.count == 262_144 && scores[0] == -1000 && scores[1000] == -506)
        let types = try #require(file.int32Array("tokenizer.ggml.token_type"))
        #expect(types.count == 262_144)
        let typeCounts = Dictionary(grouping: types, by: { $0 }).mapValues(\.count)
        #expect(typeCounts == [1: 255_474, 3: 6249, 6: 256, 4: 165])

        // The generic view agrees with the typed one.
        let generic = try #require(file["tokenizer.ggml.tokens"]?.array)
        #expect(generic.count == 262_144 && generic[106] == .string("<end_of_turn>"))
    }

    @Test func headerAloneParsesWithTensorDataLength() throws {
        let mapped = try MappedFile(path: modelPath)
        let full = try GGUFFile.parse(mapped.bytes)
        let header = UnsafeRawBufferPointer(rebasing: mapped.bytes[..<full.dataOffset])
        let apart = try GGUFFile.parse(header, tensorDataLength: full.dataSize)
        #expect(apart.tensors == full.tensors && apart.dataOffset == full.dataOffset)
        do {
            _ = try GGUFFile.parse(header, tensorDataLength: full.dataSize - 1)
            Issue.record("a data region one byte short was accepted")
        } catch let error as GGUFError {
            #expect(error.description.contains("'blk.17.post_ffw_norm.weight'"))
            #expect(error.description.contains("extends past end of tensor data (246587903 bytes)"))
        }
    }

    @Test func copyingEveryEntryReproducesTheMetadataBytes() throws {
        let mapped = try MappedFile(path: modelPath)
        let file = try GGUFFile.parse(mapped.bytes)
        var writer = GGUFWriter()
        for entry in file.metadata { writer.add(entry) }
        let header = writer.serializeHeader()
        let rewritten = try GGUFFile.parse(header)
        #expect(rewritten.metadata == file.metadata)
        // Metadata starts after magic, version and the two counts (24 bytes); with no tensors it
        // runs to the rewritten header's end, and must match the original byte for byte.
        let end = rewritten.headerEnd
        #expect(end > 24 && header[24..<end].elementsEqual(mapped.bytes[24..<end]))
    }
}

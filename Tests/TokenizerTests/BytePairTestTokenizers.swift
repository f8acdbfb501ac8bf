// Byte-level BPE tokenizers loaded once per test run from real GGUF files: llama.cpp's vocab-only
// test files and the synthetic tiny models in shared/reference/synthetic.

import Foundation
import GGUF
import Tokenizer

enum BytePairTestTokenizers {
    private static let llamaBPE = Result { try load(TestTokenizers.vocabFile("ggml-vocab-llama-bpe.gguf")) }
    private static let qwen2 = Result { try load(TestTokenizers.vocabFile("ggml-vocab-qwen2.gguf")) }
    private static let gpt2 = Result { try load(TestTokenizers.vocabFile("ggml-vocab-gpt-2.gguf")) }

    /// The tokenizer of one of llama.cpp's BPE vocab test files in shared/reference/vocab.
    static func vocab(_ name: String) throws -> BytePairTokenizer {
        switch name {
        case "ggml-vocab-llama-bpe.gguf": return try llamaBPE.get()
        case "ggml-vocab-qwen2.gguf": return try qwen2.get()
        case "ggml-vocab-gpt-2.gguf": return try gpt2.get()
        default: return try load(TestTokenizers.vocabFile(name))
        }
    }

    /// The tokenizer of a synthetic model (`llama3-bpe-tiny`, `qwen2-tiny`, `qwen3-tiny`), read
    /// through `TokenizerLoader.load`, the path the runner takes.
    static func synthetic(_ model: String) throws -> any Tokenizer {
        let file = try MappedFile(path: Fixtures.reference.appendingPathComponent("synthetic/\(model).gguf").path)
        return try TokenizerLoader.load(from: GGUFFile.parse(file.bytes))
    }

    /// Parses the GGUF header of `url` (memory-mapped) and builds its BPE tokenizer.
    static func load(_ url: URL) throws -> BytePairTokenizer {
        let file = try MappedFile(path: url.path)
        let gguf = try GGUFFile.parse(file.bytes)
        return try TokenizerLoader.bytePair(from: gguf)
    }
}

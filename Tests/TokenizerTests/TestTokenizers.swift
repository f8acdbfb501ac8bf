// Tokenizers loaded once per test run from real GGUF files: the default Gemma 3 model and
// llama.cpp's vocab-only test files.

import Foundation
import Testing
import GGUF
import Tokenizer

enum TestTokenizers {
    static let gemmaAvailable = Fixtures.exists(Fixtures.gemmaModel)
    static let gemmaMissing: Comment = "needs the default model at /root/.cache/llmpack/models/gemma-3-270m-q4_k_m.gguf (scripts/fetch-model fetches it)"

    private static let gemmaResult = Result { try load(Fixtures.gemmaModel) }
    private static let llamaSpmResult = Result { try load(vocabFile("ggml-vocab-llama-spm.gguf")) }
    private static let phi3Result = Result { try load(vocabFile("ggml-vocab-phi-3.gguf")) }

    /// The Gemma 3 270m tokenizer (262,144 tokens).
    static func gemma() throws -> SentencePieceTokenizer { try gemmaResult.get() }

    /// The tokenizer of one of llama.cpp's vocab test files in shared/reference/vocab.
    static func vocab(_ name: String) throws -> SentencePieceTokenizer {
        switch name {
        case "ggml-vocab-llama-spm.gguf": return try llamaSpmResult.get()
        case "ggml-vocab-phi-3.gguf": return try phi3Result.get()
        default: return try load(vocabFile(name))
        }
    }

    static func vocabFile(_ name: String) -> URL {
        Fixtures.reference.appendingPathComponent("vocab/\(name)")
    }

    /// Parses the GGUF header of `url` (memory-mapped) and builds its tokenizer.
    static func load(_ url: URL) throws -> SentencePieceTokenizer {
        let file = try MappedFile(path: url.path)
        let gguf = try GGUFFile.parse(file.bytes)
        return try TokenizerLoader.sentencePiece(from: gguf)
    }
}

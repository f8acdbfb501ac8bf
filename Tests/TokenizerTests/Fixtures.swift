// Where the test data lives: llama.cpp's reference outputs in ../shared/reference (next to the package
// root) and the default model in the llmpack cache.

import Foundation
import Tokenizer

enum Fixtures {
    /// The package root: the nearest folder above this file that holds Package.swift.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }()

    static let reference = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference")

    static let gemmaModel = URL(fileURLWithPath: "/root/.cache/llmpack/models/gemma-3-270m-q4_k_m.gguf")

    static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    /// Lines of a JSONL file, each decoded as `T`.
    static func jsonLines<T: Decodable>(_ url: URL, as type: T.Type) throws -> [T] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n", omittingEmptySubsequences: true).map {
            try JSONDecoder().decode(T.self, from: Data($0.utf8))
        }
    }

    /// llama.cpp's vocab test vectors: the `.inp` cases (split at `__ggml_vocab_test__` lines) with
    /// the ids of each from `.out`.
    static func vocabVectors(_ name: String) throws -> [(text: String, ids: [Int32])] {
        let base = reference.appendingPathComponent("vocab/\(name)")
        let input = try String(contentsOf: URL(fileURLWithPath: base.path + ".inp"), encoding: .utf8)
        let output = try String(contentsOf: URL(fileURLWithPath: base.path + ".out"), encoding: .utf8)
        var texts = input.components(separatedBy: "\n__ggml_vocab_test__\n")
        var lines = output.components(separatedBy: "\n")
        if texts.last == "" { texts.removeLast() }
        if lines.last == "" { lines.removeLast() }
        precondition(texts.count == lines.count, "\(name): \(texts.count) inputs but \(lines.count) outputs")
        return zip(texts, lines).map { text, line in
            (text, line.split(separator: " ").map { Int32($0)! })
        }
    }
}

/// One line of gemma3-270m/tokenizer.jsonl.
struct TokenizationCase: Decodable {
    let text: String
    let ids: [Int32]
}

/// The prompt and tokens of one line of logits.jsonl (the other fields are not read).
struct PromptCase: Decodable {
    let prompt: String
    let tokens: [Int32]
}

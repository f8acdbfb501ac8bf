// Helpers shared by the model tests: finding the reference data and the real model, loading it,
// and reading llama.cpp's reference logits.

import Foundation
import GGUF
import Model

enum TestPaths {
    /// The package root: the folder holding Package.swift, found by walking up from this file.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }()

    /// ../shared/reference/gemma3-270m, beside the package root.
    static let gemmaReference = packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/reference/gemma3-270m")

    static let gemmaModel = ProcessInfo.processInfo.environment["LLMPACK_TEST_GEMMA"]
        ?? "/root/.cache/llmpack/models/gemma-3-270m-q4_k_m.gguf"

    static var haveGemma: Bool { FileManager.default.fileExists(atPath: gemmaModel) }
}

/// The real gemma-3-270m model, loaded once for all tests that need it (the model is not
/// thread-safe, so those tests are serialized and reset its cache).
final class LoadedModel: @unchecked Sendable {
    let file: MappedFile
    let gguf: GGUFFile
    let model: any LanguageModel

    init(path: String, contextLength: Int?, threads: Int = 2) throws {
        file = try MappedFile(path: path)
        gguf = try GGUFFile.parse(file.bytes)
        let data = UnsafeRawBufferPointer(rebasing: file.bytes[gguf.dataOffset...])
        model = try ModelRegistry.load(gguf: gguf, tensorData: data, contextLength: contextLength, threads: threads)
    }

    /// nil (and a SKIP line printed) when the model file is missing.
    static func gemma() throws -> LoadedModel? {
        try cache.value()
    }

    private static let cache = Once<LoadedModel?> {
        guard TestPaths.haveGemma else {
            print("SKIP: \(TestPaths.gemmaModel) is missing; real-model tests check nothing")
            return nil
        }
        return try LoadedModel(path: TestPaths.gemmaModel, contextLength: 2048)
    }
}

/// A value computed once, on first use, shared between tests.
final class Once<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, Error>?
    private let make: () throws -> T

    init(_ make: @escaping () throws -> T) { self.make = make }

    func value() throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if result == nil { result = Result { try make() } }
        return try result!.get()
    }
}

/// One line of logits.jsonl.
struct ReferencePrompt: Decodable {
    struct Distribution: Decodable {
        let logsumexp: Double
        /// [token id, logit] pairs, largest first.
        let top: [[Double]]

        var topIDs: [Int32] { top.map { Int32($0[0]) } }
        var gap: Double { top[0][1] - top[1][1] }
    }

    let prompt: String
    let tokens: [Int32]
    let positions: [Distribution]
    let greedy: [Int32]
    let greedy_steps: [Distribution]

    static func loadAll() throws -> [ReferencePrompt] {
        try load(from: TestPaths.gemmaReference.appendingPathComponent("logits.jsonl"))
    }

    /// Every line of a reference .jsonl file.
    static func load(from url: URL) throws -> [ReferencePrompt] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(ReferencePrompt.self, from: Data($0.utf8)) }
    }
}

/// Pooled differences between our logits and llama.cpp's.
struct LogitComparison {
    var logitDiffSum = 0.0, logitDiffCount = 0, logitDiffMax = 0.0
    var lseDiffSum = 0.0, lseDiffCount = 0, lseDiffMax = 0.0
    /// Positions where llama.cpp's top-1/top-2 gap is ≥ 0.5 but our argmax differs.
    var confidentMismatches: [String] = []
    var positions = 0
    /// Where the largest logit difference was, and the logsumexp difference there.
    var worst = ""

    var logitMean: Double { logitDiffSum / Double(max(logitDiffCount, 1)) }
    var lseMean: Double { lseDiffSum / Double(max(lseDiffCount, 1)) }

    /// Compares one row of our logits with a reference distribution.
    mutating func add(_ row: ArraySlice<Float>, _ reference: ReferencePrompt.Distribution, label: String) {
        positions += 1
        let base = row.startIndex
        let lse = logSumExp(row)
        for pair in reference.top {
            let signed = Double(row[base + Int(pair[0])]) - pair[1]
            let diff = abs(signed)
            logitDiffSum += diff
            logitDiffCount += 1
            if diff > logitDiffMax {
                logitDiffMax = diff
                worst = label + String(format: " (logit %+.3f, logsumexp %+.3f)", signed, lse - reference.logsumexp)
            }
        }
        let diff = abs(lse - reference.logsumexp)
        lseDiffSum += diff
        lseDiffCount += 1
        lseDiffMax = max(lseDiffMax, diff)
        let ours = argmax(row)
        if reference.gap >= 0.5, ours != reference.topIDs[0] {
            confidentMismatches.append("\(label): ours \(ours), llama.cpp \(reference.topIDs[0]) (gap \(reference.gap))")
        }
    }

    var summary: String {
        String(format: "%d positions: logits mean |diff| %.4f max %.4f; logsumexp mean %.4f max %.4f; confident top-1 mismatches %d; largest at ",
               positions, logitMean, logitDiffMax, lseMean, lseDiffMax, confidentMismatches.count) + worst
    }
}

func argmax(_ row: ArraySlice<Float>) -> Int32 {
    var best = row.startIndex
    for i in row.indices where row[i] > row[best] { best = i }
    return Int32(best - row.startIndex)
}

func logSumExp(_ row: ArraySlice<Float>) -> Double {
    let m = Double(row.max()!)
    var s = 0.0
    for v in row { s += exp(Double(v) - m) }
    return m + log(s)
}

// Engine+Eval: teacher-forced logits and a greedy continuation for one prompt, in the shape of the
// lines of llama.cpp's reference file (shared/reference/gemma3-270m/logits.jsonl), so the two can
// be compared position by position.

#if canImport(Glibc)
import Glibc
#endif

/// The distribution at one position: its logsumexp and the K largest raw logits.
public struct PositionSummary: Codable, Sendable {
    public var logsumexp: Double
    public var top: [TopEntry]

    /// One `[token id, raw logit]` pair, encoded as a two-element JSON array like the reference.
    public struct TopEntry: Codable, Sendable {
        public var id: Int32
        public var logit: Float
        public init(id: Int32, logit: Float) { self.id = id; self.logit = logit }
        public init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            id = Int32(try c.decode(Double.self))
            logit = Float(try c.decode(Double.self))
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.unkeyedContainer()
            try c.encode(id)
            try c.encode(logit)
        }
    }

    /// Summarises one row of `vocab` logits.
    public init(logits: UnsafeBufferPointer<Float>, top k: Int) {
        var maxLogit = -Float.infinity
        for v in logits where v > maxLogit { maxLogit = v }
        var sum = 0.0
        for v in logits { sum += Double(expf(v - maxLogit)) }
        logsumexp = Double(maxLogit) + log(sum)
        top = topK(logits, k).map { TopEntry(id: Int32($0), logit: logits[$0]) }
    }

    public init(logsumexp: Double, top: [TopEntry]) { self.logsumexp = logsumexp; self.top = top }
}

/// Indices of the k largest values, largest first (ties: lower index first).
func topK(_ values: UnsafeBufferPointer<Float>, _ k: Int) -> [Int] {
    let k = min(k, values.count)
    guard k > 0 else { return [] }
    var best: [Int] = []           // kept sorted, largest first; k is small
    best.reserveCapacity(k + 1)
    for i in 0..<values.count {
        let v = values[i]
        if best.count == k, v <= values[best[k - 1]] { continue }
        var j = best.count
        while j > 0, values[best[j - 1]] < v { j -= 1 }
        best.insert(i, at: j)
        if best.count > k { best.removeLast() }
    }
    return best
}

/// The result of `Engine.evaluate`, one JSON object.
public struct EvalResult: Codable, Sendable {
    public var prompt: String
    public var add_special: Bool
    public var tokens: [Int32]
    public var positions: [PositionSummary]
    public var greedy: [Int32]
    public var greedy_steps: [PositionSummary]
}

extension Engine {
    /// Runs `prompt` teacher-forced (every position's distribution), then `greedy` argmax tokens one
    /// at a time through the KV cache.
    public func evaluate(prompt: String, addSpecial: Bool = true, top k: Int = 10, greedy n: Int) throws -> EvalResult {
        let tokens = tokenizer.encode(prompt, addSpecial: addSpecial, parseSpecial: true)
        return try evaluate(tokens: tokens, prompt: prompt, addSpecial: addSpecial, top: k, greedy: n)
    }

    public func evaluate(tokens: [Int32], prompt: String = "", addSpecial: Bool = true, top k: Int = 10, greedy n: Int) throws -> EvalResult {
        guard !tokens.isEmpty else { throw EngineError("the prompt has no tokens") }
        guard tokens.count + n <= contextLength else {
            throw EngineError("prompt (\(tokens.count) tokens) plus \(n) greedy tokens exceeds the context (\(contextLength))")
        }
        let vocab = vocabularySize
        model.resetCache()
        let logits = try model.forward(tokens, startPosition: 0, allLogits: true)
        var positions: [PositionSummary] = []
        positions.reserveCapacity(tokens.count)
        logits.withUnsafeBufferPointer { all in
            for i in 0..<tokens.count {
                let row = UnsafeBufferPointer(rebasing: all[(i * vocab)..<((i + 1) * vocab)])
                positions.append(PositionSummary(logits: row, top: k))
            }
        }
        var greedy: [Int32] = []
        var steps: [PositionSummary] = []
        var next = Int32(positions.last!.top.first!.id)
        var position = tokens.count
        for _ in 0..<n {
            greedy.append(next)
            let row = try model.forward([next], startPosition: position, allLogits: false)
            position += 1
            let summary = row.withUnsafeBufferPointer { PositionSummary(logits: $0, top: max(k, 1)) }
            steps.append(summary)
            next = summary.top[0].id
        }
        return EvalResult(prompt: prompt, add_special: addSpecial, tokens: tokens, positions: positions,
                          greedy: greedy, greedy_steps: steps)
    }
}

/// An error from running a model, with a message for the user.
public struct EngineError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

// Engine+Perplexity: perplexity over a text, computed the way llama-perplexity does, so the two
// figures can be compared: tokenize the whole text once (BOS added), cut it into whole chunks of
// `context` tokens, put BOS first in each chunk, run each chunk from an empty cache and score the
// predictions of the second half of the chunk (positions context/2 ..< context-1).

#if canImport(Glibc)
import Glibc
#endif

public struct PerplexityResult: Sendable {
    public var perplexity: Double
    /// Standard error of the perplexity estimate (as llama.cpp prints it after ±).
    public var standardError: Double
    public var chunks: Int
    public var scoredTokens: Int
}

extension Engine {
    public func perplexity(text: String, context: Int, maxChunks: Int? = nil,
                           progress: (Int, Int, Double) -> Void = { _, _, _ in }) throws -> PerplexityResult {
        guard context >= 4 else { throw EngineError("perplexity context must be at least 4 tokens, got \(context)") }
        guard context <= contextLength else {
            throw EngineError("perplexity context \(context) exceeds the model's context \(contextLength) (use -c)")
        }
        let tokens = tokenizer.encode(text, addSpecial: true, parseSpecial: false)
        var chunks = tokens.count / context
        if let maxChunks { chunks = min(chunks, maxChunks) }
        guard chunks > 0 else {
            throw EngineError("the text has \(tokens.count) tokens, fewer than one chunk of \(context)")
        }
        let bos = tokenizer.bos ?? tokens[0]
        let vocab = vocabularySize
        let first = context / 2
        var nll = 0.0, nll2 = 0.0, count = 0
        for c in 0..<chunks {
            var chunk = Array(tokens[(c * context)..<((c + 1) * context)])
            chunk[0] = bos
            model.resetCache()
            let logits = try model.forward(chunk, startPosition: 0, allLogits: true)
            logits.withUnsafeBufferPointer { all in
                for j in first..<(context - 1) {
                    let row = UnsafeBufferPointer(rebasing: all[(j * vocab)..<((j + 1) * vocab)])
                    let target = Int(chunk[j + 1])
                    var maxLogit = -Float.infinity
                    for v in row where v > maxLogit { maxLogit = v }
                    var sum = 0.0
                    for v in row { sum += Double(expf(v - maxLogit)) }
                    let logProb = Double(row[target] - maxLogit) - log(sum)
                    nll -= logProb
                    nll2 += logProb * logProb
                    count += 1
                }
            }
            progress(c + 1, chunks, exp(nll / Double(count)))
        }
        let mean = nll / Double(count)
        let meanSquare = nll2 / Double(count)
        let variance = max(0, meanSquare - mean * mean)
        let sem = count > 1 ? (variance / Double(count - 1)).squareRoot() : 0
        let ppl = exp(mean)
        return PerplexityResult(perplexity: ppl, standardError: ppl * sem, chunks: chunks, scoredTokens: count)
    }
}

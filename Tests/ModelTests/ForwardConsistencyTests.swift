// The forward pass computes the same thing however the tokens are fed: all at once (cut into
// batches of 512 internally), in uneven pieces, or one at a time through the KV cache, including
// across the sliding-window ring and after rewinding.

import Model
import Testing

struct ForwardConsistencyTests {
    /// 600 tokens > one batch of 512, and > the window ring of 4 - 1 + 512 slots.
    static let tokens: [Int32] = {
        var random = TestRandom(seed: 11)
        return (0..<600).map { _ in Int32((random.next() + 1) * 24.99) }
    }()

    static func maxRelativeDifference(_ a: [Float], _ b: ArraySlice<Float>) -> Float {
        var worst: Float = 0
        for (x, y) in zip(a, b) { worst = max(worst, abs(x - y) / max(1, abs(y))) }
        return worst
    }

    @Test func batchedPiecewiseAndIncrementalAgree() throws {
        let tiny = try TinyGemma()
        let model = try tiny.load()
        let vocab = model.config.vocabSize, tokens = Self.tokens

        let all = try model.forward(tokens, startPosition: 0, allLogits: true)
        #expect(all.count == tokens.count * vocab)
        #expect(all.allSatisfy { $0.isFinite })

        // Uneven pieces.
        model.resetCache()
        var start = 0, pieces: [Float] = []
        for size in [1, 7, 300, 2, 290] {
            pieces += try model.forward(Array(tokens[start..<start + size]), startPosition: start, allLogits: true)
            start += size
        }
        #expect(Self.maxRelativeDifference(pieces, all[...]) < 1e-4)

        // One at a time, only the last row each.
        model.resetCache()
        var worst: Float = 0
        for (p, token) in tokens.enumerated() {
            let row = try model.forward([token], startPosition: p, allLogits: false)
            worst = max(worst, Self.maxRelativeDifference(row, all[p * vocab..<(p + 1) * vocab]))
        }
        #expect(worst < 1e-4)

        // The last row alone equals the last row of allLogits.
        model.resetCache()
        let last = try model.forward(tokens, startPosition: 0, allLogits: false)
        let expectedLast = all[(tokens.count - 1) * vocab..<tokens.count * vocab]
        #expect(Self.maxRelativeDifference(last, expectedLast) < 1e-4)
    }

    @Test func rewindRecomputesFromTheCache() throws {
        let tiny = try TinyGemma()
        let model = try tiny.load()
        let vocab = model.config.vocabSize, tokens = Self.tokens
        let all = try model.forward(tokens, startPosition: 0, allLogits: true)

        // Back 20 positions: the same logits again.
        let again = try model.forward(Array(tokens[580...]), startPosition: 580, allLogits: true)
        let expectedAgain = all[580 * vocab..<all.count]
        #expect(Self.maxRelativeDifference(again, expectedAgain) < 1e-4)

        // A different token at 590, then the original continuation is no longer what it was.
        let changed = try model.forward([(tokens[590] + 1) % 50], startPosition: 590, allLogits: false)
        #expect(Self.maxRelativeDifference(changed, all[590 * vocab..<591 * vocab]) > 1e-3)

        // Further back than the window ring allows (512 positions) is refused.
        #expect(throws: ModelError.self) { try model.forward([1], startPosition: 10, allLogits: false) }
    }

    /// A window of 4 really limits what local layers see: a token 10 positions back cannot change
    /// the output of a model whose every layer is local.
    @Test func slidingWindowLimitsReach() throws {
        var spec = TinyGemmaSpec()
        spec.pattern = .array([.bool(true), .bool(true), .bool(true)])
        let model = try TinyGemma(spec).load()
        let base: [Int32] = [3, 9, 4, 17, 22, 5, 8, 30, 11, 2, 6, 41, 7]
        var changed = base
        changed[0] = 44
        let a = try model.forward(base, startPosition: 0, allLogits: true)
        model.resetCache()
        let b = try model.forward(changed, startPosition: 0, allLogits: true)
        let vocab = model.config.vocabSize
        // Position 12 sees 9...12 in layer 3, which saw back to 6, 3 ... so position 0 is out of
        // reach after 3 layers of 3 steps: 12 - 3 * 3 = 3 > 0.
        let lastA: [Float] = Array(a[12 * vocab..<13 * vocab]), lastB: [Float] = Array(b[12 * vocab..<13 * vocab])
        #expect(lastA == lastB)
        // Position 1 does depend on position 0.
        let secondA: [Float] = Array(a[vocab..<2 * vocab]), secondB: [Float] = Array(b[vocab..<2 * vocab])
        #expect(secondA != secondB)
    }
}

// Sampler+Penalties: the recent-token window and the repetition, frequency and presence
// penalties llama.cpp applies to it (applied only to the tokens in the window, never a full pass).

/// The last `window` tokens that entered the context, with a count per token.
struct TokenHistory: Sendable {
    /// 0: nothing is recorded; -1: every token is kept; otherwise the window length.
    let window: Int
    private var ring: [Int32] = []
    private var oldest = 0
    private(set) var counts: [Int32: Int] = [:]

    init(window: Int) { self.window = window }

    mutating func append(_ token: Int32) {
        if window == 0 { return }
        if window < 0 || ring.count < window {
            ring.append(token)
        } else {
            let evicted = ring[oldest]
            ring[oldest] = token
            oldest = (oldest + 1) % window
            if let count = counts[evicted], count > 1 { counts[evicted] = count - 1 } else { counts[evicted] = nil }
        }
        counts[token, default: 0] += 1
    }

    mutating func removeAll() {
        ring.removeAll()
        oldest = 0
        counts.removeAll()
    }

    /// llama.cpp's penalties: for each token seen `c` times in the window, a logit > 0 is divided by
    /// the repeat penalty and one <= 0 multiplied by it; then `c * frequency + presence` is
    /// subtracted.
    func applyPenalties(to logits: UnsafeMutableBufferPointer<Float>, _ parameters: SamplingParameters) {
        if counts.isEmpty || !parameters.hasPenalties { return }
        let repeatPenalty = parameters.repeatPenalty
        for (token, count) in counts {
            let index = Int(token)
            guard index >= 0 && index < logits.count else { continue }
            var logit = logits[index]
            if logit <= 0 { logit *= repeatPenalty } else { logit /= repeatPenalty }
            logit -= Float(count) * parameters.frequencyPenalty + parameters.presencePenalty
            logits[index] = logit
        }
    }
}

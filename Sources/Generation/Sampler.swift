// Sampler: turns one row of logits into the next token. Greedy below temperature zero; otherwise
// llama.cpp's chain: penalties -> top-k -> top-p -> min-p -> temperature -> a seeded draw.
// Written for a 262,144-entry vocabulary: top-k by partial selection, top-p and min-p on a small
// sorted prefix; the whole vocabulary is never sorted unless top-p alone needs it.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One token that survived the samplers, with its final probability.
public struct TokenProbability: Sendable, Equatable {
    /// The token id.
    public var id: Int32
    /// Its logit after penalties (before temperature).
    public var logit: Float
    /// Its probability in the distribution the draw uses (after temperature).
    public var probability: Float

    public init(id: Int32, logit: Float, probability: Float) {
        self.id = id
        self.logit = logit
        self.probability = probability
    }
}

/// Chooses tokens from logits according to `SamplingParameters`.
///
/// A sampler owns its random generator and the recent-token history the penalties use: call
/// `accept(_:)` for every token that enters the context (prompt and generated alike), then
/// `sample(_:)` for the next one.
public struct Sampler: Sendable {
    /// The parameters this sampler applies.
    public let parameters: SamplingParameters
    /// The seed actually used (the given one, or a random one when the parameters have none).
    public let seed: UInt64

    private var random: Xoshiro256StarStar
    private var history: TokenHistory
    private var candidates: [Candidate] = []

    /// Creates a sampler. Parameters are used as given; call `parameters.validate()` first to
    /// reject values that cannot be meant.
    public init(parameters: SamplingParameters = SamplingParameters()) {
        self.parameters = parameters
        var system = SystemRandomNumberGenerator()
        self.seed = parameters.seed ?? system.next()
        self.random = Xoshiro256StarStar(seed: seed)
        self.history = TokenHistory(window: parameters.hasPenalties ? parameters.repeatLastN : 0)
    }

    /// Records a token that entered the context, for the penalties.
    public mutating func accept(_ token: Int32) {
        history.append(token)
    }

    /// Records tokens that entered the context, for the penalties.
    public mutating func accept<S: Sequence>(contentsOf tokens: S) where S.Element == Int32 {
        for token in tokens { history.append(token) }
    }

    /// Forgets the token history and restarts the random sequence from the seed.
    public mutating func reset() {
        history.removeAll()
        random = Xoshiro256StarStar(seed: seed)
    }

    /// Chooses the next token from one row of logits (left unchanged). Does not `accept` it.
    public mutating func sample(_ logits: [Float]) -> Int32 {
        var copy = logits
        return copy.withUnsafeMutableBufferPointer { sample(logits: $0) }
    }

    /// Chooses the next token from one row of logits, applying the penalties in place (the buffer
    /// is scratch afterwards). Does not `accept` the token.
    public mutating func sample(logits: UnsafeMutableBufferPointer<Float>) -> Int32 {
        precondition(!logits.isEmpty, "Sampler: empty logits")
        history.applyPenalties(to: logits, parameters)
        if parameters.temperature <= 0 { return Sampler.argmax(logits) }
        var kept = candidates
        candidates = []
        defer { candidates = kept }
        filter(logits, into: &kept)
        return draw(from: kept)
    }

    /// The distribution the next draw would use: the surviving tokens in the order the draw walks
    /// them, with their final probabilities. For greedy parameters, the single most likely token.
    /// Neither draws nor changes the sampler.
    public func distribution(_ logits: [Float]) -> [TokenProbability] {
        precondition(!logits.isEmpty, "Sampler: empty logits")
        var copy = logits
        return copy.withUnsafeMutableBufferPointer { row -> [TokenProbability] in
            history.applyPenalties(to: row, parameters)
            if parameters.temperature <= 0 {
                let best = Sampler.argmax(row)
                return [TokenProbability(id: best, logit: row[Int(best)], probability: 1)]
            }
            var kept: [Candidate] = []
            filter(row, into: &kept)
            let weights = temperatureWeights(kept)
            let total = weights.reduce(0, +)
            return zip(kept, weights).map {
                TokenProbability(id: $0.id, logit: $0.logit, probability: Float($1 / total))
            }
        }
    }

    // MARK: - The chain

    /// Top-k, top-p and min-p: leaves in `kept` the tokens that may be drawn.
    private func filter(_ logits: UnsafeMutableBufferPointer<Float>, into kept: inout [Candidate]) {
        let n = logits.count
        let topK = parameters.topK
        let useTopP = parameters.topP < 1
        let useMinP = parameters.minP > 0

        // Top-k: a sorted prefix by partial selection. Otherwise the whole vocabulary is in play.
        let topKApplied = topK > 0 && topK < n
        let maxLogit: Float
        if topKApplied {
            Sampler.selectTop(topK, of: logits, into: &kept)
            maxLogit = kept[0].logit
        } else {
            maxLogit = Sampler.maximum(logits)
        }
        if maxLogit == -.infinity || maxLogit.isNaN {
            // Nothing is possible: fall back to the first most likely token.
            kept = [Candidate(id: Sampler.argmax(logits), logit: maxLogit)]
            return
        }

        // Top-p needs the normalizer of the distribution it sees (the one after top-k).
        var normalizer = 1.0
        if useTopP {
            normalizer = topKApplied
                ? kept.reduce(0.0) { $0 + Double(expf($1.logit - maxLogit)) }
                : Sampler.sumOfExponentials(logits, minus: maxLogit)
        }

        // Min-p keeps the tokens with p >= minP * p_max, that is logit >= max + log(minP):
        // a prefix of the sorted order, like top-p's set, so the two cuts commute.
        let minLogit: Float = useMinP ? maxLogit + logf(parameters.minP) : -.infinity

        if topKApplied {
            if useMinP { kept.removeAll { $0.logit < minLogit } }
            if useTopP { Sampler.cutTopP(&kept, p: parameters.topP, maxLogit: maxLogit, normalizer: normalizer) }
        } else if useMinP {
            Sampler.gather(logits, atLeast: minLogit, into: &kept)
            if useTopP {
                Sampler.sortDescending(&kept)
                Sampler.cutTopP(&kept, p: parameters.topP, maxLogit: maxLogit, normalizer: normalizer)
            }
        } else if useTopP {
            // Top-p alone over the vocabulary: grow a sorted prefix until it holds mass p.
            var size = min(256, n)
            while true {
                Sampler.selectTop(size, of: logits, into: &kept)
                let reached = Sampler.cutTopP(&kept, p: parameters.topP, maxLogit: maxLogit, normalizer: normalizer)
                if reached || size == n { break }
                size = min(n, size * 16)
            }
        } else {
            Sampler.gather(logits, atLeast: -.infinity, into: &kept)
        }
        if kept.isEmpty {
            kept = [Candidate(id: Sampler.argmax(logits), logit: maxLogit)]
        }
    }

    /// Unnormalized weights after temperature, relative to the largest logit (so the largest is 1).
    private func temperatureWeights(_ kept: [Candidate]) -> [Double] {
        let maxLogit = kept.reduce(-Float.infinity) { max($0, $1.logit) }
        let scale = 1 / parameters.temperature
        return kept.map { Double(expf(($0.logit - maxLogit) * scale)) }
    }

    /// Temperature, softmax and a draw with the seeded generator.
    private mutating func draw(from kept: [Candidate]) -> Int32 {
        if kept.count == 1 { return kept[0].id }
        let weights = temperatureWeights(kept)
        let total = weights.reduce(0, +)
        let target = random.nextUnit() * total
        var cumulative = 0.0
        for (candidate, weight) in zip(kept, weights) {
            cumulative += weight
            if target < cumulative { return candidate.id }
        }
        // Rounding left the target at the very end: take the last token with weight.
        let last = weights.lastIndex { $0 > 0 } ?? 0
        return kept[last].id
    }
}

// Engine+Bench: prompt-processing and generation speed, measured like llama-bench: `pp N` runs N
// tokens through the model in one batch from an empty cache, `tg N` generates N tokens one at a
// time from an empty cache; each test is repeated and reported as mean ± standard deviation.

#if canImport(Glibc)
import Glibc
#endif

/// Seconds on a monotonic clock.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

public struct BenchResult: Sendable, Codable {
    public var test: String          // "pp512", "tg128"
    public var tokens: Int
    public var samples: [Double]     // tokens per second, one per repetition
    public var mean: Double { samples.reduce(0, +) / Double(max(samples.count, 1)) }
    public var standardDeviation: Double {
        guard samples.count > 1 else { return 0 }
        let m = mean
        return (samples.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(samples.count - 1)).squareRoot()
    }
}

extension Engine {
    /// Token ids used as benchmark input: fixed, spread over the vocabulary, never special.
    private func benchTokens(_ n: Int) -> [Int32] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let vocab = UInt64(vocabularySize)
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int32(truncatingIfNeeded: 1000 + (state >> 33) % (vocab - 2000))
        }
    }

    public func benchPrompt(tokens n: Int, repetitions: Int) throws -> BenchResult {
        guard n > 0, n <= contextLength else { throw EngineError("pp \(n) must be in 1...\(contextLength) (the context)") }
        let input = benchTokens(n)
        model.resetCache()
        _ = try model.forward(Array(input.prefix(min(n, 16))), startPosition: 0, allLogits: false)  // warm-up
        var samples: [Double] = []
        for _ in 0..<repetitions {
            model.resetCache()
            let start = monotonicSeconds()
            _ = try model.forward(input, startPosition: 0, allLogits: false)
            samples.append(Double(n) / (monotonicSeconds() - start))
        }
        return BenchResult(test: "pp\(n)", tokens: n, samples: samples)
    }

    public func benchGeneration(tokens n: Int, repetitions: Int) throws -> BenchResult {
        guard n > 0, n <= contextLength else { throw EngineError("tg \(n) must be in 1...\(contextLength) (the context)") }
        let input = benchTokens(n)
        model.resetCache()
        _ = try model.forward([input[0]], startPosition: 0, allLogits: false)  // warm-up
        var samples: [Double] = []
        for _ in 0..<repetitions {
            model.resetCache()
            let start = monotonicSeconds()
            for i in 0..<n { _ = try model.forward([input[i]], startPosition: i, allLogits: false) }
            samples.append(Double(n) / (monotonicSeconds() - start))
        }
        return BenchResult(test: "tg\(n)", tokens: n, samples: samples)
    }
}

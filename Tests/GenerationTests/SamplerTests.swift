// Tests of the sampler maths on small hand-made logit vectors, and of its fast paths against a
// plain full-sort reference on large random vectors.

import Foundation
import Testing
import Generation

/// Logits whose softmax is exactly `probabilities`.
private func logits(fromProbabilities probabilities: [Double]) -> [Float] {
    probabilities.map { Float(log($0)) }
}

/// Only the given filters on; everything else off.
private func parameters(temperature: Float = 1, topK: Int = 0, topP: Float = 1, minP: Float = 0,
                        seed: UInt64 = 1) -> SamplingParameters {
    SamplingParameters(temperature: temperature, topK: topK, topP: topP, minP: minP, seed: seed)
}

/// A deterministic pseudo-random logit vector (values in -8 ..< 8).
private func randomLogits(_ count: Int, seed: UInt64) -> [Float] {
    var generator = Xoshiro256StarStar(seed: seed)
    return (0..<count).map { _ in Float(generator.nextUnit() * 16 - 8) }
}

/// The chain done the obvious way: full sort, then top-k, top-p, min-p, temperature, softmax.
private func referenceDistribution(_ logits: [Float], _ p: SamplingParameters) -> [Int32: Double] {
    referenceDistribution(sortedReference(logits), p)
}

/// Every token, best first (equal logits by id).
private func sortedReference(_ logits: [Float]) -> [(id: Int32, logit: Double)] {
    var sorted = logits.enumerated().map { (id: Int32($0.offset), logit: Double($0.element)) }
    sorted.sort { $0.logit > $1.logit || ($0.logit == $1.logit && $0.id < $1.id) }
    return sorted
}

private func referenceDistribution(_ allSorted: [(id: Int32, logit: Double)], _ p: SamplingParameters) -> [Int32: Double] {
    var sorted = allSorted
    if p.topK > 0 { sorted = Array(sorted.prefix(p.topK)) }
    func softmax(_ values: [Double]) -> [Double] {
        let m = values.max()!
        let e = values.map { exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
    if p.topP < 1 {
        let probabilities = softmax(sorted.map(\.logit))
        var cumulative = 0.0
        var keep = sorted.count
        for (i, q) in probabilities.enumerated() {
            cumulative += q
            if cumulative >= Double(p.topP) { keep = i + 1; break }
        }
        sorted = Array(sorted.prefix(keep))
    }
    if p.minP > 0 {
        let probabilities = softmax(sorted.map(\.logit))
        let limit = Double(p.minP) * probabilities.max()!
        sorted = zip(sorted, probabilities).filter { $0.1 >= limit }.map(\.0)
    }
    let final = softmax(sorted.map { $0.logit / Double(p.temperature) })
    return Dictionary(uniqueKeysWithValues: zip(sorted.map(\.id), final))
}

private func asDictionary(_ distribution: [TokenProbability]) -> [Int32: Double] {
    Dictionary(uniqueKeysWithValues: distribution.map { ($0.id, Double($0.probability)) })
}

@Suite struct SamplerTests {
    @Test func greedyPicksTheArgmax() {
        var sampler = Sampler(parameters: .greedy)
        #expect(sampler.sample([0.1, 2.5, -1, 2.4]) == 1)
        #expect(sampler.sample([-3, -2, -5, -2.5]) == 1)
        #expect(sampler.sample([1, 1, 0]) == 0, "ties go to the lowest id")
        var negative = Sampler(parameters: SamplingParameters(temperature: -1))
        #expect(negative.sample([0, 0, 7, 1]) == 2)
    }

    @Test func topKOfOneEqualsGreedy() {
        for seed in 0..<20 as Range<UInt64> {
            let row = randomLogits(1000, seed: seed)
            var greedy = Sampler(parameters: .greedy)
            var topOne = Sampler(parameters: SamplingParameters(temperature: 1.5, topK: 1, seed: seed))
            #expect(topOne.sample(row) == greedy.sample(row))
        }
    }

    @Test func topPKeepsTheSmallestSetReachingP() {
        let row = logits(fromProbabilities: [0.05, 0.5, 0.15, 0.3])
        let below = Sampler(parameters: parameters(topP: 0.75)).distribution(row)
        #expect(Set(below.map(\.id)) == [1, 3])
        let d = asDictionary(below)
        #expect(abs(d[1]! - 0.5 / 0.8) < 1e-5)
        #expect(abs(d[3]! - 0.3 / 0.8) < 1e-5)

        let above = Sampler(parameters: parameters(topP: 0.85)).distribution(row)
        #expect(Set(above.map(\.id)) == [1, 3, 2])
        let tiny = Sampler(parameters: parameters(topP: 0.1)).distribution(row)
        #expect(tiny.map(\.id) == [1], "the most likely token alone already reaches p")
    }

    @Test func minPThresholdIsRelativeToTheMostLikelyToken() {
        let row = logits(fromProbabilities: [0.05, 0.5, 0.15, 0.3])
        // 0.2 * 0.5 = 0.1: keeps 0.5, 0.3, 0.15.
        #expect(Set(Sampler(parameters: parameters(minP: 0.2)).distribution(row).map(\.id)) == [1, 3, 2])
        // 0.5 * 0.5 = 0.25: keeps 0.5, 0.3.
        let kept = Sampler(parameters: parameters(minP: 0.5)).distribution(row)
        #expect(Set(kept.map(\.id)) == [1, 3])
        #expect(abs(asDictionary(kept)[3]! - 0.3 / 0.8) < 1e-5)
    }

    @Test func temperatureSharpensAndFlattens() {
        let row: [Float] = [1, 2, 0.5, 3]
        for t: Float in [0.5, 1, 2] {
            let got = asDictionary(Sampler(parameters: parameters(temperature: t)).distribution(row))
            let want = referenceDistribution(row, parameters(temperature: t))
            for (id, p) in want { #expect(abs(got[id]! - p) < 1e-5, "t=\(t) id=\(id)") }
        }
    }

    @Test func repeatPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        var sampler = Sampler(parameters: SamplingParameters(
            temperature: 1, topK: 0, topP: 1, minP: 0, repeatPenalty: 2, repeatLastN: 64))
        sampler.accept(contentsOf: [0, 1, 0])
        let logits = Dictionary(uniqueKeysWithValues:
            sampler.distribution([2, -2, 1, 0.5]).map { ($0.id, $0.logit) })
        #expect(logits[0] == 1)      // 2 / 2
        #expect(logits[1] == -4)     // -2 * 2
        #expect(logits[2] == 1)      // not in the history
        #expect(logits[3] == 0.5)
    }

    @Test func frequencyAndPresencePenaltiesCountOccurrences() {
        var sampler = Sampler(parameters: SamplingParameters(
            temperature: 1, topK: 0, topP: 1, minP: 0, repeatLastN: 64,
            presencePenalty: 0.25, frequencyPenalty: 0.5))
        sampler.accept(contentsOf: [2, 2, 3])
        let logits = Dictionary(uniqueKeysWithValues:
            sampler.distribution([0, 0, 1, 1]).map { ($0.id, $0.logit) })
        #expect(logits[0] == 0)
        #expect(logits[2] == Float(-0.25))   // 1 - 2 * 0.5 - 0.25
        #expect(logits[3] == Float(0.25))    // 1 - 0.5 - 0.25
    }

    @Test func penaltiesOnlySeeTheLastNTokens() {
        var sampler = Sampler(parameters: SamplingParameters(
            temperature: 0, repeatPenalty: 4, repeatLastN: 2))
        sampler.accept(contentsOf: [0, 1, 2])   // token 0 has left the window
        #expect(sampler.sample([4, 3.9, 3.8, 1]) == 0)
        sampler.accept(0)                        // window is now [2, 0]
        #expect(sampler.sample([4, 3.9, 3.8, 1]) == 1)
    }

    @Test func greedyAppliesPenaltiesToo() {
        var sampler = Sampler(parameters: SamplingParameters(temperature: 0, repeatPenalty: 1.5))
        sampler.accept(3)
        #expect(sampler.sample([0, 0, 2, 2.5]) == 2)
    }

    @Test func sameSeedGivesTheSameSequence() {
        let row = randomLogits(5000, seed: 7)
        func run(seed: UInt64) -> [Int32] {
            var sampler = Sampler(parameters: SamplingParameters(temperature: 1.2, topK: 100, topP: 0.99, minP: 0, seed: seed))
            return (0..<200).map { _ in sampler.sample(row) }
        }
        #expect(run(seed: 42) == run(seed: 42))
        #expect(run(seed: 42) != run(seed: 43))
        var sampler = Sampler(parameters: SamplingParameters(temperature: 1.2, topK: 100, topP: 0.99, minP: 0, seed: 42))
        let first = (0..<50).map { _ in sampler.sample(row) }
        sampler.reset()
        #expect((0..<50).map { _ in sampler.sample(row) } == first, "reset restarts from the seed")
    }

    @Test func randomGeneratorIsFixedAcrossPlatforms() {
        // xoshiro256** seeded by splitmix64 from 0: the first outputs are fixed forever.
        var generator = Xoshiro256StarStar(seed: 0)
        let first = (0..<3).map { _ in generator.next() }
        var again = Xoshiro256StarStar(seed: 0)
        #expect((0..<3).map { _ in again.next() } == first)
        #expect(first == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
    }

    @Test func drawsFollowTheSoftmax() {
        let row: [Float] = [1, 2, 0.5, 3, -1]
        for t: Float in [1, 0.7] {
            var sampler = Sampler(parameters: parameters(temperature: t, seed: 1234))
            let draws = 100_000
            var counts = [Int](repeating: 0, count: row.count)
            for _ in 0..<draws { counts[Int(sampler.sample(row))] += 1 }
            let want = referenceDistribution(row, parameters(temperature: t))
            for id in 0..<row.count {
                // Standard deviation of a frequency is at most 0.0016 here: 0.008 is 5 of them.
                #expect(abs(Double(counts[id]) / Double(draws) - want[Int32(id)]!) < 0.008, "t=\(t) id=\(id)")
            }
        }
    }

    @Test func fastPathsMatchTheReferenceOnALargeVocabulary() {
        let row = randomLogits(262_144, seed: 99)
        let settings: [SamplingParameters] = [
            parameters(topK: 40),
            parameters(topK: 40, topP: 0.95, minP: 0.05),                       // llama.cpp defaults
            parameters(temperature: 0.8, topK: 0, topP: 0.5),                  // top-p alone, grows its prefix
            parameters(temperature: 0.8, topK: 0, topP: 0.001),
            parameters(temperature: 1, topK: 0, minP: 0.9),                    // min-p alone
            parameters(temperature: 1.3, topK: 0, topP: 0.3, minP: 0.95),
            parameters(temperature: 1.3, topK: 5000, topP: 0.2, minP: 0.5),
        ]
        let sorted = sortedReference(row)
        for p in settings {
            let got = asDictionary(Sampler(parameters: p).distribution(row))
            let want = referenceDistribution(sorted, p)
            #expect(Set(got.keys) == Set(want.keys), "\(p)")
            for (id, q) in want where got[id] != nil { #expect(abs(got[id]! - q) < 1e-4, "\(p) id=\(id)") }
        }
    }

    @Test func topKSelectsTheLargestWithTies() {
        var row = [Float](repeating: 0, count: 1000)
        row[10] = 5; row[500] = 5; row[999] = 4; row[3] = 5
        let kept = Sampler(parameters: parameters(topK: 3)).distribution(row)
        #expect(kept.map(\.id) == [3, 10, 500], "best first, equal logits by id")
    }

    @Test func impossibleTokensAreNeverDrawn() {
        let row: [Float] = [-.infinity, 1, -.infinity, 1]
        var sampler = Sampler(parameters: parameters(seed: 5))
        for _ in 0..<1000 { #expect([1, 3].contains(sampler.sample(row))) }
    }
}

@Suite struct SamplingParametersTests {
    @Test func defaultsAreLlamaCpps() {
        let p = SamplingParameters()
        #expect(p.temperature == 0.8 && p.topK == 40 && p.topP == 0.95 && p.minP == 0.05)
        #expect(p.repeatPenalty == 1 && p.repeatLastN == 64 && p.presencePenalty == 0 && p.frequencyPenalty == 0)
        #expect(p.seed == nil && !p.hasPenalties)
    }

    @Test func codableRoundTripAndPartialConfigurations() throws {
        let p = SamplingParameters(temperature: 0.3, topK: 7, topP: 0.5, minP: 0.1, repeatPenalty: 1.1,
                                   repeatLastN: 32, presencePenalty: 0.2, frequencyPenalty: 0.3, seed: 9)
        let data = try JSONEncoder().encode(p)
        #expect(try JSONDecoder().decode(SamplingParameters.self, from: data) == p)
        let partial = try JSONDecoder().decode(SamplingParameters.self, from: Data(#"{"temperature":0,"seed":5}"#.utf8))
        #expect(partial == SamplingParameters(temperature: 0, seed: 5))
    }

    @Test func validateRejectsValuesThatCannotBeMeant() {
        #expect(throws: GenerationError.self) { try SamplingParameters(minP: -0.1).validate() }
        #expect(throws: GenerationError.self) { try SamplingParameters(repeatPenalty: 0).validate() }
        #expect(throws: GenerationError.self) { try SamplingParameters(temperature: .nan).validate() }
        #expect(throws: GenerationError.self) { try SamplingParameters(repeatLastN: -2).validate() }
        #expect(throws: Never.self) { try SamplingParameters().validate() }
    }
}

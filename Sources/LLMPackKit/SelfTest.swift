// SelfTest: a short greedy run recorded when a bundle is built and replayed by `--selftest`, so an
// archived file can show years later, on another machine, that it still computes what it computed
// when it was packed.
//
// The record holds the prompt tokens, the greedy tokens and the top logits after each step. The
// replay feeds the same tokens (teacher forced, so one early near-tie cannot derail the rest) and
// compares: every recorded logit within `logitTolerance`, and the same top token wherever the
// recorded top-1/top-2 gap is at least `tieGap` (different SIMD paths round differently).

public struct SelfTestRecord: Codable, Sendable {
    public var prompt: String
    public var tokens: [Int32]
    public var greedy: [Int32]
    /// The distribution after the prompt, then after each greedy token but the last.
    public var steps: [PositionSummary]

    public static let defaultPrompt = "The capital of France is"
}

public struct SelfTestReport: Sendable {
    public var passed: Bool
    public var maxDifference: Float
    public var comparedLogits: Int
    public var failures: [String]
}

extension Engine {
    public static let selfTestSteps = 16
    public static let logitTolerance: Float = 0.5
    public static let tieGap: Float = 0.5

    /// Records a self-test: `steps` greedy tokens after `prompt`, with the top 8 logits each step.
    public func recordSelfTest(prompt: String = SelfTestRecord.defaultPrompt, steps n: Int = Engine.selfTestSteps) throws -> SelfTestRecord {
        let result = try evaluate(prompt: prompt, addSpecial: true, top: 8, greedy: n)
        var steps = [result.positions.last!]
        steps.append(contentsOf: result.greedy_steps.dropLast())
        return SelfTestRecord(prompt: prompt, tokens: result.tokens, greedy: result.greedy, steps: steps)
    }

    /// Replays a record and compares.
    public func replaySelfTest(_ record: SelfTestRecord) throws -> SelfTestReport {
        guard !record.tokens.isEmpty, record.steps.count == record.greedy.count,
              record.tokens.allSatisfy({ $0 >= 0 && Int($0) < vocabularySize }),
              record.greedy.allSatisfy({ $0 >= 0 && Int($0) < vocabularySize }),
              record.tokens.count + record.greedy.count <= contextLength else {
            throw EngineError("the self-test record is malformed (token ids or lengths out of range)")
        }
        model.resetCache()
        var failures: [String] = []
        var maxDiff: Float = 0
        var compared = 0
        var logits = try model.forward(record.tokens, startPosition: 0, allLogits: false)
        var position = record.tokens.count
        for (step, expected) in record.steps.enumerated() {
            for entry in expected.top where entry.id >= 0 && Int(entry.id) < logits.count {
                let diff = abs(logits[Int(entry.id)] - entry.logit)
                maxDiff = max(maxDiff, diff)
                compared += 1
                if diff > Engine.logitTolerance || diff.isNaN {
                    failures.append("step \(step): logit of token \(entry.id) is \(logits[Int(entry.id)]), recorded \(entry.logit)")
                }
            }
            if expected.top.count >= 2, expected.top[0].logit - expected.top[1].logit >= Engine.tieGap {
                var best = 0
                for i in 1..<logits.count where logits[i] > logits[best] { best = i }
                if Int32(best) != expected.top[0].id {
                    failures.append("step \(step): top token is \(best), recorded \(expected.top[0].id)")
                }
            }
            if step + 1 < record.steps.count {
                logits = try model.forward([record.greedy[step]], startPosition: position, allLogits: false)
                position += 1
            }
        }
        return SelfTestReport(passed: failures.isEmpty, maxDifference: maxDiff, comparedLogits: compared, failures: failures)
    }
}

// `--selftest`: replay the greedy run recorded when the bundle was built and report.
import Bundle
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public enum SelfTestCommand {
    /// The JSON bytes of a fresh self-test record for a model source (`llmpack build` stores them).
    public static func record(source: ModelSource, threads: Int) throws -> [UInt8] {
        // A short run needs a short context; never more than the model was trained for.
        let trained = source.gguf.architecture.flatMap { source.gguf.int("\($0).context_length") } ?? 256
        let engine = try Engine(gguf: source.gguf, tensorData: source.tensorData, storage: source,
                                contextLength: max(1, min(256, trained)), threads: threads)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(try engine.recordSelfTest()))
    }

    /// Replays the record of a bundle; prints the outcome and returns the exit status (0 passed,
    /// 1 failed, 2 no record).
    public static func run(source: ModelSource, engine options: EngineOptions, name: String) throws -> Int32 {
        guard let bytes = try source.bundle?.selfTest() else {
            Terminal.printError("\(name): this file carries no self-test record (built without one)")
            return 2
        }
        let record: SelfTestRecord
        do {
            record = try JSONDecoder().decode(SelfTestRecord.self, from: Data(bytes))
        } catch {
            throw LLMPackError("the self-test record is not valid JSON: \(error)")
        }
        let engine = try Engine(gguf: source.gguf, tensorData: source.tensorData, storage: source,
                                contextLength: record.tokens.count + record.greedy.count,
                                threads: options.threads ?? physicalCoreCount())
        let start = monotonicSeconds()
        let report = try engine.replaySelfTest(record)
        let seconds = Terminal.fixed(monotonicSeconds() - start, 2)
        if report.passed {
            print("\(name): self-test passed: \(record.greedy.count) greedy steps after \"\(record.prompt)\", \(report.comparedLogits) logits, "
                  + "largest difference \(Terminal.fixed(Double(report.maxDifference), 4)) (tolerance \(Engine.logitTolerance)), \(seconds) s")
            return 0
        }
        print("\(name): self-test FAILED: \(report.failures.count) mismatches, largest logit difference \(Terminal.fixed(Double(report.maxDifference), 4))")
        for failure in report.failures.prefix(10) { print("  \(failure)") }
        return 1
    }
}

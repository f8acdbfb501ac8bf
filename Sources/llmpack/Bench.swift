// `llmpack bench MODEL -p 512 -n 128 -t T`: prompt processing and generation speed, like llama-bench.
import ArgumentParser
import Kernels
import LLMPackKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure prompt processing (pp) and generation (tg) in tokens per second, like llama-bench.")

    @Argument(help: "A .gguf file or a bundle.") var model: String
    @Option(name: [.customShort("p"), .customLong("n-prompt")], help: "Prompt tokens (0 skips the pp test).") var promptTokens: Int = 512
    @Option(name: [.customShort("n"), .customLong("n-gen")], help: "Generated tokens (0 skips the tg test).") var generatedTokens: Int = 128
    @Option(name: [.customShort("r"), .customLong("repetitions")], help: "Repetitions of each test.") var repetitions: Int = 5
    @Option(name: [.customShort("t"), .long], help: "Threads (default: the number of physical cores).") var threads: Int?
    @Flag(help: "Print one JSON object instead of the table.") var json = false

    func validate() throws {
        guard promptTokens >= 0, generatedTokens >= 0, promptTokens + generatedTokens > 0 else {
            throw ValidationError("-p and -n must be 0 or more, and not both 0")
        }
        guard (1...100).contains(repetitions) else { throw ValidationError("-r must be between 1 and 100") }
    }

    struct Report: Codable {
        var model: String
        var threads: Int
        var isa: String
        var results: [BenchResult]
    }

    func run() throws {
        try reportingErrors {
            let source = try ModelSource.open(path: model)
            let context = max(promptTokens, generatedTokens, 16)
            let engine = try Engine(gguf: source.gguf, tensorData: source.tensorData, storage: source,
                                    contextLength: context, threads: threads ?? physicalCoreCount())
            var results: [BenchResult] = []
            if promptTokens > 0 { results.append(try engine.benchPrompt(tokens: promptTokens, repetitions: repetitions)) }
            if generatedTokens > 0 { results.append(try engine.benchGeneration(tokens: generatedTokens, repetitions: repetitions)) }
            let name = source.manifest?.model.name ?? source.gguf.string("general.name") ?? model
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(Report(model: name, threads: engine.threads, isa: Kernels.isa, results: results)), as: UTF8.self))
                return
            }
            print("| model | threads | kernels | test | t/s |")
            print("| --- | ---: | --- | ---: | ---: |")
            for r in results {
                print("| \(name) | \(engine.threads) | \(Kernels.isa) | \(r.test) | \(Terminal.fixed(r.mean, 2)) ± \(Terminal.fixed(r.standardDeviation, 2)) |")
            }
        }
    }
}

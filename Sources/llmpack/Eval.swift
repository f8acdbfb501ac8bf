// `llmpack eval MODEL --prompt-file F --top K --greedy N`: one JSON object with the distribution at
// every prompt position and a greedy continuation, in the shape of llama.cpp's reference lines.
import ArgumentParser
import LLMPackKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Logits at every prompt position and a greedy continuation, as one JSON object.")

    @Argument(help: "A .gguf file or a bundle.") var model: String
    @Option(name: .customLong("prompt-file"), help: "A file holding the prompt.") var promptFile: String?
    @Option(name: [.customShort("p"), .long], help: "The prompt (instead of --prompt-file).") var prompt: String?
    @Option(help: "How many of the largest logits to list per position.") var top: Int = 10
    @Option(help: "How many greedy tokens to generate after the prompt.") var greedy: Int = 32
    @Flag(name: .customLong("no-special"), help: "Do not add BOS or parse special tokens.") var noSpecial = false
    @OptionGroup var engine: EngineOptions

    func validate() throws {
        guard (promptFile == nil) != (prompt == nil) else { throw ValidationError("give exactly one of --prompt-file and -p") }
        guard (1...1000).contains(top) else { throw ValidationError("--top must be between 1 and 1000") }
        guard greedy >= 0 else { throw ValidationError("--greedy must be 0 or more") }
    }

    func run() throws {
        try reportingErrors {
            let text = try prompt ?? LLMPack.readTextFile(promptFile!, what: "prompt file")
            let source = try ModelSource.open(path: model)
            let engine = try self.engine.engine(for: source)
            let result = try engine.evaluate(prompt: text, addSpecial: !noSpecial, top: top, greedy: greedy)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        }
    }
}

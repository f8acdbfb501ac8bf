// `llmpack perplexity MODEL -f TEXT -c 512`: perplexity computed as llama-perplexity does.
import ArgumentParser
import LLMPackKit

struct Perplexity: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Perplexity over a text file, computed the way llama-perplexity does.")

    @Argument(help: "A .gguf file or a bundle.") var model: String
    @Option(name: [.customShort("f"), .customLong("file")], help: "The text file.") var file: String
    @Option(name: [.customShort("c"), .customLong("ctx-size")], help: "Tokens per chunk.") var context: Int = 512
    @Option(name: .customLong("chunks"), help: "Score at most this many chunks.") var chunks: Int?
    @Option(name: [.customShort("t"), .long], help: "Threads (default: the number of physical cores).") var threads: Int?

    func validate() throws {
        guard context >= 4 else { throw ValidationError("-c must be at least 4") }
        if let chunks, chunks < 1 { throw ValidationError("--chunks must be positive") }
    }

    func run() throws {
        try reportingErrors {
            let text = try LLMPack.readTextFile(file, what: "text file", limit: 256 << 20)
            let source = try ModelSource.open(path: model)
            let engine = try Engine(gguf: source.gguf, tensorData: source.tensorData, storage: source,
                                    contextLength: context, threads: threads ?? physicalCoreCount())
            let start = monotonicSeconds()
            let result = try engine.perplexity(text: text, context: context, maxChunks: chunks) { done, total, ppl in
                Terminal.writeError("[\(done)/\(total)] \(Terminal.fixed(ppl, 4))\(done == total ? "\n" : " ")")
            }
            print("PPL = \(Terminal.fixed(result.perplexity, 4)) +/- \(Terminal.fixed(result.standardError, 5)) "
                  + "(\(result.chunks) chunks of \(context), \(result.scoredTokens) scored tokens, \(Terminal.fixed(monotonicSeconds() - start, 1)) s)")
        }
    }
}

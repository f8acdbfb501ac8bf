// `llmpack extract FILE -o OUT.gguf`: the packed GGUF, byte for byte.
import ArgumentParser
import Bundle
import LLMPackKit

struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write the GGUF packed in a bundle, byte-identical to the original.")

    @Argument(help: "The bundle.") var file: String
    @Option(name: .shortAndLong, help: "The GGUF file to write.") var output: String

    func run() throws {
        try reportingErrors {
            let reader = try BundleReader(path: file)
            let bar = ProgressBar()
            defer { bar.finish() }
            try reader.extractGGUF(to: output, progress: bar.handler)
        }
    }
}

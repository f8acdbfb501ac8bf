// `llmpack rebase FILE --runner NEWSTUB -o OUT`: the same payload behind a new runner.
import ArgumentParser
import Bundle
import GGUF
import LLMPackKit

struct Rebase: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Put a bundle's payload behind a new runner (a new engine, the same model).")

    @Argument(help: "The bundle.") var file: String
    @Option(help: "The new runner.") var runner: String
    @Option(name: .shortAndLong, help: "The executable to write.") var output: String

    func run() throws {
        try reportingErrors {
            let reader = try BundleReader(path: file)
            let stub: MappedFile
            do { stub = try MappedFile(path: runner) } catch { throw LLMPackError("cannot read runner \(runner): \(error)") }
            let out = try OutputFile(path: output)
            try BundleWriter.rebase(reader, stub: stub.bytes, to: out)
            let size = out.bytesWritten
            try out.commit(mode: 0o755)
            print("wrote \(output): \(Terminal.size(size)) (runner \(Terminal.size(stub.bytes.count)), payload \(Terminal.size(reader.payload.count)))")
        }
    }
}

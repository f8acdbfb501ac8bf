// `llmpack inspect FILE`: sections, offsets, sizes, checksums, metadata and tensors.
import ArgumentParser
import Bundle
import GGUF
import LLMPackKit

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a bundle's sections, checksums, manifest, metadata and tensors (or a GGUF file's metadata and tensors).")

    @Argument(help: "A bundle or a .gguf file.") var file: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let report: InspectReport
            let source = try MappedFile(path: file)
            if source.bytes.starts(with: Array("GGUF".utf8)) {
                report = InspectReport(gguf: try GGUFFile.parse(source.bytes), path: file, fileSize: source.bytes.count)
            } else {
                report = try InspectReport(reader: try BundleReader(path: file), path: file)
            }
            print(json ? try report.json() : report.text())
        }
    }
}

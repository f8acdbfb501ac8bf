// `llmpack inspect FILE`: sections, offsets, sizes, checksums, metadata and tensors.
import ArgumentParser
import Bundle
import LLMPackKit

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a bundle's sections, checksums, manifest, metadata and tensors.")

    @Argument(help: "The bundle.") var file: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let reader = try BundleReader(path: file)
            let report = try InspectReport(reader: reader, path: file)
            print(json ? try report.json() : report.text())
        }
    }
}

// `llmpack verify FILE`: recompute every checksum of a bundle.
import ArgumentParser
import Bundle
import LLMPackKit

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute every checksum of a bundle.",
        discussion: "Exits 1 and names the section or chunk and its byte range when a checksum does not match.")

    @Argument(help: "The bundle.") var file: String

    func run() throws {
        var status: Int32 = 0
        try reportingErrors {
            let reader = try BundleReader(path: file)
            status = Verification.run(reader, name: file)
        }
        if status != 0 { throw ExitCode(status) }
    }
}

// The runner's server under load, end to end: scripts/loadtest against a bundle of the default
// model with --parallel 2, 8 and then 32 clients for a few seconds each. Every request must be
// answered completely (and with its own prompt's answer, never another's) or refused with 503,
// and streams dropped by their clients must free their slots at once. About 40 s; needs the
// default model and python3. The long version (and the 10-minute soak) is run by hand: see
// docs/LOADTEST.md.
import Foundation
import Testing

struct ServerLoadTests {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }()
    static let ready = FileManager.default.fileExists(atPath: defaultModelPath)
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    @Test(.enabled(if: ready, "needs the default model and python3"))
    func parallelSlotsUnderLoadAnswerOrRefuseAndReleaseOnDisconnect() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bundle = folder + "/gemma.run"
        let build = try llmpack("build", defaultModelPath, "-o", bundle, "--no-selftest")
        try #require(build.status == 0, "\(build)")
        let outcome = try run("/usr/bin/python3", [
            Self.packageRoot + "/scripts/loadtest", bundle, "--parallel", "2", "--clients", "8,32",
            "--seconds", "6", "--prompts", "3", "--release-seconds", "5",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("'crossed': 0, 'failed': 0"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("2 busy slots dropped, all idle"), "\(outcome.stderr)")
        #expect(outcome.stderr.hasSuffix("PASS\n"), "\(outcome.stderr)")
    }
}

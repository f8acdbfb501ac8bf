// Faults from outside: a full disk during `llmpack build` (simulated with RLIMIT_FSIZE, so that
// write fails with EFBIG), Ctrl-C during a build, and a model file truncated while a process has
// it mapped (SIGBUS). Each must end with a clear message and leave nothing half-written behind.
import Foundation
import Testing

struct FaultTests {
    /// The folder's entries, hidden temporaries included.
    func entries(_ folder: String) throws -> Set<String> { Set(try FileManager.default.contentsOfDirectory(atPath: folder)) }

    /// Runs `llmpack build` under a file-size limit of `limitBytes` with SIGXFSZ ignored: the
    /// write that crosses the limit fails with EFBIG, as on a full disk.
    func buildWithFileSizeLimit(_ limitBytes: Int, model: String, output: String) throws -> Outcome {
        let blocks = max(1, limitBytes / 1024)   // bash's ulimit -f counts 1 KiB blocks
        let script = "trap '' XFSZ; ulimit -f \(blocks); exec \"$0\" \"$@\""
        return try run("/bin/bash", ["-c", script, llmpackPath, "build", model, "-o", output, "--no-model-check"])
    }

    /// The limit: half the runner (hit while the runner is copied), or the runner plus 200 kB (hit
    /// while the 448 KiB of weights are written).
    @Test(arguments: [(0.5, 0), (1, 200_000)])
    func aFullDiskLeavesNoPartialOutput(fractionOfRunner: Double, plus: Int) throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/m.gguf", output = folder + "/out.run"
        try makeModel(at: model, scale: 4)
        let runnerSize = try #require(try FileManager.default.attributesOfItem(atPath: runnerPath)[.size] as? Int)
        let outcome = try buildWithFileSizeLimit(Int(Double(runnerSize) * fractionOfRunner) + plus, model: model, output: output)
        expectFailure(outcome, mentioning: "File too large")
        #expect(outcome.stderr.contains(output), "the message names the output: \(outcome.stderr)")
        let left = try entries(folder)
        #expect(left == ["m.gguf"], "no output and no temporary file is left: \(left)")
    }

    @Test func ctrlCDuringABuildLeavesNothingBehind() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/m.gguf", output = folder + "/out.run"
        try makeModel(at: model, scale: 256)   // ~28 MB of tensors, compressed: long enough to interrupt
        let process = Process()
        process.executableURL = URL(fileURLWithPath: llmpackPath)
        process.arguments = ["build", model, "-o", output, "--no-model-check", "--compress", "weights"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Interrupt once the temporary output exists (the build has started writing).
        var sawTemporary = false
        for _ in 0..<20_000 where process.isRunning {
            if try entries(folder).contains(where: { $0.hasSuffix(".tmp") }) { sawTemporary = true; break }
            usleep(500)
        }
        try #require(sawTemporary, "the build ended before it could be interrupted; make the input bigger")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT,
                "dies of SIGINT like any interrupted tool (status \(process.terminationStatus))")
        let left = try entries(folder)
        #expect(left == ["m.gguf"], "no output and no temporary file is left: \(left)")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: defaultModelPath), "needs the default model"))
    func aModelTruncatedWhileRunningGivesAClearError() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let copy = folder + "/model.gguf"
        try FileManager.default.copyItem(atPath: defaultModelPath, toPath: copy)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: llmpackPath)
        process.arguments = ["run", copy, "-p", "Count to one thousand: 1, 2, 3, 4, 5,", "-n", "4000", "--temp", "0", "-t", "1", "-c", "4096"]
        let stdout = Pipe(), stderrPath = folder + "/stderr.txt"
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
        // Wait for generated text: the weights are in use.
        let first = stdout.fileHandleForReading.availableData
        try #require(!first.isEmpty, "the run produced no text")
        #expect(truncate(copy, 4096) == 0)
        // Keep draining stdout so that the run never blocks on a full pipe.
        while !stdout.fileHandleForReading.availableData.isEmpty {}
        process.waitUntilExit()
        let stderr = try String(contentsOfFile: stderrPath, encoding: .utf8)
        #expect(process.terminationReason == .exit, "exits instead of dying of SIGBUS: \(stderr)")
        #expect(process.terminationStatus == 74, "\(stderr)")
        #expect(stderr.contains(copy) && stderr.contains("changed while in use"), "\(stderr)")
    }
}

// Helpers for the CLI tests: the built executables (next to the test binary), running them with
// output captured in files, and small GGUF models made with GGUFWriter.
import Foundation
import Testing
import GGUF

/// The folder holding the built products: the test binary's own folder.
let productsFolder: String = {
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
    // The test binary may sit inside an .xctest bundle folder.
    while folder.pathComponents.count > 1 && !FileManager.default.fileExists(atPath: folder.appendingPathComponent("llmpack").path) {
        if folder.lastPathComponent == "debug" || folder.lastPathComponent == "release" { break }
        folder.deleteLastPathComponent()
    }
    return folder.path
}()

let llmpackPath = productsFolder + "/llmpack"
let runnerPath = productsFolder + "/llmpack-runner"
/// The default model: $LLMPACK_MODEL, else where scripts/fetch-model puts it.
let defaultModelPath: String = {
    let environment = ProcessInfo.processInfo.environment
    if let path = environment["LLMPACK_MODEL"], !path.isEmpty { return path }
    return (environment["HOME"] ?? "/root") + "/.cache/llmpack/models/gemma-3-270m-q4_k_m.gguf"
}()

/// What a finished process did.
struct Outcome: CustomStringConvertible {
    var status: Int32
    /// True when it ended by a signal instead of exiting.
    var signalled: Bool
    var stdout: String
    var stderr: String
    var description: String { "status \(status)\(signalled ? " (signal)" : ""), stdout: \(stdout.prefix(2000)), stderr: \(stderr.prefix(2000))" }
}

/// Runs an executable with arguments and returns its outcome.
func run(_ executable: String, _ arguments: [String], in folder: String? = nil) throws -> Outcome {
    try #require(FileManager.default.isExecutableFile(atPath: executable), "missing \(executable): build the package first")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
    let outPath = temporaryPath("stdout.txt"), errPath = temporaryPath("stderr.txt")
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: outPath); try? FileManager.default.removeItem(atPath: errPath) }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return Outcome(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal, stdout: out, stderr: err)
}

func llmpack(_ arguments: String..., in folder: String? = nil) throws -> Outcome { try run(llmpackPath, arguments, in: folder) }

/// A fresh folder for one test.
func temporaryFolder() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("llmpack-cli-tests-\(getpid())-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("llmpack-cli-\(getpid())-\(UUID().uuidString)-\(name)").path
}

func bytes(of path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

func write(_ bytes: [UInt8], to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

func sha256sum(_ path: String) throws -> String {
    let outcome = try run("/usr/bin/sha256sum", [path])
    return String(outcome.stdout.prefix(64))
}

/// A small GGUF: metadata, an F32 and an F16 tensor of smooth values (they compress), and a
/// tensor of noise (it does not). `scale` grows the tensors.
func makeModel(at path: String, scale: Int = 1, license: String? = "apache-2.0") throws {
    var writer = GGUFWriter(alignment: 32)
    writer.add(key: "general.architecture", .string("llama"))
    writer.add(key: "general.name", .string("Tiny Test"))
    if let license { writer.add(key: "general.license", .string(license)) }
    writer.add(key: "llama.context_length", .uint32(256))
    writer.add(key: "tokenizer.ggml.tokens", GGUFValue.array((0..<40).map { .string("tok\($0)") }))
    let rows = 64 * scale
    var f32: [UInt8] = []
    for i in 0..<(rows * 256) {
        withUnsafeBytes(of: Float(sin(Double(i) * 0.01)).bitPattern.littleEndian & 0xFFFF_FF00) { f32.append(contentsOf: $0) }
    }
    writer.addTensor(name: "smooth.weight", dims: [256, rows], type: .f32, data: f32)
    var f16: [UInt8] = []
    for i in 0..<(rows * 128) {
        withUnsafeBytes(of: Float16(Float(cos(Double(i) * 0.02))).bitPattern.littleEndian) { f16.append(contentsOf: $0) }
    }
    writer.addTensor(name: "half.weight", dims: [128, rows], type: .f16, data: f16)
    var state: UInt64 = 1
    let noise = (0..<(rows * 512)).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
    writer.addTensor(name: "noise.weight", dims: [512, rows], type: .i8, data: noise)
    try writer.write(to: path)
}

/// Expects a failed run: non-zero status, no signal, one line on stderr containing `text`.
func expectFailure(_ outcome: Outcome, status: Int32? = nil, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!outcome.signalled, "\(outcome)", sourceLocation: sourceLocation)
    #expect(outcome.status != 0, "\(outcome)", sourceLocation: sourceLocation)
    if let status { #expect(outcome.status == status, "\(outcome)", sourceLocation: sourceLocation) }
    #expect(outcome.stderr.contains(text), "\(outcome)", sourceLocation: sourceLocation)
    let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: true)
    #expect(lines.count == 1, "one line: \(outcome.stderr)", sourceLocation: sourceLocation)
}

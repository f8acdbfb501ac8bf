// Helpers for the "talk to it" tests: one bundle of the default model built for all of them, a
// runner started as a server (its address read from what it prints), the project's Python venv
// and the helper scripts in scripts/talk, and the tools (tmux, chromium, curl) the tests drive.
// Every test that needs something missing is skipped with a message that names it.
import Foundation
import Testing

/// All talk tests, one at a time: each runs the real model on the machine's few cores.
@Suite(.serialized) struct TalkTests {}

enum Talk {
    /// The package root: the folder holding Package.swift, found from this file.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return FileManager.default.currentDirectoryPath
    }()

    /// Where tests leave files worth looking at (screenshots).
    static let artifactsFolder: String = {
        let path = packageRoot + "/.build/test-artifacts"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// The project's venv (scripts/fetch-model makes it; .ci/run adds `openai`).
    static let python: String = {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["LLMPACK_CACHE"] ?? ((environment["HOME"] ?? "/root") + "/.cache/llmpack")
        return cache + "/venv/bin/python"
    }()
    static let scripts = packageRoot + "/scripts/talk"
    static var model: String { ProcessInfo.processInfo.environment["LLMPACK_MODEL"] ?? defaultModelPath }

    static var hasModel: Bool { FileManager.default.fileExists(atPath: model) }
    static var hasPython: Bool { FileManager.default.isExecutableFile(atPath: python) }

    /// The path of a program on PATH, or nil.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Whether the venv's Python can import `module`.
    static func pythonHas(_ module: String) -> Bool {
        guard hasPython, let outcome = try? run(python, ["-c", "import \(module)"]) else { return false }
        return outcome.status == 0
    }

    /// The default model packed once (no self-test, to save time) for every talk test.
    static let bundle: Result<String, BundleFailure> = {
        let folder = artifactsFolder + "/talk"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/talk.run"
        do {
            let outcome = try run(llmpackPath, ["build", model, "-o", path, "--no-selftest"])
            guard outcome.status == 0 else { return .failure(BundleFailure(message: "llmpack build failed: \(outcome)")) }
            return .success(path)
        } catch {
            return .failure(BundleFailure(message: "llmpack build failed: \(error)"))
        }
    }()

    struct BundleFailure: Error, CustomStringConvertible { let message: String; var description: String { message } }

    /// Runs a helper script from scripts/talk with the venv's Python.
    static func script(_ name: String, _ arguments: [String]) throws -> Outcome {
        try run(python, [scripts + "/" + name] + arguments)
    }

    /// Runs an executable with `input` on its standard input.
    static func runWithInput(_ executable: String, _ arguments: [String], input: String) throws -> Outcome {
        let inputPath = temporaryPath("stdin.txt")
        try input.write(toFile: inputPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: inputPath) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let outPath = temporaryPath("stdout.txt"), errPath = temporaryPath("stderr.txt")
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outPath); try? FileManager.default.removeItem(atPath: errPath) }
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                       stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                       stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// Sends `body` (JSON) or GETs `path` with curl; returns the status code and the body.
    static func curl(_ base: String, _ path: String, json body: String? = nil) throws -> (status: Int, body: String) {
        var arguments = ["-sS", "--max-time", "120", "-w", "\n%{http_code}", base + path]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let outcome = try run(try #require(which("curl"), "curl is missing"), arguments)
        try #require(outcome.status == 0, "curl \(path): \(outcome)")
        var lines = outcome.stdout.components(separatedBy: "\n")
        let status = Int(lines.removeLast()) ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    /// A JSON object from text.
    static func object(_ text: some StringProtocol) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(String(text).utf8))
        return try #require(value as? [String: Any], "not a JSON object: \(text.prefix(300))")
    }
}

/// A runner serving HTTP, stopped when the test ends.
final class RunningServer {
    let process = Process()
    let url: String
    private let output = Pipe()

    /// Starts `bundle` with `arguments` (add "--server"; "--port 0" picks a free port) and
    /// waits for the line that says where it listens.
    init(bundle: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: bundle)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        let reader = output.fileHandleForReading
        while true {
            let chunk = reader.availableData
            guard !chunk.isEmpty else {
                process.waitUntilExit()
                throw ServerStartFailure(message: "the runner exited (status \(process.terminationStatus)) before listening: \(seen)")
            }
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: "listening on ") {
                let rest = seen[range.upperBound...]
                if let end = rest.firstIndex(of: "\n") {
                    url = String(rest[..<end])
                    break
                }
            }
        }
        // Keep draining its output so the runner never blocks on a full pipe.
        reader.readabilityHandler = { handle in _ = handle.availableData }
    }

    struct ServerStartFailure: Error, CustomStringConvertible { let message: String; var description: String { message } }

    var port: Int { Int(url.split(separator: ":").last ?? "") ?? 0 }

    func stop() {
        output.fileHandleForReading.readabilityHandler = nil
        guard process.isRunning else { return }
        process.terminate()
        // SIGTERM ends the runner at once; if it does not within 10 s, SIGKILL.
        for _ in 0..<200 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// Runs a program with posix_spawn (not Foundation's Process, which waits until every process
/// holding its internal pipe has exited: a daemon such as the tmux server never does) with a
/// clean signal mask, standard input from /dev/null, and its output captured.
func spawnAndWait(_ executable: String, _ arguments: [String]) throws -> Outcome {
    let outPath = temporaryPath("stdout.txt"), errPath = temporaryPath("stderr.txt")
    defer { try? FileManager.default.removeItem(atPath: outPath); try? FileManager.default.removeItem(atPath: errPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t(), allSignals = sigset_t()
    sigemptyset(&noSignals)
    sigfillset(&allSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let error = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
    try #require(error == 0, "cannot run \(executable): \(String(cString: strerror(error)))")
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let signalled = status & 0x7F != 0
    return Outcome(status: signalled ? status & 0x7F : (status >> 8) & 0xFF, signalled: signalled,
                   stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

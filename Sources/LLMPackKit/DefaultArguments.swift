// DefaultArguments: `llmpack build --default-args "..."`, runner flags packed into the run config.
// The text is split like a shell would (quotes, backslashes; no expansions), and the runner that
// will be packed parses the result before the bundle is written, so a typo is reported at build
// time instead of at every launch.
#if canImport(Glibc)
import Glibc
#endif

public enum DefaultArguments {
    /// Splits `text` into arguments: whitespace separates, '...' and "..." group, a backslash
    /// escapes the next character (inside "..." only before " and \).
    public static func split(_ text: String) throws -> [String] {
        var arguments: [String] = []
        var current = ""
        var inArgument = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                if quote == "\"" && character != "\"" && character != "\\" { current.append("\\") }
                current.append(character)
                escaped = false
                continue
            }
            switch (quote, character) {
            case (nil, "\\"), ("\"", "\\"):
                escaped = true
                inArgument = true
            case (nil, "'"), (nil, "\""):
                quote = character
                inArgument = true
            case (nil, _) where character.isWhitespace:
                if inArgument { arguments.append(current) }
                current = ""
                inArgument = false
            case (nil, _):
                current.append(character)
                inArgument = true
            case (let open?, _) where character == open:
                quote = nil
            default:
                current.append(character)
            }
        }
        if escaped { throw LLMPackError("--default-args ends with a lone backslash") }
        if let quote { throw LLMPackError("--default-args has an unclosed \(quote) quote") }
        if inArgument { arguments.append(current) }
        return arguments
    }

    /// Has `runner` parse `arguments` (a runner without a payload parses its command line, then
    /// stops with status 2, or with 64 and a message when the arguments are wrong). Throws that
    /// message when the runner refuses them.
    public static func check(_ arguments: [String], runner: String) throws {
        guard !arguments.isEmpty else { return }
        if arguments.contains(where: { ["-h", "--help", "--version"].contains($0) }) {
            throw LLMPackError("--default-args cannot hold --help or --version")
        }
        let (status, output) = try runCapturing(runner, arguments)
        // 2: parsed, then found no payload (the expected outcome); 0 would be an unexpected success.
        guard status == 2 || status == 0 else {
            let message = output.split(separator: "\n").first { $0.hasPrefix("Error:") || $0.contains("error") }
                .map(String.init) ?? output
            throw LLMPackError("the runner refuses --default-args \"\(arguments.joined(separator: " "))\": \(message)")
        }
    }

    /// Runs an executable with standard input from /dev/null; returns its exit status and its
    /// standard output and error together.
    static func runCapturing(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw LLMPackError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(pipeEnds[1])
        defer { close(pipeEnds[0]) }
        guard spawned == 0 else { throw LLMPackError("cannot run \(executable): \(String(cString: strerror(spawned)))") }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while output.count < 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { read(pipeEnds[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            output += buffer[0..<count]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0
        return (exited ? (status >> 8) & 0xFF : -1, String(decoding: output, as: UTF8.self))
    }
}

// Facts about llmpack itself: its version, and where its executables live.
#if canImport(Glibc)
import Glibc
#endif

/// llmpack-wide constants.
public enum LLMPack {
    /// The llmpack version (recorded in every manifest).
    public static let version = "0.1.0"

    /// The path of the running executable (`/proc/self/exe` resolved), or nil.
    public static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The folder of the running executable, or nil.
    public static func executableFolder() -> String? {
        guard let path = executablePath(), let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }

    /// The runner `llmpack build` uses by default: `llmpack-runner` next to the running executable.
    public static func defaultRunnerPath() -> String? {
        executableFolder().map { "\($0)/llmpack-runner" }
    }
}

extension LLMPack {
    /// Reads a whole (small) text file as UTF-8; `what` names it in errors.
    public static func readTextFile(_ path: String, what: String, limit: Int = 16 << 20) throws -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LLMPackError("cannot read \(what) \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw LLMPackError("cannot read \(what) \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            guard bytes.count <= limit else { throw LLMPackError("\(what) \(path) is larger than \(Terminal.size(limit))") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw LLMPackError("\(what) \(path) is not UTF-8 text") }
        return text
    }
}

/// An error of the CLI or the runner with a one-line message.
public struct LLMPackError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

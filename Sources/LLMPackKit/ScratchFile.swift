// ScratchFile: a file with no name, for an intermediate result (the quantized GGUF of
// `llmpack build --quant`). It is created in a chosen folder and unlinked at once, so it is gone
// when the process ends, however it ends; meanwhile it can be reopened (memory-mapped) through
// /proc/self/fd.
#if canImport(Glibc)
import Glibc
#endif

/// An unlinked file, readable by path while this object lives.
public final class ScratchFile {
    private var descriptor: Int32
    /// Bytes written so far.
    public private(set) var size = 0

    /// Creates the file in `folder` (the current folder when empty).
    public init(in folder: String) throws {
        let base = folder.isEmpty ? "." : folder
        var template = Array("\(base)/.llmpack-scratch-XXXXXX".utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw LLMPackError("cannot create a scratch file in \(base): \(String(cString: strerror(errno)))")
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        let name = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        unlink(name)
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// A path that opens this file while it is open here (Linux).
    public var path: String { "/proc/self/fd/\(descriptor)" }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + offset, min(bytes.count - offset, 1 << 30))
            if count < 0 {
                if errno == EINTR { continue }
                throw LLMPackError("cannot write a scratch file: \(String(cString: strerror(errno)))")
            }
            offset += count
        }
        size += bytes.count
    }

    /// The folder holding `path`'s file ("" for a bare name).
    public static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

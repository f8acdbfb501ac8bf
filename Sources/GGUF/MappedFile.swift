// MappedFile: a whole file mapped read-only into memory with mmap, so a multi-hundred-megabyte model
// is read lazily by the kernel instead of copied. Unmapped when the object goes away.

import Glibc

/// A read-only memory map of a whole file. Keep the object alive as long as `bytes` is used.
public final class MappedFile: @unchecked Sendable {
    /// The path the file was opened with.
    public let path: String
    private let base: UnsafeRawPointer?
    private let length: Int
    /// The row of `MappedFileFaults` watching this mapping (a SIGBUS inside it names the file).
    private let faultRow: Int?

    /// Maps the file at `path`. An empty file maps to an empty buffer.
    /// Throws a `GGUFError` naming the path and the system's reason when the file cannot be
    /// opened, is not a regular file, or cannot be mapped.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.failure("cannot open", path) }
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.failure("cannot stat", path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw GGUFError("cannot map \(quoted(path)): not a regular file")
        }
        length = Int(info.st_size)
        if length == 0 {
            base = nil
            faultRow = nil
            return
        }
        let mapping = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapping, mapping != MAP_FAILED else { throw Self.failure("cannot map", path) }
        base = UnsafeRawPointer(mapping)
        faultRow = MappedFileFaults.watch(base: UnsafeRawPointer(mapping), length: length, path: path)
    }

    deinit {
        if let faultRow { MappedFileFaults.unwatch(faultRow) }
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), length) }
    }

    /// The file's bytes; `count` is 0 for an empty file.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: length) }

    /// The file's size in bytes.
    public var count: Int { length }

    private static func failure(_ what: String, _ path: String) -> GGUFError {
        let reason = String(cString: strerror(errno))
        return GGUFError("\(what) \(quoted(path)): \(reason)")
    }
}

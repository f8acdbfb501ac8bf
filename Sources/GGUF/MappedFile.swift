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
        guard let mapping = Self.mapAligned(fd: fd, length: length) else { throw Self.failure("cannot map", path) }
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

    /// Huge-page size on x86-64: the kernel can map 2 MiB of a file's page cache with one TLB
    /// entry when the virtual address and the file offset agree modulo 2 MiB.
    static let hugePage = 2 << 20

    /// Maps `length` bytes of `fd` read-only at a 2 MiB-aligned address (a reservation of
    /// length + 2 MiB, the file mapped over its aligned part, the rest given back), so that the
    /// weights, streamed in full for every generated token, can be mapped with huge pages rather
    /// than 4 KiB ones (a TLB miss every 4 KiB otherwise). Touches no page.
    private static func mapAligned(fd: Int32, length: Int) -> UnsafeMutableRawPointer? {
        let (reserved, overflow) = length.addingReportingOverflow(hugePage)
        guard !overflow, let area = mmap(nil, reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              area != MAP_FAILED else {
            let plain = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0)
            return plain == MAP_FAILED ? nil : plain
        }
        let start = UInt(bitPattern: area), aligned = (start + UInt(hugePage - 1)) & ~UInt(hugePage - 1)
        let head = Int(aligned - start)
        guard let mapping = mmap(area + head, length, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0),
              mapping != MAP_FAILED else {
            munmap(area, reserved)
            return nil
        }
        if head > 0 { munmap(area, head) }
        let tail = reserved - head - length
        if tail > 0 { munmap(mapping + length, tail) }
        _ = madvise(mapping, length, 14 /* MADV_HUGEPAGE */)
        return mapping
    }

    private static func failure(_ what: String, _ path: String) -> GGUFError {
        let reason = String(cString: strerror(errno))
        return GGUFError("\(what) \(quoted(path)): \(reason)")
    }
}

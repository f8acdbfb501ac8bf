// Writing an output file safely: everything goes to a temporary file next to the destination,
// which is renamed over it only when complete. An error, or Ctrl-C once the interrupt cleanup
// is installed, leaves no half-written output behind.
#if canImport(Glibc)
import Glibc
#endif

/// A file being written; it appears under its final name only after `commit()`.
public final class OutputFile {
    /// The final path.
    public let path: String
    /// The temporary path written to until `commit()`.
    public let temporaryPath: String
    private var descriptor: Int32
    private var finished = false
    /// Bytes written so far.
    public private(set) var bytesWritten = 0

    /// Creates the temporary file in the destination's folder.
    public init(path: String) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty else { throw BundleError.invalid("output path '\(path)' names a folder, not a file") }
        temporaryPath = "\(folder).\(name).llmpack-\(getpid()).tmp"
        // Registered before it exists: a Ctrl-C right after open() must find it (deleting a path
        // not yet created is harmless).
        InterruptCleanup.register(temporaryPath)
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            InterruptCleanup.register(nil)
            throw BundleError.io("cannot create \(path) (via \(temporaryPath)): \(reason)")
        }
    }

    deinit { abandon() }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + offset, min(bytes.count - offset, 1 << 30))
            if count < 0 {
                if errno == EINTR { continue }
                throw BundleError.io("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += count
        }
        bytesWritten += bytes.count
    }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// Appends zero bytes.
    public func writeZeros(_ count: Int) throws {
        let zeros = [UInt8](repeating: 0, count: min(count, 1 << 16))
        var left = count
        while left > 0 {
            let step = min(left, zeros.count)
            try zeros.withUnsafeBytes { try write(UnsafeRawBufferPointer(rebasing: $0[0..<step])) }
            left -= step
        }
    }

    /// Pads with zeros up to a multiple of `alignment`.
    public func pad(to alignment: Int) throws {
        let remainder = bytesWritten % alignment
        if remainder != 0 { try writeZeros(alignment - remainder) }
    }

    /// Flushes, sets the permission bits and renames the file to its final name.
    public func commit(mode: mode_t = 0o644) throws {
        guard !finished else { return }
        guard fsync(descriptor) == 0 || errno == EINVAL else { throw BundleError.io("cannot flush \(path): \(String(cString: strerror(errno)))") }
        // The written pages now sit in the page cache in small pieces; dropping them (they are on
        // disk) lets the first run read the file back in large folios, which the runner maps
        // with 2 MiB pages (MappedFile): a few per cent faster generation in our measurements.
        _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED)
        guard fchmod(descriptor, mode) == 0 else { throw BundleError.io("cannot set permissions of \(path): \(String(cString: strerror(errno)))") }
        guard close(descriptor) == 0 else { throw BundleError.io("cannot close \(path): \(String(cString: strerror(errno)))") }
        descriptor = -1
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            InterruptCleanup.register(nil)
            finished = true
            throw BundleError.io("cannot rename \(temporaryPath) to \(path): \(reason)")
        }
        InterruptCleanup.register(nil)
        finished = true
    }

    /// Closes and deletes the temporary file (also done when the object goes away uncommitted).
    public func abandon() {
        guard !finished else { return }
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(temporaryPath)
        InterruptCleanup.register(nil)
        finished = true
    }
}

/// Deletes the temporary output file when the process gets SIGINT, SIGTERM or SIGHUP.
public enum InterruptCleanup {
    /// Byte 0 says whether a path is set; the path follows as a C string. Read by the handler.
    nonisolated(unsafe) private static let buffer: UnsafeMutablePointer<CChar> = {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 4096)
        pointer.initialize(repeating: 0, count: 4096)
        return pointer
    }()

    /// Installs the signal handlers (once, early in main), and unblocks the signals: a parent may
    /// start us with them blocked (threads of libdispatch block them, and children inherit the mask),
    /// which would hold Ctrl-C back until the build ends.
    public static func install() {
        _ = buffer
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&unblock, sig) }
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { received in
                if InterruptCleanup.buffer[0] != 0 { unlink(InterruptCleanup.buffer + 1) }
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }

    /// Sets (or clears, with nil) the path the handler deletes.
    static func register(_ path: String?) {
        buffer[0] = 0
        guard let path, path.utf8.count < 4095 else { return }
        _ = path.withCString { strncpy(buffer + 1, $0, 4094) }
        buffer[4095] = 0
        buffer[0] = 1   // set last, so the handler never sees a half-copied path
    }
}

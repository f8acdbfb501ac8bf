// What happens when a mapped file shrinks under us: a model or bundle that is truncated (or
// rewritten in place) while a process has it mapped makes the next read of a vanished page raise
// SIGBUS, which would kill the process with a bare "Bus error". MappedFile registers each mapping
// here, and a SIGBUS handler turns a fault inside one into a one-line message naming the file and
// exit status 74 (EX_IOERR). Faults elsewhere go to the handler that was there before (Swift's
// backtracer, or the default action).
//
// The handler only reads a fixed table and calls write(2) and _exit(2), which are
// async-signal-safe; the table is filled before a mapping is handed out.

import Glibc
import Synchronization

/// The SIGBUS handler for mapped files.
public enum MappedFileFaults {
    /// Exit status after a fault in a mapped file (sysexits' EX_IOERR).
    public static let exitStatus: Int32 = 74

    /// Mappings watched at once; more are simply not named in the message (rare: a process maps
    /// one model, maybe a runner).
    static let capacity = 16
    /// Bytes kept of each path.
    static let pathCapacity = 1024

    /// One table row: start address, end address (0 when free), then the path as a C string.
    private static let rowSize = 16 + pathCapacity

    /// The table, allocated once, never freed (the handler may run at any time).
    nonisolated(unsafe) private static let table: UnsafeMutableRawPointer = {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: capacity * rowSize, alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * rowSize)
        return pointer
    }()

    /// The action that was installed before ours, restored for faults that are not ours.
    nonisolated(unsafe) private static var previous = sigaction()
    private static let state = Mutex<(installed: Bool, used: [Bool])>((false, Array(repeating: false, count: capacity)))

    /// Watches `[base, base + length)`, mapped from `path`; returns the row to pass to `unwatch`,
    /// or nil when the table is full. Installs the handler on first use.
    static func watch(base: UnsafeRawPointer, length: Int, path: String) -> Int? {
        state.withLock { state -> Int? in
            if !state.installed {
                install()
                state.installed = true
            }
            guard let row = state.used.firstIndex(of: false) else { return nil }
            state.used[row] = true
            let entry = table + row * rowSize
            // The real name (the runner maps /proc/self/exe), resolved now: not in the handler.
            let name = realpath(path, nil).map { resolved in
                defer { free(resolved) }
                return String(cString: resolved)
            } ?? path
            let pathBytes = Array(name.utf8.prefix(pathCapacity - 1))
            (entry + 16).copyMemory(from: pathBytes, byteCount: pathBytes.count)
            (entry + 16 + pathBytes.count).storeBytes(of: 0, as: UInt8.self)
            entry.storeBytes(of: UInt(bitPattern: base), as: UInt.self)
            // The end last: a row with end 0 is ignored by the handler.
            (entry + 8).storeBytes(of: UInt(bitPattern: base) + UInt(length), as: UInt.self)
            return row
        }
    }

    /// Stops watching a row (the mapping is about to go away).
    static func unwatch(_ row: Int) {
        state.withLock { state in
            (table + row * rowSize + 8).storeBytes(of: 0, as: UInt.self)
            state.used[row] = false
        }
    }

    private static func install() {
        _ = table
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { signal, info, context in
            MappedFileFaults.handle(signal, info, context)
        }
        action.sa_flags = SA_SIGINFO | SA_ONSTACK
        sigemptyset(&action.sa_mask)
        sigaction(SIGBUS, &action, &previous)
    }

    /// The signal handler: async-signal-safe from here on.
    private static func handle(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?,
                               _ context: UnsafeMutableRawPointer?) {
        let address = UInt(bitPattern: info?.pointee._sifields._sigfault.si_addr)
        for row in 0..<capacity {
            let entry = table + row * rowSize
            let end = entry.load(fromByteOffset: 8, as: UInt.self)
            let start = entry.load(as: UInt.self)
            guard end != 0, address >= start, address < end else { continue }
            let path = (entry + 16).assumingMemoryBound(to: CChar.self)
            say("llmpack: ")
            _ = write(2, path, strlen(path))
            say(": the file changed while in use (truncated or overwritten?) and its data can no longer be read; stopping\n")
            _exit(exitStatus)
        }
        // Not ours: hand the fault back to whoever handled SIGBUS before (a fault recurs on
        // return; a signal sent by kill is sent again).
        var restore = previous
        sigaction(SIGBUS, &restore, nil)
        if (info?.pointee.si_code ?? 0) <= 0 { raise(signal) }
    }

    private static func say(_ text: StaticString) {
        _ = write(2, text.utf8Start, text.utf8CodeUnitCount)
    }
}

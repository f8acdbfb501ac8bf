// A progress bar on standard error, drawn only when it is a terminal, at most ~10 times a second.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Bundle

/// Draws "phase [#####     ]  42%  1.2 GiB / 2.9 GiB" on one line of standard error.
public final class ProgressBar: Sendable {
    private struct State {
        var lastDraw: Double = 0
        var drawn = false
        var phase = ""
    }
    private let enabled: Bool
    private let state = Mutex(State())

    /// A bar that draws only when standard error is a terminal (or when `force` is set).
    public init(force: Bool = false) {
        enabled = force || Terminal.stderrIsTerminal
    }

    /// A `ProgressHandler` feeding this bar.
    public var handler: ProgressHandler { { [self] phase, done, total in update(phase, done, total) } }

    /// Shows progress; cheap to call often.
    public func update(_ phase: String, _ done: Int, _ total: Int) {
        guard enabled else { return }
        let now = Self.seconds()
        let line: String? = state.withLock { state in
            let finished = done >= total
            guard finished || phase != state.phase || now - state.lastDraw >= 0.1 else { return nil }
            state.lastDraw = now
            state.drawn = true
            state.phase = phase
            let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
            let percent = Int(fraction * 100)
            return "\r\(phase) [\(bar)] \(percent < 10 ? "  " : percent < 100 ? " " : "")\(percent)%  \(Terminal.size(done)) / \(Terminal.size(total))\u{1B}[K"
        }
        if let line { Terminal.writeError(line) }
    }

    /// Clears the bar's line.
    public func finish() {
        guard enabled else { return }
        let drawn = state.withLock { state in
            defer { state.drawn = false }
            return state.drawn
        }
        if drawn { Terminal.writeError("\r\u{1B}[K") }
    }

    private static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}

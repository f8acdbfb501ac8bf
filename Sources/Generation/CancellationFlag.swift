// CancellationFlag: a flag another thread (or a signal handler) raises to stop generation; the
// generation loop reads it between tokens.

import Synchronization

/// A thread-safe stop request for a running generation.
public final class CancellationFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    public init() {}

    /// Asks the generation in progress to stop before its next token.
    public func cancel() { raised.store(true, ordering: .relaxed) }

    /// Lowers the flag (the generator does this when a call starts).
    public func reset() { raised.store(false, ordering: .relaxed) }

    /// Whether `cancel()` was called since the last reset.
    public var isCancelled: Bool { raised.load(ordering: .relaxed) }
}

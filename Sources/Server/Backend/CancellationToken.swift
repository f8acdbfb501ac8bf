// A flag the server sets to stop a generation (client gone, time limit, stop string, shutdown)
// and the backend polls between tokens.

import Synchronization

/// Thread-safe, set-once cancellation flag shared by the server and one generation.
public final class CancellationToken: Sendable {
    /// Why a generation was cancelled.
    public enum Reason: UInt8, Sendable {
        case clientDisconnected = 1
        case timeLimit = 2
        case stopString = 3
        case shutdown = 4
    }

    private let state = Atomic<UInt8>(0)

    public init() {}

    /// True once `cancel` was called. Cheap: poll it after every token.
    public var isCancelled: Bool { state.load(ordering: .relaxed) != 0 }

    /// The first reason given to `cancel`, or nil while not cancelled.
    public var reason: Reason? { Reason(rawValue: state.load(ordering: .acquiring)) }

    /// Sets the flag; only the first reason is kept.
    public func cancel(_ reason: Reason) {
        _ = state.compareExchange(expected: 0, desired: reason.rawValue, ordering: .acquiringAndReleasing)
    }
}

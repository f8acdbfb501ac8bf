// The `--parallel N` slots: at most N generations run at once, each on its own dedicated thread
// (a NIOThreadPool of N threads, never an event loop nor Swift's cooperative pool), and at most
// `queueDepth` more wait in line. A queued job can be withdrawn at once (client gone).

import NIOPosix
import Synchronization

/// One unit of slot work: `run(slot)` is called on a slot thread with the slot's index.
final class SlotJob: Sendable {
    let run: @Sendable (_ slot: Int) -> Void
    init(run: @escaping @Sendable (_ slot: Int) -> Void) { self.run = run }
}

/// How busy the slots are.
public struct SlotStatus: Sendable, Equatable {
    /// Generations running now.
    public var running: Int
    /// Requests waiting for a slot.
    public var queued: Int
    /// Number of slots (`--parallel`).
    public var slots: Int
    /// Most requests that may wait.
    public var queueDepth: Int
}

/// Admits jobs to N slot threads with a bounded waiting line.
final class SlotScheduler: Sendable {
    private struct State {
        var freeSlots: [Int]
        var queue: [SlotJob] = []
        var accepting = true
    }

    let slotCount: Int
    let queueDepth: Int
    private let state: Mutex<State>
    private let threads: NIOThreadPool

    init(slots: Int, queueDepth: Int) {
        self.slotCount = slots
        self.queueDepth = queueDepth
        self.state = Mutex(State(freeSlots: Array((0..<slots).reversed())))
        self.threads = NIOThreadPool(numberOfThreads: slots)
        threads.start()
    }

    var status: SlotStatus {
        state.withLock { state in
            SlotStatus(running: slotCount - state.freeSlots.count, queued: state.queue.count, slots: slotCount, queueDepth: queueDepth)
        }
    }

    /// Starts `job` on a free slot, or queues it; false when slots and queue are all taken
    /// (or the scheduler is shutting down).
    func submit(_ job: SlotJob) -> Bool {
        enum Admission { case run(Int), queued, refused }
        let admission: Admission = state.withLock { state in
            guard state.accepting else { return .refused }
            if let slot = state.freeSlots.popLast() { return .run(slot) }
            guard state.queue.count < queueDepth else { return .refused }
            state.queue.append(job)
            return .queued
        }
        switch admission {
        case .run(let slot):
            threads.submit { [self] _ in self.drain(startingWith: job, slot: slot) }
            return true
        case .queued: return true
        case .refused: return false
        }
    }

    /// Removes `job` from the waiting line; false when it is not there (running or done).
    func withdraw(_ job: SlotJob) -> Bool {
        state.withLock { state in
            guard let index = state.queue.firstIndex(where: { $0 === job }) else { return false }
            state.queue.remove(at: index)
            return true
        }
    }

    /// Runs jobs on this slot thread until the queue is empty, then frees the slot.
    private func drain(startingWith first: SlotJob, slot: Int) {
        var next: SlotJob? = first
        while let job = next {
            job.run(slot)
            next = state.withLock { state in
                if state.accepting, !state.queue.isEmpty { return state.queue.removeFirst() }
                state.freeSlots.append(slot)
                return nil
            }
        }
    }

    /// Refuses new jobs and returns the queued ones (their owners answer them); running jobs
    /// finish on their own (their cancellation tokens are set by their sessions).
    func stopAccepting() -> [SlotJob] {
        state.withLock { state in
            state.accepting = false
            defer { state.queue.removeAll() }
            return state.queue
        }
    }

    /// Waits for running jobs to return and stops the slot threads.
    func shutdown() throws {
        _ = stopAccepting()
        try threads.syncShutdownGracefully()
    }
}

// SharedDecoder: several sequences generated with one loaded model, so that concurrent
// generations (the server's slots) share one forward pass per step instead of each reading all
// the weights for itself. Generation is bound by memory bandwidth: a pass that carries one token
// of each of four sequences costs little more than a pass with one.
//
// Each stream is a LanguageModel with its own KV cache. Threads call their streams' `forward`
// concurrently (blocking calls). The calls pending together are taken as a group: the one-token
// calls (decoding steps) run as ONE multi-sequence forward pass, then each call of several tokens
// (a prompt) runs alone. A token's logits are bit-identical to those of the same call run alone,
// because every kernel computes a token's row independently of the other tokens in its batch.
//
// When a group runs: a stream is *active* while a generation uses it (`whileActive`). A group
// starts as soon as every active stream has a call pending, so active streams fall into step; one
// that is slow to come back (its sampler, its thread descheduled) holds the others up for at most
// `gatherTimeout`, then the others go on without it. A stream that is not active holds nobody up.
// Leaving `whileActive`, by returning or throwing (a finished, cancelled or failed generation),
// wakes the waiting streams, so nothing waits for a stream that is gone.
//
// The group runs on one of the calling threads (the first that finds it ready) with the model's
// thread pool; the other callers sleep on a condition variable until their results are in.

#if canImport(Glibc)
import Glibc
#endif

/// One model shared by several streams, whose concurrent decoding steps run as one forward pass.
public final class SharedDecoder: @unchecked Sendable {
    let model: TransformerModel
    /// Longest a group waits for an active stream without a pending call.
    public let gatherTimeout: Duration

    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `lock`:
    private var pending: [Call] = []
    private var running = false
    private var activeStreams = 0
    private var counts = Statistics()

    /// What a decoder has run so far (for tests and diagnostics).
    public struct Statistics: Sendable, Equatable {
        /// Multi-sequence passes, and the one-token calls (steps) they carried in all.
        public var passes = 0, steps = 0
        /// The most steps one pass carried.
        public var largestPass = 0
        /// Calls of several tokens, each run alone.
        public var prompts = 0
    }

    /// A snapshot of the counts.
    public var statistics: Statistics {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return counts
    }

    /// - Parameters:
    ///   - model: a model loaded by `ModelRegistry`; use it only through streams from now on (its
    ///     own `forward` would share its scratch buffers with the streams' passes).
    ///   - gatherTimeout: how long a group waits for an active stream that has no call pending.
    /// - Throws: `ModelError` when the model cannot run several sequences.
    public init(_ model: any LanguageModel, gatherTimeout: Duration = .milliseconds(20)) throws {
        guard let model = model as? TransformerModel else {
            throw ModelError("this model cannot decode several sequences in one pass")
        }
        self.model = model
        self.gatherTimeout = gatherTimeout
        pthread_mutex_init(lock, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(changed, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(lock)
        changed.deallocate()
        lock.deallocate()
    }

    /// A new stream with an empty KV cache of its own (memory for the full context length).
    public func makeStream() throws -> Stream {
        Stream(decoder: self, cache: try model.runtime.makeCache())
    }

    /// One sequence of a SharedDecoder: a LanguageModel whose calls may be batched with those of
    /// the decoder's other streams. Like any model, one stream is called from one thread at a time.
    public final class Stream: LanguageModel, @unchecked Sendable {
        let decoder: SharedDecoder
        let cache: KVCache
        /// Nesting depth of `whileActive` (guarded by the decoder's lock).
        fileprivate var activeDepth = 0

        fileprivate init(decoder: SharedDecoder, cache: KVCache) {
            self.decoder = decoder
            self.cache = cache
        }

        public var config: ModelConfig { decoder.model.config }

        public func resetCache() { cache.reset() }

        public var maxRewind: Int { cache.maxRewind }

        public func forward(_ tokens: [Int32], startPosition: Int, allLogits: Bool) throws -> [Float] {
            try decoder.forward(Call(stream: self, tokens: tokens, startPosition: startPosition, allLogits: allLogits))
        }

        /// Runs `body` (a generation with this stream) with the stream marked active: the
        /// decoder's groups wait for its calls, so that its steps share passes with the others'.
        public func whileActive<T>(_ body: () throws -> T) rethrows -> T {
            decoder.setActive(self, true)
            defer { decoder.setActive(self, false) }
            return try body()
        }
    }

    /// One pending `forward` call.
    private final class Call {
        let stream: Stream
        let tokens: [Int32]
        let startPosition: Int
        let allLogits: Bool
        /// The tokens as the model checked them (one batch for a one-token call).
        var batch: DecoderRuntime.Batch?
        /// When it was queued (CLOCK_MONOTONIC, nanoseconds).
        var arrival: UInt64 = 0
        /// Set, under the lock, once the call has run.
        var result: Result<[Float], any Error>?

        init(stream: Stream, tokens: [Int32], startPosition: Int, allLogits: Bool) {
            self.stream = stream
            self.tokens = tokens
            self.startPosition = startPosition
            self.allLogits = allLogits
        }
    }

    private func setActive(_ stream: Stream, _ active: Bool) {
        pthread_mutex_lock(lock)
        stream.activeDepth += active ? 1 : -1
        if stream.activeDepth == (active ? 1 : 0) { activeStreams += active ? 1 : -1 }
        pthread_cond_broadcast(changed)   // a group may be ready now that this stream left
        pthread_mutex_unlock(lock)
    }

    /// Queues `call`, waits until it has run (running a ready group itself when it can), and
    /// returns its logits.
    private func forward(_ call: Call) throws -> [Float] {
        // Bad arguments fail here, in the caller, never inside a group.
        let batches = try model.runtime.batches(of: call.tokens, startPosition: call.startPosition,
                                                cache: call.stream.cache)
        call.batch = batches.first
        pthread_mutex_lock(lock)
        call.arrival = Self.now()
        pending.append(call)
        pthread_cond_broadcast(changed)
        while call.result == nil {
            if !running, let deadline = readyDeadline() {
                if deadline <= Self.now() {
                    let group = pending
                    pending.removeAll()
                    running = true
                    pthread_mutex_unlock(lock)
                    run(group)
                    pthread_mutex_lock(lock)
                    running = false
                    pthread_cond_broadcast(changed)
                } else {
                    var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
                    pthread_cond_timedwait(changed, lock, &time)
                }
            } else {
                pthread_cond_wait(changed, lock)
            }
        }
        pthread_mutex_unlock(lock)
        return try call.result!.get()
    }

    /// When the pending calls may run (under the lock): now when every active stream has a call
    /// pending, else `gatherTimeout` after the oldest call arrived; nil when nothing is pending.
    private func readyDeadline() -> UInt64? {
        guard let oldest = pending.first?.arrival else { return nil }
        let waiting = pending.count(where: { $0.stream.activeDepth > 0 })
        if waiting >= activeStreams { return 0 }
        let (seconds, attoseconds) = gatherTimeout.components
        return oldest + UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }

    /// Runs a group outside the lock: the one-token calls together (in passes of at most the
    /// model's batch size), then every longer call alone. Each call's result is published as soon
    /// as it is known.
    private func run(_ group: [Call]) {
        let steps = group.filter { $0.tokens.count == 1 }
        let maxBatch = model.runtime.maxBatch
        for start in stride(from: 0, to: steps.count, by: maxBatch) {
            let pass = steps[start..<min(start + maxBatch, steps.count)]
            let logits = model.forward(pass.map { ($0.batch!, $0.stream.cache) })
            publish(zip(pass, logits).map { ($0, .success($1)) }, pass: true)
        }
        for call in group where call.tokens.count != 1 {
            let result = Result {
                try model.forward(call.tokens, startPosition: call.startPosition, allLogits: call.allLogits,
                                  cache: call.stream.cache)
            }
            publish([(call, result)], pass: false)
        }
    }

    /// Hands results to their callers; `pass`: they are the steps of one multi-sequence pass.
    private func publish(_ results: [(Call, Result<[Float], any Error>)], pass: Bool) {
        pthread_mutex_lock(lock)
        if pass {
            counts.passes += 1
            counts.steps += results.count
            counts.largestPass = max(counts.largestPass, results.count)
        } else {
            counts.prompts += results.count
        }
        for (call, result) in results { call.result = result }
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(lock)
    }

    /// CLOCK_MONOTONIC in nanoseconds.
    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

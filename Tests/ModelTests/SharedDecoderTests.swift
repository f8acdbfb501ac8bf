// SharedDecoder: streams decoding concurrently share forward passes, and every logit they get is
// bit-identical (==, no tolerance) to what the same calls give on a model of their own; a stream
// that finishes, throws or never calls does not stall the others.

import Foundation
import Model
import Testing

struct SharedDecoderTests {
    /// Prompts of different lengths (more than one token each, so they run alone).
    static let prompts: [[Int32]] = [[3, 9, 4, 17, 22], [5, 8], [30, 11, 2, 6, 41, 7, 12], [1, 2, 3]]
    /// Greedy steps after each prompt: different, so streams finish at different times, and more
    /// than the window ring of the tiny gemma (4 - 1 + its batch size) would matter for.
    static let steps = [12, 20, 7, 16]

    /// A prompt, then greedy steps: every logits row the model returned, in order.
    static func generate(_ model: any LanguageModel, prompt: [Int32], steps: Int) throws -> [[Float]] {
        var rows = [try model.forward(prompt, startPosition: 0, allLogits: false)]
        var position = prompt.count
        for _ in 0..<steps {
            let token = Int32(rows.last!.indices.max(by: { rows.last![$0] < rows.last![$1] })!)
            rows.append(try model.forward([token], startPosition: position, allLogits: false))
            position += 1
        }
        return rows
    }

    /// Runs `body(i)` on `count` threads at once and waits for all of them.
    static func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for i in 0..<count {
            group.enter()
            Thread { body(i); group.leave() }.start()
        }
        group.wait()
    }

    /// Results written by several threads.
    final class Results<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Int: T] = [:]
        subscript(i: Int) -> T? {
            get { lock.withLock { values[i] } }
            set { lock.withLock { values[i] = newValue } }
        }
    }

    /// A barrier for `count` threads.
    final class Barrier: @unchecked Sendable {
        private let condition = NSCondition()
        private var waiting: Int
        init(_ count: Int) { waiting = count }
        func arriveAndWait() {
            condition.lock()
            waiting -= 1
            if waiting == 0 { condition.broadcast() }
            while waiting > 0 { condition.wait() }
            condition.unlock()
        }
    }

    @Test func concurrentStreamsSharePassesAndMatchModelsOfTheirOwn() throws {
        let tiny = try TinyGemma()
        let expected = try zip(Self.prompts, Self.steps).map { prompt, steps in
            try Self.generate(tiny.load(), prompt: prompt, steps: steps)
        }

        // A long gather timeout: passes start only when every active stream has a call pending
        // (or one stream has left), so the first steps of all four streams share passes.
        let decoder = try SharedDecoder(tiny.load(), gatherTimeout: .seconds(60))
        let streams = try (0..<4).map { _ in try decoder.makeStream() }
        let results = Results<Result<[[Float]], any Error>>()
        let barrier = Barrier(4)
        Self.concurrently(4) { i in
            results[i] = Result {
                try streams[i].whileActive {
                    barrier.arriveAndWait()   // all four active before anyone calls
                    return try Self.generate(streams[i], prompt: Self.prompts[i], steps: Self.steps[i])
                }
            }
        }
        for i in 0..<4 {
            let rows = try #require(try results[i]?.get())
            #expect(rows.count == expected[i].count)
            for (step, (got, want)) in zip(rows, expected[i]).enumerated() {
                #expect(got == want, "stream \(i) step \(step): differs from the model alone")
            }
        }
        let counts = decoder.statistics
        #expect(counts.prompts == 4)
        #expect(counts.steps == Self.steps.reduce(0, +))
        // While all four generate (the shortest stream's 7 steps), every pass carries four steps.
        #expect(counts.largestPass == 4)
        // Each pass carries every stream still generating: as many passes as the longest has steps.
        #expect(counts.passes == Self.steps.max()!, "\(counts)")
    }

    @Test func aStreamThatThrowsOrNeverCallsHoldsNobodyUp() throws {
        let tiny = try TinyGemma()
        let expected = try Self.generate(tiny.load(), prompt: Self.prompts[0], steps: 10)

        // Stream 1 goes active and throws at once (a bad token), stream 2 stays active without
        // calling until stream 0 is done; stream 0 must finish all the same, with a short gather
        // timeout for the silent stream and none needed for the one that left.
        let decoder = try SharedDecoder(tiny.load(), gatherTimeout: .milliseconds(2))
        let streams = try (0..<3).map { _ in try decoder.makeStream() }
        let results = Results<Result<[[Float]], any Error>>()
        let silentIsActive = Barrier(2), firstIsDone = Barrier(2)
        Self.concurrently(3) { i in
            switch i {
            case 0:
                silentIsActive.arriveAndWait()
                results[0] = Result { try streams[0].whileActive {
                    try Self.generate(streams[0], prompt: Self.prompts[0], steps: 10)
                } }
                firstIsDone.arriveAndWait()
            case 1:
                results[1] = Result { [try streams[1].whileActive {
                    try streams[1].forward([999], startPosition: 0, allLogits: false)
                }] }
            default:
                streams[2].whileActive {
                    silentIsActive.arriveAndWait()
                    firstIsDone.arriveAndWait()
                }
            }
        }
        #expect(try results[0]?.get() == expected)
        #expect(throws: ModelError.self) { try results[1]?.get() }
    }

    @Test func streamsKeepTheirOwnCaches() throws {
        let tiny = try TinyGemma()
        let decoder = try SharedDecoder(tiny.load())
        let a = try decoder.makeStream(), b = try decoder.makeStream()
        let alone = try tiny.load()
        // Interleaved calls on two streams, without whileActive: each runs as it comes.
        #expect(try a.forward([4, 5], startPosition: 0, allLogits: false)
                == alone.forward([4, 5], startPosition: 0, allLogits: false))
        _ = try b.forward([9, 9, 9, 9], startPosition: 0, allLogits: false)
        #expect(try a.forward([6], startPosition: 2, allLogits: true)
                == alone.forward([6], startPosition: 2, allLogits: true))
        // A stream checks its own cache's positions (a holds 3, b 4).
        #expect(throws: ModelError.self) { try a.forward([1], startPosition: 4, allLogits: false) }
        _ = try b.forward([1], startPosition: 4, allLogits: false)
        a.resetCache()
        alone.resetCache()
        #expect(try a.forward([7, 8, 9], startPosition: 0, allLogits: true)
                == alone.forward([7, 8, 9], startPosition: 0, allLogits: true))
    }

    @Test func onlyTransformerModelsCanBeShared() {
        final class Other: LanguageModel {
            let config: ModelConfig
            init(_ config: ModelConfig) { self.config = config }
            func forward(_ tokens: [Int32], startPosition: Int, allLogits: Bool) throws -> [Float] { [] }
            func resetCache() {}
        }
        #expect(throws: ModelError.self) { try SharedDecoder(Other(try TinyGemma().load().config)) }
    }
}

// ThreadPool: every index exactly once, any thread count, nested and concurrent calls, parking.

import Dispatch
import Foundation
import Kernels
import Testing

/// Run `pool.parallelFor(count)` and return how often each index was visited.
func visits(_ pool: ThreadPool, _ count: Int) -> [Int] {
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
    counts.initialize(repeating: 0, count: max(count, 1))
    defer { counts.deallocate() }
    pool.parallelFor(count) { i in counts[i] += 1 }
    return Array(UnsafeBufferPointer(start: counts, count: count))
}

@Suite("Thread pool")
struct ThreadPoolTests {
    @Test("every index exactly once", arguments: [1, 2, 3, 5])
    func everyIndexOnce(threads: Int) {
        let pool = ThreadPool(threads: threads)
        #expect(pool.threads == threads)
        for round in 0..<300 {
            let count = [0, 1, 2, 3, 7, 64, 1000][round % 7]
            let v = visits(pool, count)
            if v != [Int](repeating: 1, count: count) {
                Issue.record("threads \(threads) round \(round) count \(count): \(v.filter { $0 != 1 }.count) indices wrong")
                return
            }
        }
    }

    @Test("the work really spreads over the threads")
    func usesSeveralThreads() {
        let pool = ThreadPool(threads: 2)
        let owners = UnsafeMutablePointer<pthread_t>.allocate(capacity: 64)
        defer { owners.deallocate() }
        var distinct = 1
        for _ in 0..<50 where distinct < 2 {
            pool.parallelFor(64) { i in
                owners[i] = pthread_self()
                usleep(200)   // long enough that the worker takes some indices
            }
            distinct = Set((0..<64).map { owners[$0] }).count
        }
        #expect(distinct == 2)
    }

    @Test("a nested call runs serially and completes")
    func nested() {
        let pool = ThreadPool(threads: 3)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 8 * 8)
        counts.initialize(repeating: 0, count: 64)
        defer { counts.deallocate() }
        pool.parallelFor(8) { i in
            pool.parallelFor(8) { j in counts[i * 8 + j] += 1 }
        }
        #expect(Array(UnsafeBufferPointer(start: counts, count: 64)) == [Int](repeating: 1, count: 64))
    }

    @Test("concurrent callers on one pool all get correct results")
    func concurrentCallers() {
        let pool = ThreadPool(threads: 2)
        nonisolated(unsafe) let failures = UnsafeMutablePointer<Int>.allocate(capacity: 4)
        failures.initialize(repeating: 0, count: 4)
        defer { failures.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for round in 0..<200 {
                let count = 1 + (round * 7 + caller) % 50
                if visits(pool, count) != [Int](repeating: 1, count: count) { failures[caller] += 1 }
            }
        }
        #expect(Array(UnsafeBufferPointer(start: failures, count: 4)) == [0, 0, 0, 0])
    }

    @Test("parked workers wake up; pools come and go")
    func parkAndTeardown() {
        for threads in [2, 4] {
            let pool = ThreadPool(threads: threads)
            #expect(visits(pool, 100) == [Int](repeating: 1, count: 100))
            usleep(30_000)   // well past the spin window: the workers are parked now
            #expect(visits(pool, 100) == [Int](repeating: 1, count: 100))
        }
        for _ in 0..<50 {
            let pool = ThreadPool(threads: 3)
            _ = visits(pool, 10)
        }
        #expect(ThreadPool(threads: 0).threads == 1)
    }
}

// ThreadPool: a persistent pool of pthreads for fork/join loops over matrix rows.
//
// parallelFor wakes the workers, runs a share of the work on the calling thread too, and returns
// when every index is done. Workers spin briefly after a job (the next one usually follows within
// microseconds during a forward pass) and then park on a condition variable, so an idle pool
// costs no CPU. Not Swift concurrency: model code runs on its own thread and blocks here.
//
// The caller waits only for workers that actually joined the job: a worker that wakes up late
// (its core busy with another process) finds the job closed and skips it, so a descheduled worker
// never holds up the caller, who simply does the work alone. Joining is a Dekker handshake:
// the worker announces itself (`active += 1`) and then checks the job is still open; the caller
// closes the job and then waits for `active == 0`; sequentially consistent atomics make one of
// the two see the other.

import CKernels
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A fixed set of threads that run `parallelFor` loops together with the caller.
public final class ThreadPool: @unchecked Sendable {
    /// Threads taking part in a loop, the caller included.
    public let threads: Int

    /// PAUSE instructions a worker spins through (tens to hundreds of microseconds) before parking.
    private static let spinLimit = 4096

    private let generation = Atomic<Int>(0)     // bumped once per job (and to stop)
    private let openGeneration = Atomic<Int>(-1) // the job workers may still join, or -1
    private let nextIndex = Atomic<Int>(0)      // the next index a thread may take
    private let active = Atomic<Int>(0)         // workers inside the current job
    private let sleepers = Atomic<Int>(0)       // workers parked (or about to park) on `wake`
    private let busy = Atomic<Bool>(false)      // a parallelFor is in flight
    private let stopping = Atomic<Bool>(false)
    // Written by the caller before the generation bump, read by workers after it.
    private var job: ((Int) -> Void)? = nil
    private var jobCount = 0
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>
    private var workers: [pthread_t] = []

    /// A pool of `threads` threads in all: `threads - 1` workers plus the calling thread.
    public init(threads: Int) {
        self.threads = max(1, threads)
        lock = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        pthread_cond_init(wake, nil)
        for _ in 1..<self.threads {
            var thread = pthread_t()
            let context = Unmanaged.passUnretained(self).toOpaque()
            let status = pthread_create(&thread, nil, { context in
                Unmanaged<ThreadPool>.fromOpaque(context!).takeUnretainedValue().workerLoop()
                return nil
            }, context)
            if status == 0 { workers.append(thread) }
        }
    }

    deinit {
        stopping.store(true, ordering: .sequentiallyConsistent)
        generation.add(1, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(lock)
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(lock)
        for thread in workers { pthread_join(thread, nil) }
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(lock)
        wake.deallocate()
        lock.deallocate()
    }

    /// Call `body(i)` for every i in 0..<count, spread over the pool's threads (the caller takes
    /// part); returns when all calls are done. A call made while another is in flight on this pool
    /// (from another thread, or from inside `body`) runs serially on its caller.
    public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        if workers.isEmpty || count == 1
            || !busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            job = body
            jobCount = count
            nextIndex.store(0, ordering: .relaxed)
            let g = generation.load(ordering: .relaxed) + 1
            openGeneration.store(g, ordering: .sequentiallyConsistent)
            generation.store(g, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(lock)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(lock)
            }
            runJob()
            // Every index is taken: close the job, then wait for the workers that joined it.
            openGeneration.store(-1, ordering: .sequentiallyConsistent)
            var spins = 0
            while active.load(ordering: .sequentiallyConsistent) > 0 {
                spins += 1
                if spins < 1 << 14 { ck_cpu_relax() } else { sched_yield() }
            }
            job = nil
        }
        busy.store(false, ordering: .releasing)
    }

    /// Take indices of the current job until none are left. Not inlined, so that the reference
    /// to the job's closure is released before the caller reports the job done.
    @inline(never)
    private func runJob() {
        guard let body = job else { return }
        let count = jobCount
        while true {
            let i = nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
            if i >= count { break }
            body(i)
        }
    }

    private func workerLoop() {
        var seen = 0
        while true {
            seen = waitForJob(after: seen)
            if stopping.load(ordering: .acquiring) { return }
            active.add(1, ordering: .sequentiallyConsistent)
            if openGeneration.load(ordering: .sequentiallyConsistent) == seen { runJob() }
            active.subtract(1, ordering: .sequentiallyConsistent)
        }
    }

    /// Wait until the generation moves past `seen`: spin first, then park.
    private func waitForJob(after seen: Int) -> Int {
        var spins = 0
        while true {
            let current = generation.load(ordering: .acquiring)
            if current != seen { return current }
            if spins < Self.spinLimit {
                spins += 1
                ck_cpu_relax()
                continue
            }
            pthread_mutex_lock(lock)
            sleepers.add(1, ordering: .sequentiallyConsistent)
            while generation.load(ordering: .sequentiallyConsistent) == seen {
                pthread_cond_wait(wake, lock)
            }
            sleepers.subtract(1, ordering: .sequentiallyConsistent)
            pthread_mutex_unlock(lock)
        }
    }
}

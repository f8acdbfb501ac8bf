// A minimal parallel for-loop on POSIX threads: hashing, compression and decompression of
// tensor-data chunks run on every core. (Bundle sits below the Kernels thread pool.)
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Runs independent work items on several threads.
public enum Parallel {
    /// The number of online processors.
    public static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Calls `body(i)` for every i in 0..<count on up to `threads` threads (the calling thread
    /// included) and returns when all calls have returned. Items are handed out in order.
    public static func forEach(_ count: Int, threads: Int = Parallel.processorCount, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let workers = max(1, min(threads, count))
        if workers == 1 {
            for i in 0..<count { body(i) }
            return
        }
        let work = Work(count: count, body: body)
        var handles: [pthread_t] = []
        for _ in 1..<workers {
            var handle = pthread_t()
            let context = Unmanaged.passRetained(work).toOpaque()
            let created = pthread_create(&handle, nil, { raw in
                let work = Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue()
                work.run()
                return nil
            }, context)
            if created == 0 {
                handles.append(handle)
            } else {
                Unmanaged<Work>.fromOpaque(context).release()
            }
        }
        work.run()
        for handle in handles { pthread_join(handle, nil) }
    }

    private final class Work: Sendable {
        let count: Int
        let body: @Sendable (Int) -> Void
        let next = Atomic<Int>(0)

        init(count: Int, body: @escaping @Sendable (Int) -> Void) {
            self.count = count
            self.body = body
        }

        func run() {
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard i < count else { return }
                body(i)
            }
        }
    }
}

/// Read-only memory shared with parallel work (the caller keeps it alive until the work ends).
struct SharedBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
}

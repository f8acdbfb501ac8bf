// Everything the server can be told from the command line (`--host`, `--port`, `--api-key`,
// `--parallel`, ...) plus the hardening limits, with safe defaults: loopback only, no CORS.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Settings of one server instance. The defaults are the safe ones.
public struct ServerConfiguration: Sendable {
    /// Numeric address to bind: "127.0.0.1" (default), "::1", "0.0.0.0", or any numeric IPv4/IPv6.
    /// "localhost" is accepted and means 127.0.0.1; other names are refused (no DNS lookups).
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 asks the system for a free one.
    public var port: Int = 8080
    /// When the port is taken, try the next ones (up to `portSearchLimit` ports in all).
    public var searchFreePort: Bool = true
    public var portSearchLimit: Int = 100
    /// When set, every route except `/health` and the chat page `/` requires
    /// `Authorization: Bearer <apiKey>`.
    public var apiKey: String?
    /// Generations run at the same time (one thread each).
    public var parallel: Int = 1
    /// Requests that may wait for a slot; more get 503. `nil` means `2 * parallel`.
    public var queueDepth: Int?
    /// The one browser origin allowed to call the API (CORS), e.g. "http://localhost:3000";
    /// "*" allows any origin. `nil` (default): no CORS headers at all.
    public var corsOrigin: String?
    /// Largest request body accepted (413 beyond).
    public var maxBodyBytes: Int = 8 * 1024 * 1024
    /// Header limits (431 beyond): count, one field's size, all fields' size.
    public var maxHeaderCount: Int = 100
    public var maxHeaderFieldBytes: Int = 8 * 1024
    public var maxHeaderBytes: Int = 32 * 1024
    /// Longest a generation request may take, queue time included; on expiry a running generation
    /// is cancelled and ends with finish reason "length", a queued one gets 503. `nil`: no limit.
    public var requestTimeLimit: Duration? = .seconds(600)
    /// A connection that stays silent this long while no response is being produced is closed.
    public var idleTimeout: Duration = .seconds(120)
    /// Event-loop threads for the network (generation runs on its own slot threads).
    public var eventLoopThreads: Int = 1
    /// Where the server prints its address and warnings (default: standard output, flushed at
    /// once so that a parent process reading a pipe sees the address).
    public var log: @Sendable (String) -> Void = { line in
        print(line)
        fflush(nil)  // all output streams
    }

    public init() {}

    public init(host: String = "127.0.0.1", port: Int = 8080, apiKey: String? = nil, parallel: Int = 1) {
        self.host = host
        self.port = port
        self.apiKey = apiKey
        self.parallel = parallel
    }

    /// The queue depth actually used.
    public var effectiveQueueDepth: Int { queueDepth ?? 2 * parallel }

    /// Checks the settings; throws a `ServerError.invalidConfiguration` naming the bad field.
    public func validate() throws {
        func bad(_ message: String) -> ServerError { .invalidConfiguration(message) }
        guard (0...65535).contains(port) else { throw bad("--port must be in 0...65535, got \(port)") }
        guard parallel >= 1, parallel <= 256 else { throw bad("--parallel must be in 1...256, got \(parallel)") }
        guard effectiveQueueDepth >= 0, effectiveQueueDepth <= 65536 else {
            throw bad("the queue depth must be in 0...65536, got \(effectiveQueueDepth)")
        }
        guard maxBodyBytes > 0 else { throw bad("the body limit must be positive") }
        guard maxHeaderCount > 0, maxHeaderFieldBytes > 0, maxHeaderBytes > 0 else {
            throw bad("header limits must be positive")
        }
        guard portSearchLimit >= 1 else { throw bad("the port search limit must be at least 1") }
        guard eventLoopThreads >= 1 else { throw bad("at least one event-loop thread is needed") }
        if let apiKey, apiKey.isEmpty { throw bad("--api-key must not be empty") }
        if let corsOrigin, corsOrigin.isEmpty { throw bad("--cors must not be empty") }
        _ = try BindAddress(host: host)
    }

    /// The warning to show before serving, or nil when the setup is safe: a non-loopback bind
    /// without an API key exposes the model to the whole network.
    public var securityWarning: String? {
        guard let address = try? BindAddress(host: host), !address.isLoopback, apiKey == nil else { return nil }
        return "warning: listening on \(host), which is reachable from other machines, without an API key: "
            + "anyone who can reach this port can use the model. Pass --api-key KEY, or bind 127.0.0.1."
    }
}

/// Errors starting or configuring the server.
public enum ServerError: Error, Sendable, CustomStringConvertible {
    case invalidConfiguration(String)
    /// No port could be bound (`port` was the first one tried).
    case bindFailed(host: String, port: Int, reason: String)
    case notRunning

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): return message
        case .bindFailed(let host, let port, let reason): return "cannot listen on \(host):\(port): \(reason)"
        case .notRunning: return "the server is not running"
        }
    }
}

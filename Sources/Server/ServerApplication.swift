// The entry point shared by the runner and the tests: build a server for a backend, start it
// (binding the first free port from the configured one), wait, stop.

import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where a started server listens.
public struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    /// The numeric host, e.g. "127.0.0.1" or "::1".
    public var host: String
    public var port: Int

    /// "http://127.0.0.1:8080" (IPv6 hosts in brackets).
    public var url: String { host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)" }
    public var description: String { url }
}

/// Builds a server for `backend`; nothing is bound until `start()`.
public func buildApplication(configuration: ServerConfiguration, backend: any CompletionBackend) throws -> ServerApplication {
    try ServerApplication(configuration: configuration, backend: backend)
}

/// One HTTP server: OpenAI, llama.cpp and ollama APIs plus the chat page, over a backend.
public final class ServerApplication: Sendable {
    private struct Running {
        let group: MultiThreadedEventLoopGroup
        let channel: any Channel
        let address: ServerAddress
    }

    private let core: ServerCore
    private let running = Mutex<Running?>(nil)
    private let connections = Mutex<[ObjectIdentifier: any Channel]>([:])

    init(configuration: ServerConfiguration, backend: any CompletionBackend) throws {
        self.core = try ServerCore(configuration: configuration, backend: backend)
    }

    public var configuration: ServerConfiguration { core.configuration }

    /// The address once started, nil before.
    public var address: ServerAddress? { running.withLock { $0?.address } }

    /// How many generations run and wait now.
    public var slotStatus: SlotStatus { core.scheduler.status }

    /// Binds and starts serving; returns the address, after printing it (and the security
    /// warning, if any) through `configuration.log`. When the port is taken, the next ones are
    /// tried (`searchFreePort`).
    @discardableResult
    public func start() throws -> ServerAddress {
        if let address { return address }
        let configuration = core.configuration
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.eventLoopThreads)
        do {
            let (channel, port) = try bindFirstFreePort(group: group)
            let address = ServerAddress(host: core.bindAddress.ip, port: port)
            running.withLock { $0 = Running(group: group, channel: channel, address: address) }
            if let warning = configuration.securityWarning { configuration.log(warning) }
            configuration.log("llmpack server listening on \(address.url)")
            return address
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    /// Blocks until the server is stopped (by `stop()` from another thread).
    public func waitUntilStopped() throws {
        guard let channel = running.withLock({ $0?.channel }) else { throw ServerError.notRunning }
        try channel.closeFuture.wait()
    }

    /// Stops listening, cancels every generation, closes every connection and joins the slot
    /// threads. Call it from outside the server's event loops.
    public func stop() throws {
        guard let state = running.withLock({ running in defer { running = nil }; return running }) else { return }
        try? state.channel.close().wait()
        let open = connections.withLock { Array($0.values) }
        for channel in open { try? channel.close().wait() }
        try core.scheduler.shutdown()
        try state.group.syncShutdownGracefully()
    }

    private func bootstrap(group: MultiThreadedEventLoopGroup) -> ServerBootstrap {
        let core = self.core
        let configuration = core.configuration
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldCount = configuration.maxHeaderCount
        limits.maxHeaderFieldSize = configuration.maxHeaderFieldBytes
        limits.maxHeaderListSize = configuration.maxHeaderBytes
        let decoderLimits = limits
        let idleTimeout = TimeAmount(configuration.idleTimeout)
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try pipeline.configureHTTPServerPipeline(
                        withPipeliningAssistance: false,
                        withErrorHandling: false,
                        withOutboundHeaderValidation: true,
                        withEncoderConfiguration: .init(),
                        withDecoderLimitConfiguration: decoderLimits)
                    try pipeline.addHandler(HTTPConnectionHandler(core: core))
                    self.track(channel)
                }
            }
    }

    /// Remembers an open connection until it closes, so `stop()` can close it.
    private func track(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        connections.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            _ = self.connections.withLock { $0.removeValue(forKey: key) }
        }
    }

    /// Binds the configured port, or the next free one; returns the channel and its port.
    private func bindFirstFreePort(group: MultiThreadedEventLoopGroup) throws -> (any Channel, Int) {
        let configuration = core.configuration
        let bootstrap = bootstrap(group: group)
        let attempts = configuration.port == 0 || !configuration.searchFreePort ? 1 : configuration.portSearchLimit
        var lastError: (any Error)?
        for offset in 0..<attempts {
            let port = configuration.port + offset
            guard port <= 65535 else { break }
            do {
                let socketAddress = try SocketAddress(ipAddress: core.bindAddress.ip, port: port)
                let channel = try bootstrap.bind(to: socketAddress).wait()
                return (channel, channel.localAddress?.port ?? port)
            } catch let error as IOError where error.errnoCode == EADDRINUSE {
                lastError = error
                continue
            } catch {
                throw ServerError.bindFailed(host: configuration.host, port: port, reason: "\(error)")
            }
        }
        throw ServerError.bindFailed(
            host: configuration.host, port: configuration.port,
            reason: "no free port among \(attempts) tried (\(lastError.map { "\($0)" } ?? "address in use"))")
    }
}

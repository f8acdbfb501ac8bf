// One client connection: reads requests (enforcing the Host, API-key, CORS and size rules before
// the body is even read), hands them to their route, and writes whole or streamed responses.
// Requests on a keep-alive connection are answered one at a time, in order.

import NIOCore
import NIOHTTP1

/// The per-connection HTTP handler; all its state lives on the connection's event loop.
final class HTTPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// What a fully received request leads to.
    private enum Action {
        case route(Route)
        case reply(HTTPResponse)
    }

    /// A request whose body is being read.
    private struct Incoming {
        var head: HTTPRequestHead
        var path: String
        var action: Action
        var body: ByteBuffer
        var flavor: APIFlavor
    }

    private enum State {
        case idle
        case receiving(Incoming)
        /// A response is being produced; further requests wait in `pipelined`.
        case responding
        /// Answered with "Connection: close": the rest of the input is discarded.
        case draining
    }

    private let core: ServerCore
    private var context: ChannelHandlerContext?
    private var state = State.idle
    private var session: GenerationSession?
    private var pipelined: [HTTPServerRequestPart] = []
    private var pipelinedBytes = 0
    /// Facts of the request being answered.
    private var keepAlive = true
    private var corsHeaders: [(String, String)] = []
    private var supportsChunked = true
    private var version = HTTPVersion.http1_1

    init(core: ServerCore) {
        self.core = core
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch state {
        case .draining:
            return
        case .responding:
            hold(part)
        case .idle, .receiving:
            process(part)
        }
    }

    /// Keeps a request that arrived before the current response ended (HTTP pipelining).
    private func hold(_ part: HTTPServerRequestPart) {
        if case .body(let buffer) = part { pipelinedBytes += buffer.readableBytes }
        pipelined.append(part)
        if pipelinedBytes > core.configuration.maxBodyBytes || pipelined.count > 1024 {
            context?.close(promise: nil)
        }
    }

    private func process(_ part: HTTPServerRequestPart) {
        switch (part, state) {
        case (.head(let head), .idle):
            begin(head)
        case (.body(var buffer), .receiving(var incoming)):
            guard incoming.body.readableBytes + buffer.readableBytes <= core.configuration.maxBodyBytes else {
                reject(.payloadTooLarge(limit: core.configuration.maxBodyBytes), flavor: incoming.flavor)
                return
            }
            state = .idle  // drop the copy held in `state` so the buffer is not copied on write
            incoming.body.writeBuffer(&buffer)
            state = .receiving(incoming)
        case (.end, .receiving(let incoming)):
            dispatch(incoming)
        default:
            break
        }
    }

    /// Applies every check that needs only the head, before any of the body is read.
    private func begin(_ head: HTTPRequestHead) {
        let configuration = core.configuration
        let path = String(head.uri.prefix(while: { $0 != "?" && $0 != "#" }))
        keepAlive = head.isKeepAlive
        version = head.version.major == 1 && head.version.minor == 0 ? .http1_0 : .http1_1
        supportsChunked = version == .http1_1
        corsHeaders = RequestGuards.corsHeaders(
            allowedOrigin: configuration.corsOrigin, requestOrigin: head.headers.first(name: "origin"))
        var flavor = Router.flavor(ofPath: path)

        if core.bindAddress.isLoopback, let host = head.headers.first(name: "host"),
            !RequestGuards.isAllowedLoopbackHost(host)
        {
            return reject(.forbidden("Host \"\(host)\" is not allowed: this server only answers to localhost"), flavor: flavor)
        }

        let action: Action
        if head.method == .OPTIONS, configuration.corsOrigin != nil {
            guard !corsHeaders.isEmpty else {
                return reject(.forbidden("origin not allowed"), flavor: flavor)
            }
            var reply = HTTPResponse.empty(.noContent)
            reply.headers += RequestGuards.preflightHeaders
            action = .reply(reply)
        } else {
            switch core.router.match(method: head.method, path: path) {
            case .notFound(let routeFlavor):
                return reject(.notFound(path), flavor: routeFlavor)
            case .wrongMethod(let allowed, let routeFlavor):
                return reject(
                    .methodNotAllowed(head.method.rawValue, path: path, allowed: allowed.map(\.rawValue)), flavor: routeFlavor)
            case .found(let route):
                flavor = route.flavor
                if let apiKey = configuration.apiKey, !route.isPublic,
                    !RequestGuards.isAuthorized(header: head.headers.first(name: "authorization"), expectedKey: apiKey)
                {
                    return reject(.unauthorized, flavor: flavor)
                }
                action = .route(route)
            }
        }

        var capacity = 0
        if let lengthField = head.headers.first(name: "content-length") {
            guard let length = Int(lengthField), length >= 0 else {
                return reject(.malformedRequest("bad Content-Length"), flavor: flavor)
            }
            guard length <= configuration.maxBodyBytes else {
                return reject(.payloadTooLarge(limit: configuration.maxBodyBytes), flavor: flavor)
            }
            capacity = length
        }
        if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
            // curl and others wait for this before sending a larger body.
            context?.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .continue))), promise: nil)
        }
        let body = context?.channel.allocator.buffer(capacity: capacity) ?? ByteBuffer()
        state = .receiving(Incoming(head: head, path: path, action: action, body: body, flavor: flavor))
    }

    private func dispatch(_ incoming: Incoming) {
        state = .responding
        switch incoming.action {
        case .reply(let response):
            send(response)
        case .route(let route):
            let request = HTTPRequest(head: incoming.head, path: incoming.path, body: Array(incoming.body.readableBytesView))
            let outcome: RouteOutcome
            do {
                outcome = try route.handle(request, core)
            } catch {
                return send(.error(error, flavor: route.flavor))
            }
            switch outcome {
            case .response(let response):
                send(response)
            case .generation(let plan):
                guard let context else { return }
                let session = GenerationSession(connection: self, core: core, eventLoop: context.eventLoop, plan: plan)
                self.session = session
                session.start()
            }
        }
    }

    // MARK: Writing

    private func standardHeaders(_ extra: [(String, String)]) -> HTTPHeaders {
        var headers = HTTPHeaders(extra)
        headers.add(contentsOf: corsHeaders)
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        return headers
    }

    /// Writes a whole response and finishes the request.
    func send(_ response: HTTPResponse) {
        guard let context else { return }
        var headers = standardHeaders(response.headers)
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        responseEnded()
    }

    /// Starts a streamed (chunked) 200 response.
    func writeStreamHead(contentType: String) {
        guard let context else { return }
        // HTTP/1.0 has no chunked encoding: the end of the stream is the end of the connection.
        if !supportsChunked { keepAlive = false }
        let headers = standardHeaders([("Content-Type", contentType), ("Cache-Control", "no-cache")])
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .ok, headers: headers))), promise: nil)
    }

    func writeStreamBody(_ bytes: [UInt8]) {
        guard let context, !bytes.isEmpty else { return }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
    }

    func endStream() {
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        responseEnded()
    }

    /// The current request is answered: close, or go on with the next request.
    private func responseEnded() {
        session = nil
        guard keepAlive else {
            state = .draining
            context?.close(mode: .output, promise: nil)
            return
        }
        state = .idle
        let waiting = pipelined
        pipelined = []
        pipelinedBytes = 0
        for part in waiting {
            if case .responding = state { hold(part) } else if case .draining = state { break } else { process(part) }
        }
    }

    /// Answers an error found before the body was read, then stops reading this connection.
    private func reject(_ error: APIError, flavor: APIFlavor) {
        state = .responding
        keepAlive = false
        send(.error(error, flavor: flavor))
    }

    // MARK: Connection events

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch state {
        case .idle, .receiving:
            if let parserError = error as? HTTPParserError, parserError == .headerOverflow {
                reject(.headersTooLarge, flavor: .openAI)
            } else if error is HTTPParserError {
                reject(.malformedRequest("malformed HTTP request"), flavor: .openAI)
            } else {
                context.close(promise: nil)
            }
        case .responding, .draining:
            if !(error is HTTPParserError) { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        session?.clientGone()
        session = nil
        pipelined = []
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            // Silent while nothing is being produced for it: a stalled or abandoned client.
            switch state {
            case .idle, .receiving, .draining: context.close(promise: nil)
            case .responding: break
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Cancels the running generation (server shutdown).
    func shutdown() {
        session?.shutdown()
    }
}

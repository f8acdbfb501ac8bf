// One generation request from admission to the last byte: queues it on a slot, forwards the
// backend's events (which arrive on the slot thread) to the event loop, applies stop strings and
// the time limit, and stops everything the moment the client goes away.

import NIOCore

/// Drives one generation; every method runs on the connection's event loop.
final class GenerationSession {
    private enum Phase {
        case queued
        case running
        /// The response is complete (or the client is gone); later events are ignored.
        case answered
    }

    /// What the slot thread reports back to the event loop.
    private enum SlotReport: Sendable {
        case started
        /// The job reached a slot already cancelled (time limit while it was being picked up).
        case skipped
        case event(GenerationEvent)
        case returned
        case failed(BackendError)
    }

    private let connection: HTTPConnectionHandler
    private let core: ServerCore
    private let eventLoop: any EventLoop
    private var renderer: any GenerationRenderer
    private let request: GenerationRequest
    private let token = CancellationToken()
    private var filter: StopStringFilter
    /// Once answered, the job is let go: it holds this session (through its report closure),
    /// so keeping it would make a reference cycle that leaks the session and its connection
    /// (found by scripts/loadtest's soak: ~1.3 KB per request refused with 503).
    private var phase = Phase.queued {
        didSet { if phase == .answered { job = nil } }
    }
    private var job: SlotJob?
    private var timer: Scheduled<Void>?
    private var headSent = false
    private var timings = GenerationTimings()

    init(connection: HTTPConnectionHandler, core: ServerCore, eventLoop: any EventLoop, plan: GenerationPlan) {
        self.connection = connection
        self.core = core
        self.eventLoop = eventLoop
        self.renderer = plan.renderer
        self.request = plan.request
        self.filter = StopStringFilter(stops: plan.request.stop)
    }

    /// Admits the generation to a slot (or the queue), or answers 503 when both are full.
    func start() {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let eventLoop = self.eventLoop
        let backend = core.backend, request = self.request, token = self.token
        @Sendable func report(_ report: SlotReport) {
            eventLoop.execute { bound.value.handle(report) }
        }
        let job = SlotJob { slot in
            guard !token.isCancelled else {
                report(.skipped)
                return
            }
            report(.started)
            do {
                try backend.generate(request, slot: slot, cancel: token) { event in report(.event(event)) }
                report(.returned)
            } catch let error as BackendError {
                report(.failed(error))
            } catch {
                report(.failed(.failed("generation failed: \(error)")))
            }
        }
        self.job = job
        guard core.scheduler.submit(job) else {
            phase = .answered   // lets the job go
            let status = core.scheduler.status
            answer(
                error: .busy(
                    "the server is busy: all \(status.slots) slots are generating and the queue of "
                        + "\(status.queueDepth) is full; try again later"))
            return
        }
        if let limit = core.configuration.requestTimeLimit {
            timer = eventLoop.scheduleTask(in: TimeAmount(limit)) { bound.value.timeLimitReached() }
        }
    }

    /// The client closed the connection: stop generating and never write again.
    func clientGone() {
        guard phase != .answered else { return }
        token.cancel(.clientDisconnected)
        if let job { _ = core.scheduler.withdraw(job) }
        phase = .answered
        timer?.cancel()
    }

    /// The server is stopping.
    func shutdown() {
        token.cancel(.shutdown)
    }

    private func timeLimitReached() {
        switch phase {
        case .queued:
            token.cancel(.timeLimit)
            // Still in line: answer now. Otherwise a slot is picking it up right now and will
            // report `.skipped` or `.started`.
            if let job, core.scheduler.withdraw(job) {
                phase = .answered
                answer(error: .busy("the request waited for a free slot longer than the time limit"))
            }
        case .running:
            token.cancel(.timeLimit)
        case .answered:
            break
        }
    }

    private func handle(_ report: SlotReport) {
        switch report {
        case .started:
            if phase == .queued { phase = .running }
            timings.started = .now
        case .skipped:
            if phase == .queued { phase = .running }
            finish(GenerationSummary(finishReason: .cancelled, promptTokens: 0, completionTokens: 0))
        case .event(.text(let text)):
            guard phase == .running else { return }
            if timings.firstText == nil { timings.firstText = .now }
            let safe = filter.feed(text)
            if !safe.isEmpty, let bytes = renderer.text(safe) { write(bytes) }
            if filter.matched != nil { token.cancel(.stopString) }
        case .event(.finished(let summary)):
            finish(summary)
        case .returned:
            // A backend that returned without `.finished`: close the response anyway.
            finish(GenerationSummary(finishReason: .stop, promptTokens: 0, completionTokens: 0))
            job = nil
        case .failed(let error):
            guard phase != .answered else { return }
            phase = .answered
            timer?.cancel()
            if headSent {
                connection.writeStreamBody(renderer.streamError(APIError(error)))
                connection.endStream()
            } else {
                answer(error: APIError(error))
            }
        }
    }

    private func finish(_ summary: GenerationSummary) {
        guard phase == .running else { return }
        phase = .answered
        timer?.cancel()
        let rest = filter.flush()
        if !rest.isEmpty, let bytes = renderer.text(rest) { write(bytes) }
        timings.finished = .now
        let outcome = GenerationOutcome(
            finishReason: finishReason(backendReason: summary.finishReason),
            promptTokens: summary.promptTokens,
            completionTokens: summary.completionTokens,
            stoppingWord: filter.matched,
            timings: timings)
        let tail = renderer.finish(outcome)
        if renderer.isStreaming {
            write(tail)
            connection.endStream()
        } else {
            connection.send(HTTPResponse(status: .ok, headers: [("Content-Type", renderer.contentType)], body: tail))
        }
    }

    /// The finish reason the client sees: the server's own reasons win over a backend's
    /// "cancelled" (a stop string is "stop", the time limit is "length").
    private func finishReason(backendReason: FinishReason) -> FinishReason {
        if filter.matched != nil { return .stop }
        switch token.reason {
        case .timeLimit: return .length
        case .stopString: return .stop
        default: return backendReason == .cancelled ? .stop : backendReason
        }
    }

    private func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if !headSent {
            headSent = true
            connection.writeStreamHead(contentType: renderer.contentType)
        }
        connection.writeStreamBody(bytes)
    }

    private func answer(error: APIError) {
        timer?.cancel()
        connection.send(.error(error, flavor: renderer.flavor))
    }
}

/// When the phases of a generation happened (for ollama's and llama.cpp's timing fields).
struct GenerationTimings {
    let admitted = ContinuousClock.now
    var started: ContinuousClock.Instant?
    var firstText: ContinuousClock.Instant?
    var finished: ContinuousClock.Instant?

    /// Nanoseconds from admission to the end.
    var totalNanoseconds: Int { nanoseconds(from: admitted, to: finished) }
    /// Nanoseconds spent on the prompt: from the slot start to the first text.
    var promptNanoseconds: Int { nanoseconds(from: started, to: firstText ?? finished) }
    /// Nanoseconds spent generating: from the first text to the end.
    var generationNanoseconds: Int { nanoseconds(from: firstText, to: finished) }

    private func nanoseconds(from start: ContinuousClock.Instant?, to end: ContinuousClock.Instant?) -> Int {
        guard let start, let end else { return 0 }
        let duration = end - start
        let (seconds, attoseconds) = duration.components
        return max(0, Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = .nanoseconds(nanoseconds.overflow ? Int64.max : nanoseconds.partialValue + attoseconds / 1_000_000_000)
    }
}

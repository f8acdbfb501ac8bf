// A scripted CompletionBackend for the server tests: replies are fixed pieces of text chosen from
// the request, with an optional delay per piece, a gate that holds generations at their start,
// an endless mode that runs until cancelled, and a record of what it was asked.

import Server
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

final class FakeBackend: CompletionBackend {
    let model = ModelDescription(
        id: "fake-model-Q4_K_M", family: "fakearch", parameterSize: "1M", quantization: "Q4_K_M",
        sizeBytes: 1234, digest: "abc123")
    let contextLength: Int
    let vocabularySize = 1000
    /// The pieces generated for a request; nil means "generate forever until cancelled".
    let script: @Sendable (GenerationRequest) -> [String]?
    /// Microseconds slept before each piece.
    let pieceDelayMicroseconds: UInt32

    private let gateOpen: Atomic<Bool>
    private let log = Mutex<[GenerationRequest]>([])
    private let cancellations = Mutex<[CancellationToken.Reason]>([])
    private let slotsSeen = Mutex<Set<Int>>([])

    /// Replies "Hello, world!" in four pieces unless told otherwise.
    init(
        contextLength: Int = 64,
        pieceDelayMicroseconds: UInt32 = 0,
        gateOpen: Bool = true,
        script: @escaping @Sendable (GenerationRequest) -> [String]? = { _ in ["Hello", ",", " world", "!"] }
    ) {
        self.contextLength = contextLength
        self.pieceDelayMicroseconds = pieceDelayMicroseconds
        self.gateOpen = Atomic(gateOpen)
        self.script = script
    }

    /// Lets held generations start.
    func openGate() { gateOpen.store(true, ordering: .releasing) }

    var requests: [GenerationRequest] { log.withLock { $0 } }
    var cancellationReasons: [CancellationToken.Reason] { cancellations.withLock { $0 } }
    var slots: Set<Int> { slotsSeen.withLock { $0 } }

    // Tokens: one per UTF-8 byte; "<bos>" is 999 and "<eos>" 998 (when parsing special text).
    func tokenize(_ text: String, addSpecial: Bool, parseSpecial: Bool) throws -> [Int32] {
        var tokens: [Int32] = addSpecial ? [999] : []
        let bytes = Array(text.utf8)
        let eos = Array("<eos>".utf8)
        var index = 0
        while index < bytes.count {
            if parseSpecial, bytes[index...].starts(with: eos) {
                tokens.append(998)
                index += eos.count
            } else {
                tokens.append(Int32(bytes[index]))
                index += 1
            }
        }
        return tokens
    }

    func detokenize(_ tokens: [Int32]) throws -> String {
        var bytes: [UInt8] = []
        for token in tokens {
            switch token {
            case 999: bytes += Array("<bos>".utf8)
            case 998: bytes += Array("<eos>".utf8)
            case 0..<256: bytes.append(UInt8(token))
            default: bytes += Array("?".utf8)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The prompt's length in tokens: one per whitespace-separated word.
    static func promptTokens(_ input: GenerationRequest.Input) -> Int {
        switch input {
        case .chat(let messages): return messages.reduce(0) { $0 + $1.content.split(separator: " ").count }
        case .text(let text): return text.split(separator: " ").count
        case .tokens(let tokens): return tokens.count
        }
    }

    func generate(
        _ request: GenerationRequest, slot: Int, cancel: CancellationToken, onEvent: (GenerationEvent) -> Void
    ) throws {
        log.withLock { $0.append(request) }
        _ = slotsSeen.withLock { $0.insert(slot) }
        let promptTokens = FakeBackend.promptTokens(request.input)
        guard promptTokens <= contextLength else {
            throw BackendError.promptTooLong(promptTokens: promptTokens, contextLength: contextLength)
        }
        func finish(_ reason: FinishReason, _ count: Int) {
            if reason == .cancelled, let why = cancel.reason { cancellations.withLock { $0.append(why) } }
            onEvent(.finished(GenerationSummary(finishReason: reason, promptTokens: promptTokens, completionTokens: count)))
        }
        while !gateOpen.load(ordering: .acquiring) {
            if cancel.isCancelled { return finish(.cancelled, 0) }
            usleep(1000)
        }
        let pieces = script(request)
        var produced = 0
        while true {
            if cancel.isCancelled { return finish(.cancelled, produced) }
            if let limit = request.maxTokens, produced >= limit { return finish(.length, produced) }
            if let pieces, produced >= pieces.count { return finish(.stop, produced) }
            if pieceDelayMicroseconds > 0 { usleep(pieceDelayMicroseconds) }
            onEvent(.text(pieces?[produced] ?? "tick "))
            produced += 1
        }
    }
}

// Turns a generation's text and outcome into response bytes, in the shape of one API
// (OpenAI chat or completions, llama.cpp /completion, ollama chat or generate), streamed or whole.

/// How a generation ended, as the renderers need it.
struct GenerationOutcome {
    var finishReason: FinishReason
    var promptTokens: Int
    var completionTokens: Int
    /// The stop string that ended the text, if one did.
    var stoppingWord: String?
    var timings: GenerationTimings
}

/// Presents one generation's output.
protocol GenerationRenderer {
    var flavor: APIFlavor { get }
    var isStreaming: Bool { get }
    /// The response's Content-Type.
    var contentType: String { get }
    /// New text: the bytes to send now when streaming; nil when collecting for one response.
    mutating func text(_ piece: String) -> [UInt8]?
    /// The last bytes of a stream, or the whole body of a non-streaming response.
    mutating func finish(_ outcome: GenerationOutcome) -> [UInt8]
    /// An error reported inside a stream that has already started.
    func streamError(_ error: APIError) -> [UInt8]
}

/// Server-sent events framing.
enum ServerSentEvents {
    static let contentType = "text/event-stream; charset=utf-8"
    static func event(_ value: JSONValue) -> [UInt8] { Array("data: ".utf8) + value.serializedBytes + Array("\n\n".utf8) }
    static let done = Array("data: [DONE]\n\n".utf8)
}

/// Newline-delimited JSON framing (ollama).
enum NDJSON {
    static let contentType = "application/x-ndjson"
    static func line(_ value: JSONValue) -> [UInt8] { value.serializedBytes + [UInt8(ascii: "\n")] }
}

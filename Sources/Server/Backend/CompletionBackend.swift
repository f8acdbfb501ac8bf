// The one seam between the HTTP server and a language model: the server knows nothing about
// models, it asks a `CompletionBackend` to tokenize, detokenize and generate.
//
// Generation is blocking CPU work. The server calls `generate` on a dedicated slot thread (never
// on an event loop, never on Swift concurrency's cooperative pool), one call per slot at a time,
// and forwards each event to the client from the event loop.

/// What the server needs from a model engine. Implementations must be thread-safe for
/// `tokenize`/`detokenize` (called from event loops) and allow one `generate` call per slot at
/// the same time (slot indices are `0..<parallel`, so per-slot state such as a KV cache can be
/// kept in an array indexed by `slot`).
public protocol CompletionBackend: Sendable {
    /// Describes the loaded model (its id is the `model` field of every response).
    var model: ModelDescription { get }
    /// The context length (in tokens) a generation may use: prompt plus completion.
    var contextLength: Int { get }
    /// Number of tokens in the vocabulary: valid token ids are `0..<vocabularySize`.
    var vocabularySize: Int { get }

    /// Turns text into token ids. `addSpecial` adds BOS (when the model asks for it);
    /// `parseSpecial` lets special-token text such as `<end_of_turn>` map to its id.
    func tokenize(_ text: String, addSpecial: Bool, parseSpecial: Bool) throws -> [Int32]
    /// Turns token ids (all known to be in `0..<vocabularySize`) back into text.
    func detokenize(_ tokens: [Int32]) throws -> String

    /// Runs one generation on the calling thread, returning when it is over.
    ///
    /// - Call `onEvent(.text(...))` for each piece of text as soon as it is known (whole UTF-8
    ///   characters only), then `onEvent(.finished(...))` exactly once, last.
    /// - Check `cancel.isCancelled` after every token (and between prompt batches); when it is
    ///   set, stop promptly and report `.finished` with reason `.cancelled`.
    /// - Stop after `request.maxTokens` tokens (reason `.length`), at an end-of-generation token
    ///   (reason `.stop`), or when the context is full (reason `.length`).
    /// - Stop strings in `request.stop` are enforced by the server (it cancels the generation
    ///   when it sees one); a backend may also honour them itself.
    /// - Before emitting anything, throw `BackendError.promptTooLong` when the prompt does not
    ///   fit the context, and `BackendError.invalidRequest` for a request it cannot serve.
    func generate(
        _ request: GenerationRequest,
        slot: Int,
        cancel: CancellationToken,
        onEvent: (GenerationEvent) -> Void
    ) throws
}

/// Facts about the model that the APIs report (`/v1/models`, `/api/tags`).
public struct ModelDescription: Sendable, Equatable {
    /// The model's name as clients see it, e.g. "gemma-3-270m-it-Q4_K_M".
    public var id: String
    /// Architecture family, e.g. "gemma3".
    public var family: String?
    /// Parameter count in human form, e.g. "268M".
    public var parameterSize: String?
    /// Quantization in llama.cpp's spelling, e.g. "Q4_K_M".
    public var quantization: String?
    /// Size of the model's weights in bytes.
    public var sizeBytes: Int?
    /// A content digest (hex SHA-256) of the model file, if known.
    public var digest: String?

    public init(
        id: String, family: String? = nil, parameterSize: String? = nil,
        quantization: String? = nil, sizeBytes: Int? = nil, digest: String? = nil
    ) {
        self.id = id
        self.family = family
        self.parameterSize = parameterSize
        self.quantization = quantization
        self.sizeBytes = sizeBytes
        self.digest = digest
    }
}

// The SentencePiece tokenizer of `tokenizer.ggml.model = llama` vocabularies (Llama 1/2, Gemma,
// Phi-3 ...), matching llama.cpp token for token: special tokens are split off first, each remaining
// run of text has its spaces written as U+2581 (with a leading one after BOS or a special token when
// the model asks for it), and is then merged pair by pair by score (see +Merge).

/// Settings of a SentencePiece tokenizer that come from the model's metadata.
public struct SentencePieceOptions: Sendable, Equatable {
    /// Ids with special roles (llama.cpp's SentencePiece defaults: BOS 1, EOS 2, unknown 0).
    public var specialTokens: SpecialTokenIDs
    /// Put BOS in front when encoding with `addSpecial` (`tokenizer.ggml.add_bos_token`, default true).
    public var addBOS: Bool
    /// Put EOS at the end when encoding with `addSpecial` (`tokenizer.ggml.add_eos_token`, default false).
    public var addEOS: Bool
    /// Start each text run that follows BOS or a special token with a space
    /// (`tokenizer.ggml.add_space_prefix`, default true; Gemma files set it false).
    public var addSpacePrefix: Bool
    /// The model's `general.name`; llama.cpp changes some token attributes for Phi-3 models.
    public var modelName: String?

    public init(specialTokens: SpecialTokenIDs = SpecialTokenIDs(), addBOS: Bool = true, addEOS: Bool = false,
                addSpacePrefix: Bool = true, modelName: String? = nil) {
        self.specialTokens = specialTokens
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.addSpacePrefix = addSpacePrefix
        self.modelName = modelName
    }
}

/// A SentencePiece (SPM) tokenizer as llama.cpp implements it.
public struct SentencePieceTokenizer: Tokenizer {
    /// The vocabulary, with attributes as llama.cpp adjusts them (control-looking tokens are control).
    public let vocabulary: Vocabulary
    /// Special ids after llama.cpp's detection by token text.
    public let specialTokens: SpecialTokenIDs
    public let addBOS: Bool
    public let addEOS: Bool
    public let addSpacePrefix: Bool
    /// Tokens that end generation, ascending.
    public let endOfGenerationTokens: [Int32]

    let matcher: SpecialTokenMatcher
    /// Token for each byte value (`<0xXX>`, else the one-byte token), -1 where there is none.
    let byteTokens: [Int32]
    private let endOfGenerationSet: Set<Int32>

    /// Builds the tokenizer. Throws when BOS or EOS is to be added but the vocabulary has none.
    public init(vocabulary: Vocabulary, options: SentencePieceOptions = SentencePieceOptions()) throws(TokenizerError) {
        let resolved = vocabulary.resolveSpecialTokens(options.specialTokens, modelName: options.modelName)
        var vocabulary = vocabulary
        vocabulary.attributes = resolved.attributes
        if options.addBOS, resolved.ids.bos == nil {
            throw TokenizerError.invalidVocabulary("add_bos_token is true, but there is no BOS token")
        }
        if options.addEOS, resolved.ids.eos == nil {
            throw TokenizerError.invalidVocabulary("add_eos_token is true, but there is no EOS token")
        }
        self.vocabulary = vocabulary
        self.specialTokens = resolved.ids
        self.addBOS = options.addBOS
        self.addEOS = options.addEOS
        self.addSpacePrefix = options.addSpacePrefix
        self.endOfGenerationTokens = resolved.endOfGeneration
        self.endOfGenerationSet = Set(resolved.endOfGeneration)
        self.matcher = SpecialTokenMatcher(vocabulary: vocabulary, attributes: resolved.attributes)

        let hex = Array("0123456789ABCDEF".utf8)
        var byteTokens = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            let name: [UInt8] = [0x3C, 0x30, 0x78, hex[byte >> 4], hex[byte & 15], 0x3E]   // <0xXX>
            byteTokens[byte] = vocabulary.id(of: name) ?? vocabulary.id(of: [UInt8(byte)]) ?? -1
        }
        self.byteTokens = byteTokens
    }

    /// Builds the tokenizer from plain arrays (see `Vocabulary.init` and `SentencePieceOptions`).
    public init(tokens: [[UInt8]], scores: [Float]?, types: [Int32]?,
                options: SentencePieceOptions = SentencePieceOptions()) throws(TokenizerError) {
        try self.init(vocabulary: Vocabulary(tokens: tokens, scores: scores, types: types), options: options)
    }

    // MARK: Tokenizer

    public var vocabularySize: Int { vocabulary.count }
    public var bos: Int32? { specialTokens.bos }
    public var eos: Int32? { specialTokens.eos }

    public func isEndOfGeneration(_ id: Int32) -> Bool {
        endOfGenerationSet.contains(id)
    }

    public func tokenId(_ text: String) -> Int32? {
        vocabulary.id(of: Array(text.utf8))
    }

    public func encode(_ text: String, addSpecial: Bool, parseSpecial: Bool) -> [Int32] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { encode($0, addSpecial: addSpecial, parseSpecial: parseSpecial) }
    }

    /// Tokenizes raw bytes (which need not be valid UTF-8).
    public func encode(bytes: [UInt8], addSpecial: Bool, parseSpecial: Bool) -> [Int32] {
        bytes.withUnsafeBufferPointer { encode($0, addSpecial: addSpecial, parseSpecial: parseSpecial) }
    }

    func encode(_ text: UnsafeBufferPointer<UInt8>, addSpecial: Bool, parseSpecial: Bool) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(text.count / 3 + 2)
        if addSpecial, addBOS, let bos = specialTokens.bos {
            output.append(bos)
        }
        var previousWasSpecial = true   // a leading space prefix goes on the first text run too
        var escaped: [UInt8] = []
        for fragment in matcher.partition(text, parseSpecial: parseSpecial) {
            switch fragment {
            case .token(let id):
                output.append(id)
                previousWasSpecial = true
            case .text(let range):
                escaped.removeAll(keepingCapacity: true)
                if addSpacePrefix, previousWasSpecial { escaped.append(contentsOf: Self.escapedSpace) }
                for byte in text[range] {
                    if byte == 0x20 { escaped.append(contentsOf: Self.escapedSpace) } else { escaped.append(byte) }
                }
                escaped.withUnsafeBufferPointer { appendPieces(of: $0, to: &output) }
                previousWasSpecial = false
            }
        }
        if addSpecial, addEOS, let eos = specialTokens.eos {
            output.append(eos)
        }
        return output
    }

    /// U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's visible space.
    static let escapedSpace: [UInt8] = [0xE2, 0x96, 0x81]
}

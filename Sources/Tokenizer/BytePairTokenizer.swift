// The byte-level BPE tokenizer of `tokenizer.ggml.model = gpt2` vocabularies (GPT-2, Llama 3,
// Qwen 2/3, SmolLM ...), matching llama.cpp token for token: special tokens are split off first,
// each remaining run of text is cut into words by the pre-tokenizer, and each word's bytes are
// merged pair by pair in merge-rank order (see +Merge). Token texts spell bytes with GPT-2's
// byte-to-unicode characters (see ByteLevelEncoding).

/// A byte-level BPE tokenizer as llama.cpp implements it.
public struct BytePairTokenizer: Tokenizer {
    /// The vocabulary, with attributes as llama.cpp adjusts them (control-looking tokens are control).
    public let vocabulary: Vocabulary
    /// Special ids after llama.cpp's detection by token text.
    public let specialTokens: SpecialTokenIDs
    /// How text is cut into words.
    public let preTokenizer: BPEPreTokenizer
    /// Whether `encode(_:addSpecial: true, ...)` puts BOS in front.
    public let addBOS: Bool
    /// Whether `encode(_:addSpecial: true, ...)` puts EOS at the end.
    public let addEOS: Bool
    /// Whether a word that is itself a token skips the merges.
    public let ignoreMerges: Bool
    /// Whether `detokenize` cleans up spaces the way llama.cpp does for this model.
    public let cleanSpaces: Bool
    /// Tokens that end generation, ascending.
    public let endOfGenerationTokens: [Int32]

    let matcher: SpecialTokenMatcher
    let merges: MergeTable
    /// Token whose text is the single raw byte (llama.cpp's last resort for unmergeable text), or -1.
    let singleByteTokens: [Int32]
    private let endOfGenerationSet: Set<Int32>

    /// Builds the tokenizer from a vocabulary and merge lines ("left right", best first, texts in
    /// byte-level characters). Throws when BOS or EOS is to be added but the vocabulary has none.
    public init(vocabulary: Vocabulary, merges: [String], options: BytePairOptions = BytePairOptions()) throws(TokenizerError) {
        let lines = merges.map { Array($0.utf8) }
        try self.init(vocabulary: vocabulary, mergeCount: lines.count, options: options) { index, body in
            lines[index].withUnsafeBufferPointer(body)
        }
    }

    /// Builds the tokenizer; `withMerge(i, body)` calls `body` with the bytes of merge line `i`.
    init(vocabulary: Vocabulary, mergeCount: Int, options: BytePairOptions,
         withMerge: (Int, (UnsafeBufferPointer<UInt8>) -> Void) -> Void) throws(TokenizerError) {
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
        self.preTokenizer = options.preTokenizer
        self.addBOS = options.addBOS
        self.addEOS = options.addEOS
        self.ignoreMerges = options.ignoreMerges
        self.cleanSpaces = options.cleanSpaces
        self.endOfGenerationTokens = resolved.endOfGeneration
        self.endOfGenerationSet = Set(resolved.endOfGeneration)
        self.matcher = SpecialTokenMatcher(vocabulary: vocabulary, attributes: resolved.attributes)

        self.merges = try MergeTable(count: mergeCount, withLine: withMerge)
        self.singleByteTokens = (0..<256).map { byte in vocabulary.id(of: [UInt8(byte)]) ?? -1 }
    }

    /// Number of distinct merges.
    public var mergeCount: Int { merges.count }

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

    /// Tokenizes raw bytes. Bytes that are not valid UTF-8 are read as U+FFFD, as llama.cpp does.
    public func encode(bytes: [UInt8], addSpecial: Bool, parseSpecial: Bool) -> [Int32] {
        bytes.withUnsafeBufferPointer { encode($0, addSpecial: addSpecial, parseSpecial: parseSpecial) }
    }

    func encode(_ text: UnsafeBufferPointer<UInt8>, addSpecial: Bool, parseSpecial: Bool) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(text.count / 3 + 2)
        if addSpecial, addBOS, let bos = specialTokens.bos {
            output.append(bos)
        }
        var session = MergeSession()
        for fragment in matcher.partition(text, parseSpecial: parseSpecial) {
            switch fragment {
            case .token(let id):
                output.append(id)
            case .text(let range):
                appendTokens(of: UnsafeBufferPointer(rebasing: text[range]), to: &output, session: &session)
            }
        }
        if addSpecial, addEOS, let eos = specialTokens.eos {
            output.append(eos)
        }
        return output
    }

    /// The words the pre-tokenizer cuts `text` into (before byte-level encoding and merges).
    public func preTokenize(_ text: String) -> [String] {
        let input = Array(text.utf8)
        let (bytes, ranges) = input.withUnsafeBufferPointer { words(of: $0) }
        return ranges.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    /// Appends the tokens of one run of plain text.
    func appendTokens(of text: UnsafeBufferPointer<UInt8>, to output: inout [Int32], session: inout MergeSession) {
        let (bytes, ranges) = words(of: text)
        bytes.withUnsafeBufferPointer { bytes in
            for range in ranges {
                appendTokens(ofWord: UnsafeBufferPointer(rebasing: bytes[range]), to: &output, session: &session)
            }
        }
    }

    /// The text as llama.cpp sees it (invalid UTF-8 replaced), and the byte ranges of its words.
    private func words(of text: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], ranges: [Range<Int>]) {
        let (cpts, changed) = LenientUTF8.decode(text)
        var bytes: [UInt8]
        if changed {
            bytes = []
            bytes.reserveCapacity(text.count + 8)
            for cpt in cpts { LenientUTF8.append(cpt, to: &bytes) }
        } else {
            bytes = Array(text)
        }
        let classes = cpts.map(CodepointClass.of)
        let lengths = cpts.withUnsafeBufferPointer { cpts in
            classes.withUnsafeBufferPointer { preTokenizer.split(cpts, $0) }
        }
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(lengths.count)
        var cptIndex = 0
        var byteIndex = 0
        for length in lengths {
            let start = byteIndex
            for k in cptIndex..<(cptIndex + length) { byteIndex += LenientUTF8.encodedLength(cpts[k]) }
            cptIndex += length
            ranges.append(start..<byteIndex)
        }
        return (bytes, ranges)
    }
}

// Builds the tokenizer a GGUF file describes, reading the `tokenizer.ggml.*` metadata with the
// defaults and rules of llama.cpp's llama_vocab::load for SentencePiece (`llama`) vocabularies.

import GGUF

/// Builds tokenizers from GGUF metadata.
public enum TokenizerLoader {
    /// The tokenizer `gguf` describes. Throws for missing or malformed tokenizer metadata and for
    /// tokenizer models other than SentencePiece (`tokenizer.ggml.model = llama`).
    public static func load(from gguf: GGUFFile) throws -> any Tokenizer {
        try sentencePiece(from: gguf)
    }

    /// The SentencePiece tokenizer `gguf` describes.
    public static func sentencePiece(from gguf: GGUFFile) throws -> SentencePieceTokenizer {
        guard let model = try string(gguf, "tokenizer.ggml.model") else {
            throw TokenizerError.invalidMetadata(key: "tokenizer.ggml.model", reason: "missing (the file has no tokenizer)")
        }
        guard model == "llama" else { throw TokenizerError.unsupportedModel(model) }

        let vocabulary = try readVocabulary(gguf)
        let n = vocabulary.count

        // Special ids: SentencePiece defaults, replaced by metadata ids that are in range
        // (llama.cpp ignores an out-of-range id and keeps the default).
        var ids = SpecialTokenIDs(bos: 1, eos: 2, unknown: 0)
        func read(_ key: String, into slot: inout Int32?) throws {
            if let id = try integer(gguf, "tokenizer.ggml.\(key)"), id >= 0, id < n { slot = Int32(id) }
        }
        try read("bos_token_id", into: &ids.bos)
        try read("eos_token_id", into: &ids.eos)
        try read("eot_token_id", into: &ids.endOfTurn)
        try read("eom_token_id", into: &ids.endOfMessage)
        try read("unknown_token_id", into: &ids.unknown)
        try read("seperator_token_id", into: &ids.separator)   // llama.cpp's spelling
        try read("padding_token_id", into: &ids.padding)
        try read("mask_token_id", into: &ids.mask)
        try read("fim_pre_token_id", into: &ids.fimPrefix)
        try read("fim_suf_token_id", into: &ids.fimSuffix)
        try read("fim_mid_token_id", into: &ids.fimMiddle)
        try read("fim_pad_token_id", into: &ids.fimPad)
        try read("fim_rep_token_id", into: &ids.fimRepo)
        try read("fim_sep_token_id", into: &ids.fimSeparator)
        try read("prefix_token_id", into: &ids.fimPrefix)    // deprecated names
        try read("suffix_token_id", into: &ids.fimSuffix)
        try read("middle_token_id", into: &ids.fimMiddle)

        let options = SentencePieceOptions(
            specialTokens: ids,
            addBOS: try bool(gguf, "tokenizer.ggml.add_bos_token") ?? true,
            addEOS: try bool(gguf, "tokenizer.ggml.add_eos_token") ?? false,
            addSpacePrefix: try bool(gguf, "tokenizer.ggml.add_space_prefix") ?? true,
            modelName: try string(gguf, "general.name"))
        return try SentencePieceTokenizer(vocabulary: vocabulary, options: options)
    }

    /// Tokens (exact bytes), scores and token types.
    static func readVocabulary(_ gguf: GGUFFile) throws -> Vocabulary {
        let tokensKey = "tokenizer.ggml.tokens"
        let tokens = try array(gguf, tokensKey)
        guard let tokens else {
            throw TokenizerError.invalidMetadata(key: tokensKey, reason: "missing (the file has no vocabulary)")
        }
        guard let texts = tokens.strings else {
            throw TokenizerError.invalidMetadata(key: tokensKey, reason: "an array of \(tokens.elementType.name), not of strings")
        }

        var scores: [Float]?
        let scoresKey = "tokenizer.ggml.scores"
        if let array = try array(gguf, scoresKey) {
            switch array.elementType {
            case .float32: scores = array.floats
            case .int32: scores = array.int32s.map { $0.map(Float.init) }
            default:
                throw TokenizerError.invalidMetadata(key: scoresKey, reason: "an array of \(array.elementType.name), not of FLOAT32 or INT32")
            }
        }
        var types: [Int32]?
        let typesKey = "tokenizer.ggml.token_type"
        if let array = try array(gguf, typesKey) {
            guard array.elementType == .int32, let values = array.int32s else {
                throw TokenizerError.invalidMetadata(key: typesKey, reason: "an array of \(array.elementType.name), not of INT32")
            }
            types = values
        }
        return try Vocabulary(count: texts.count, scores: scores, types: types) { id, storage in
            texts.withBytes(at: id) { storage.append(contentsOf: $0) }
        }
    }

    // MARK: Typed metadata reads (a key of the wrong type is an error, as in llama.cpp)

    private static func array(_ gguf: GGUFFile, _ key: String) throws -> GGUFArray? {
        guard let entry = gguf.entry(key) else { return nil }
        guard let array = entry.arrayValue else {
            throw TokenizerError.invalidMetadata(key: key, reason: "a \(entry.type.name), not an array")
        }
        return array
    }

    private static func string(_ gguf: GGUFFile, _ key: String) throws -> String? {
        guard let entry = gguf.entry(key) else { return nil }
        guard let value = entry.value.string else {
            throw TokenizerError.invalidMetadata(key: key, reason: "a \(entry.type.name), not a string")
        }
        return value
    }

    private static func bool(_ gguf: GGUFFile, _ key: String) throws -> Bool? {
        guard let entry = gguf.entry(key) else { return nil }
        guard let value = entry.value.bool else {
            throw TokenizerError.invalidMetadata(key: key, reason: "a \(entry.type.name), not a bool")
        }
        return value
    }

    private static func integer(_ gguf: GGUFFile, _ key: String) throws -> Int? {
        guard let entry = gguf.entry(key) else { return nil }
        switch entry.value {
        case .uint64(let v): return v > UInt64(Int.max) ? Int.max : Int(v)
        case let value:
            guard let v = value.int else {
                throw TokenizerError.invalidMetadata(key: key, reason: "a \(entry.type.name), not an integer")
            }
            return v
        }
    }
}

// Which ids play special roles (BOS, EOS, end of turn, fill-in-the-middle ...), and llama.cpp's rules
// for completing them from token texts: finding an end-of-turn token by name, marking tokens that
// end generation, and flagging control-looking tokens as control tokens.

/// Ids with a special role. Nil means the vocabulary has no such token.
public struct SpecialTokenIDs: Sendable, Equatable {
    public var bos: Int32?
    public var eos: Int32?
    public var unknown: Int32?
    public var endOfTurn: Int32?
    public var endOfMessage: Int32?
    public var separator: Int32?
    public var padding: Int32?
    public var mask: Int32?
    public var fimPrefix: Int32?
    public var fimSuffix: Int32?
    public var fimMiddle: Int32?
    public var fimPad: Int32?
    public var fimRepo: Int32?
    public var fimSeparator: Int32?

    /// SentencePiece (`llama`) defaults as in llama.cpp: BOS 1, EOS 2, unknown 0, nothing else.
    public init(bos: Int32? = 1, eos: Int32? = 2, unknown: Int32? = 0) {
        self.bos = bos
        self.eos = eos
        self.unknown = unknown
    }
}

/// The special roles and attributes of a vocabulary after llama.cpp's name-based rules ran.
struct ResolvedSpecialTokens: Sendable {
    var ids: SpecialTokenIDs
    var attributes: [TokenAttributes]
    /// Tokens that end generation, ascending.
    var endOfGeneration: [Int32]
}

extension Vocabulary {
    // Texts llama.cpp recognises (llama-vocab.cpp, special token auto-detection).
    private static let endOfTurnTexts: [StaticString] = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
        "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
    ]
    private static let endOfMessageTexts: [StaticString] = ["<|eom_id|>"]
    private static let fimPrefixTexts: [StaticString] = [
        "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
        "<|code_prefix|>", "<|prefix|>",
    ]
    private static let fimSuffixTexts: [StaticString] = [
        "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>",
        "<|code_suffix|>", "<|suffix|>",
    ]
    private static let fimMiddleTexts: [StaticString] = [
        "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>",
        "<|code_middle|>", "<|middle|>",
    ]
    private static let fimPadTexts: [StaticString] = ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"]
    private static let fimRepoTexts: [StaticString] = ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"]
    private static let fimSeparatorTexts: [StaticString] = ["<|file_sep|>"]
    private static let endOfGenerationTexts: [StaticString] = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<｜end▁of▁sentence｜>", "[e~[",
    ]
    private static let alwaysRenderedTexts: [StaticString] = ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"]

    /// The id of the first token (lowest id) whose text is one of `texts`.
    private func firstId(among texts: [StaticString]) -> Int32? {
        var best: Int32?
        for text in texts {
            if let id = text.withUTF8Buffer({ table.id(of: $0) }), best.map({ id < $0 }) ?? true {
                best = id
            }
        }
        return best
    }

    /// Completes `given` the way llama.cpp does after reading the metadata: ids out of range are
    /// dropped, missing end-of-turn / fill-in-the-middle ids are found by their text, control-looking
    /// tokens get the control attribute, and the set of end-of-generation tokens is built.
    /// `modelName` (general.name) switches on llama.cpp's per-model attribute fixes (Phi-3).
    func resolveSpecialTokens(_ given: SpecialTokenIDs, modelName: String?) -> ResolvedSpecialTokens {
        var ids = given
        var attributes = self.attributes
        let inRange: (Int32?) -> Int32? = { id in id.flatMap { contains($0) ? $0 : nil } }
        ids.bos = inRange(ids.bos); ids.eos = inRange(ids.eos); ids.unknown = inRange(ids.unknown)
        ids.endOfTurn = inRange(ids.endOfTurn); ids.endOfMessage = inRange(ids.endOfMessage)
        ids.separator = inRange(ids.separator); ids.padding = inRange(ids.padding); ids.mask = inRange(ids.mask)
        ids.fimPrefix = inRange(ids.fimPrefix); ids.fimSuffix = inRange(ids.fimSuffix)
        ids.fimMiddle = inRange(ids.fimMiddle); ids.fimPad = inRange(ids.fimPad)
        ids.fimRepo = inRange(ids.fimRepo); ids.fimSeparator = inRange(ids.fimSeparator)

        func detect(_ slot: inout Int32?, _ texts: [StaticString]) {
            guard slot == nil, let id = firstId(among: texts) else { return }
            slot = id
            attributes[Int(id)].insert(.control)
        }
        detect(&ids.endOfTurn, Self.endOfTurnTexts)
        detect(&ids.endOfMessage, Self.endOfMessageTexts)
        detect(&ids.fimPrefix, Self.fimPrefixTexts)
        detect(&ids.fimSuffix, Self.fimSuffixTexts)
        detect(&ids.fimMiddle, Self.fimMiddleTexts)
        detect(&ids.fimPad, Self.fimPadTexts)
        detect(&ids.fimRepo, Self.fimRepoTexts)
        detect(&ids.fimSeparator, Self.fimSeparatorTexts)

        // Control tokens named "unused" are unused.
        for id in 0..<count where attributes[id].contains(.control) && !attributes[id].contains(.unused) {
            if table.withText(id, { Self.contains($0, "unused") }) { attributes[id].insert(.unused) }
        }

        // End of generation: fill-in-the-middle pad/repo/separator, known texts, EOS, EOT, EOM.
        var endOfGeneration = Set<Int32>()
        for id in [ids.fimPad, ids.fimRepo, ids.fimSeparator] { if let id { endOfGeneration.insert(id) } }
        for text in Self.endOfGenerationTexts {
            guard let id = text.withUTF8Buffer({ table.id(of: $0) }) else { continue }
            endOfGeneration.insert(id)
            attributes[Int(id)].insert(.control)
        }
        for text in Self.alwaysRenderedTexts {
            if let id = text.withUTF8Buffer({ table.id(of: $0) }) { attributes[Int(id)] = .userDefined }
        }
        for id in [ids.eos, ids.endOfTurn, ids.endOfMessage] { if let id { endOfGeneration.insert(id) } }

        // o200k_harmony / solar-open: "<|end|>" does not end generation when "<|return|>" and
        // "<|call|>" (or "<|calls|>" and "<|flush|>") exist.
        let has: (StaticString) -> Int32? = { text in
            text.withUTF8Buffer { table.id(of: $0) }.flatMap { endOfGeneration.contains($0) ? $0 : nil }
        }
        if let end = has("<|end|>") {
            let hasCall = has("<|call|>") != nil || has("<|calls|>") != nil
            if (has("<|return|>") != nil && hasCall) || (hasCall && has("<|flush|>") != nil) {
                endOfGeneration.remove(end)
                attributes[Int(end)] = .userDefined
            }
        }
        // Gemma 4 / PaddleOCR: "</s>" does not end generation when "<|tool_response>" does.
        if has("<|tool_response>") != nil, let s = has("</s>") {
            endOfGeneration.remove(s)
            attributes[Int(s)] = .normal
        }

        // Phi-3: special tokens swallow the whitespace after them, except <unk>, <s>, <|endoftext|>.
        if let name = modelName?.lowercased(), name.contains("phi-3") || name.contains("phi3") {
            for id in 0..<count where attributes[id].intersects(.matchedInText) {
                attributes[id].insert(.rstrip)
            }
            if let id = id(of: Array("</s>".utf8)) { attributes[Int(id)].insert(.rstrip) }
            for text in ["<unk>", "<s>", "<|endoftext|>"] {
                if let id = id(of: Array(text.utf8)) { attributes[Int(id)].remove(.rstrip) }
            }
        }

        return ResolvedSpecialTokens(ids: ids, attributes: attributes, endOfGeneration: endOfGeneration.sorted())
    }

    /// Whether `text` contains `word` (a plain byte search; the words are short).
    private static func contains(_ text: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        word.withUTF8Buffer { word in
            guard word.count <= text.count else { return false }
            for start in 0...(text.count - word.count) {
                var k = 0
                while k < word.count, text[start + k] == word[k] { k += 1 }
                if k == word.count { return true }
            }
            return false
        }
    }
}

// libFuzzer harness for the tokenizers: any text must encode to ids inside the vocabulary and
// decode again (whole and streamed) without a crash or a hang. Tokenizers: a tiny SentencePiece
// vocabulary and a tiny byte-level BPE one made here (for both, decoding what was encoded gives the
// text back), plus the real vocabularies of shared/reference/vocab and the default model when
// FUZZ_VOCAB_DIR / FUZZ_MODEL point at them (scripts/fuzz sets both when the files exist).
//
// Input: byte 0 picks the tokenizer (bits 2...) and the flags (bit 0 addSpecial, bit 1
// parseSpecial, bit 7 raw bytes for BPE's `encode(bytes:)`); the rest is the text.
//
// Built by scripts/fuzz together with Sources/Tokenizer/*.swift (module Tokenizer).
import GGUF
#if canImport(Glibc)
import Glibc
#endif

/// A tokenizer under test; `roundTrips` when decode(encode(text)) must equal text.
private struct Subject {
    let name: String
    let tokenizer: any Tokenizer
    let roundTrips: Bool
}

private let subjects: [Subject] = makeSubjects()

private func makeSubjects() -> [Subject] {
    var list = [
        Subject(name: "tiny-spm", tokenizer: tinySentencePiece(), roundTrips: true),
        Subject(name: "tiny-bpe", tokenizer: tinyBytePair(), roundTrips: true),
    ]
    var files: [String] = []
    if let folder = getenv("FUZZ_VOCAB_DIR").map({ String(cString: $0) }) {
        files += ["ggml-vocab-llama-spm.gguf", "ggml-vocab-llama-bpe.gguf", "ggml-vocab-qwen2.gguf", "ggml-vocab-gpt-2.gguf"]
            .map { folder + "/" + $0 }
    }
    if let model = getenv("FUZZ_MODEL").map({ String(cString: $0) }) { files.append(model) }
    for path in files {
        do {
            let file = try MappedFile(path: path)
            let tokenizer = try TokenizerLoader.load(from: GGUFFile.parse(file.bytes))
            list.append(Subject(name: path, tokenizer: tokenizer, roundTrips: false))
        } catch {
            fputs("fuzz-tokenizer: skipping \(path): \(error)\n", stderr)
        }
    }
    fputs("fuzz-tokenizer: \(list.count) tokenizers: \(list.map(\.name))\n", stderr)
    return list
}

/// Control tokens, all 256 byte tokens, a few pieces and user-defined tokens.
private func tinySentencePiece() -> SentencePieceTokenizer {
    var tokens: [[UInt8]] = [Array("<unk>".utf8), Array("<s>".utf8), Array("</s>".utf8)]
    var scores: [Float] = [0, 0, 0]
    var types: [Int32] = [TokenType.unknown.rawValue, TokenType.control.rawValue, TokenType.control.rawValue]
    let hex = Array("0123456789ABCDEF")
    for b in 0..<256 {
        tokens.append(Array("<0x\(hex[b >> 4])\(hex[b & 15])>".utf8)); scores.append(0); types.append(TokenType.byte.rawValue)
    }
    let pieces: [(String, Float)] = [("▁", -1), ("a", -2), ("b", -2), ("ab", -1.5), ("▁a", -0.5), ("▁ab", -0.2), ("é", -2), ("日本", -1)]
    for (text, score) in pieces { tokens.append(Array(text.utf8)); scores.append(score); types.append(TokenType.normal.rawValue) }
    for (text, type) in [("<turn>", TokenType.control), ("<tag>", .userDefined), ("xx", .userDefined), ("<gone>", .unused)] {
        tokens.append(Array(text.utf8)); scores.append(0); types.append(type.rawValue)
    }
    return try! SentencePieceTokenizer(tokens: tokens, scores: scores, types: types,
                                      options: SentencePieceOptions(addBOS: true, addSpacePrefix: false))
}

/// Every byte as a token (GPT-2 byte-level characters), a few merges, one special token.
private func tinyBytePair() -> BytePairTokenizer {
    var tokens = (0...255).map { String(ByteLevelEncoding.character(for: UInt8($0))) }
    let merges = ["Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "Ġa n", "Ġan d", "1 2", "12 3"]
    for merge in merges { tokens.append(merge.split(separator: " ").joined()) }
    tokens.append("<|endoftext|>")
    var types = [Int32](repeating: TokenType.normal.rawValue, count: tokens.count)
    types[types.count - 1] = TokenType.control.rawValue
    let eos = Int32(tokens.count - 1)
    let vocabulary = try! Vocabulary(tokens: tokens, types: types)
    return try! BytePairTokenizer(
        vocabulary: vocabulary, merges: merges,
        options: BytePairOptions(specialTokens: SpecialTokenIDs(bos: eos, eos: eos, unknown: nil), preTokenizer: .llama3,
                                 cleanSpaces: false))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let selector = data[0]
    let subject = subjects[Int(selector >> 2 & 0x1F) % subjects.count]
    let addSpecial = selector & 1 != 0, parseSpecial = selector & 2 != 0
    let raw = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let tokenizer = subject.tokenizer
    let text = String(decoding: raw, as: UTF8.self)

    let ids: [Int32]
    if selector & 0x80 != 0, let bpe = tokenizer as? BytePairTokenizer {
        ids = bpe.encode(bytes: raw, addSpecial: addSpecial, parseSpecial: parseSpecial)
    } else {
        ids = tokenizer.encode(text, addSpecial: addSpecial, parseSpecial: parseSpecial)
    }
    for id in ids {
        precondition(id >= 0 && Int(id) < tokenizer.vocabularySize, "\(subject.name): id \(id) outside the vocabulary")
    }
    let whole = tokenizer.decode(ids)
    var stream = StreamingDetokenizer(tokenizer: tokenizer)
    var streamed = ""
    for id in ids { streamed += stream.append(id) }
    streamed += stream.flush()
    precondition(streamed == whole, "\(subject.name): streamed decoding differs from whole decoding")
    if subject.roundTrips, !addSpecial, !parseSpecial, selector & 0x80 == 0 {
        precondition(whole == text, "\(subject.name): decode(encode(text)) != text")
    }
    _ = tokenizer.decode(ids, special: true)
    if let id = ids.first { _ = tokenizer.isEndOfGeneration(id) }
    _ = tokenizer.tokenId(text)
    return 0
}

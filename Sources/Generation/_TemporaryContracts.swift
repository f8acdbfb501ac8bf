// TEMPORARY copies of the shared contracts of the Model and Tokenizer targets, so that Generation
// compiles while those targets are written in parallel. Delete this file when merging h/model and
// h/tokenizer: the real declarations live in the Model and Tokenizer modules.

/// TEMPORARY: the part of the Model target's configuration that generation uses.
public struct ModelConfig: Sendable {
    public var vocabSize: Int
    public var contextLength: Int
    public init(vocabSize: Int, contextLength: Int) {
        self.vocabSize = vocabSize
        self.contextLength = contextLength
    }
}

/// TEMPORARY: copy of the Model target's `LanguageModel` contract.
public protocol LanguageModel: AnyObject {
    var config: ModelConfig { get }
    func forward(_ tokens: [Int32], startPosition: Int, allLogits: Bool) throws -> [Float]
    func resetCache()
}

/// TEMPORARY: copy of the Tokenizer target's `Tokenizer` contract.
public protocol Tokenizer: Sendable {
    func encode(_ text: String, addSpecial: Bool, parseSpecial: Bool) -> [Int32]
    func piece(_ id: Int32) -> [UInt8]
    var vocabularySize: Int { get }
    var bos: Int32? { get }
    var eos: Int32? { get }
    func isEndOfGeneration(_ id: Int32) -> Bool
    func tokenId(_ text: String) -> Int32?
}

/// TEMPORARY: minimal stand-in for the Tokenizer target's `StreamingDetokenizer`: it returns only
/// whole UTF-8 characters and keeps an incomplete trailing sequence for the next token.
public struct StreamingDetokenizer {
    private let tokenizer: any Tokenizer
    private var pending: [UInt8] = []

    public init(tokenizer: any Tokenizer) { self.tokenizer = tokenizer }

    public mutating func append(_ id: Int32) -> String {
        pending += tokenizer.piece(id)
        var end = pending.count
        // Step back over an incomplete trailing UTF-8 sequence (at most 3 bytes).
        var back = 0
        while back < 3, back < pending.count {
            let byte = pending[pending.count - 1 - back]
            if byte & 0xC0 == 0x80 { back += 1; continue }
            if byte >= 0xC0 {
                let needed = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                if back + 1 < needed { end = pending.count - 1 - back }
            }
            break
        }
        let text = String(decoding: pending[0..<end], as: UTF8.self)
        pending.removeFirst(end)
        return text
    }

    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }
}

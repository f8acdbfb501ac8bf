// Test doubles: a tokenizer over a small hand-made vocabulary and a scripted language model that
// behaves like a real one towards its KV cache (positions must follow on) and returns logits chosen
// by the test.

import GGUF
import Generation
import Model
import Tokenizer

/// A vocabulary given as byte strings; one id is the end-of-generation token.
struct FakeTokenizer: Tokenizer {
    let pieces: [[UInt8]]
    let eosId: Int32

    /// Text pieces (plus any raw byte pieces) after the fixed tokens 0 = <eos>, 1 = <bos>.
    init(_ texts: [String], bytes: [[UInt8]] = []) {
        pieces = [[], []] + texts.map { Array($0.utf8) } + bytes
        eosId = 0
    }

    /// The id of a text piece.
    func id(_ text: String) -> Int32 { tokenId(text)! }

    func encode(_ text: String, addSpecial: Bool, parseSpecial: Bool) -> [Int32] {
        // Greedy longest match; enough for tests.
        var result: [Int32] = addSpecial ? [1] : []
        var rest = Array(text.utf8)[...]
        while !rest.isEmpty {
            let best = pieces.indices.filter { !pieces[$0].isEmpty && rest.starts(with: pieces[$0]) }
                .max { pieces[$0].count < pieces[$1].count }!
            result.append(Int32(best))
            rest = rest.dropFirst(pieces[best].count)
        }
        return result
    }
    func piece(_ id: Int32) -> [UInt8] { pieces[Int(id)] }
    var vocabularySize: Int { pieces.count }
    var bos: Int32? { 1 }
    var eos: Int32? { eosId }
    func isEndOfGeneration(_ id: Int32) -> Bool { id == eosId }
    func tokenId(_ text: String) -> Int32? {
        pieces.firstIndex(of: Array(text.utf8)).map { Int32($0) }
    }
}

/// A model whose next token is chosen by `next` from everything in its cache; it records each
/// forward call and checks that positions continue the cache as a real KV cache needs.
final class ScriptedModel: LanguageModel {
    let config: ModelConfig
    let next: ([Int32]) -> Int32
    private(set) var cache: [Int32] = []
    private(set) var calls: [(tokens: [Int32], startPosition: Int)] = []
    private(set) var resets = 0
    private(set) var positionErrors: [String] = []

    init(vocabSize: Int, contextLength: Int, next: @escaping ([Int32]) -> Int32) {
        self.config = makeConfig(vocabSize: vocabSize, contextLength: contextLength)
        self.next = next
    }

    /// A model that, after its prompt, continues with `script` (then end-of-generation, id 0).
    convenience init(vocabSize: Int, contextLength: Int = 4096, promptLength: Int, script: [Int32]) {
        self.init(vocabSize: vocabSize, contextLength: contextLength) { cache in
            let step = cache.count - promptLength
            return step < script.count ? script[step] : 0
        }
    }

    func forward(_ tokens: [Int32], startPosition: Int, allLogits: Bool) throws -> [Float] {
        calls.append((tokens, startPosition))
        if startPosition > cache.count {
            positionErrors.append("forward at \(startPosition) with only \(cache.count) cached")
        }
        cache.removeSubrange(min(startPosition, cache.count)...)
        cache += tokens
        if cache.count > config.contextLength { positionErrors.append("cache beyond the context") }
        var logits = [Float](repeating: -5, count: config.vocabSize)
        logits[Int(next(cache))] = 5
        return logits
    }

    func resetCache() {
        cache.removeAll()
        resets += 1
    }
}

/// A ModelConfig with the given vocabulary and context, read (as the Model target reads every
/// config) from a tiny GGUF header built in memory.
func makeConfig(vocabSize: Int, contextLength: Int) -> ModelConfig {
    var writer = GGUFWriter()
    writer.add(key: "general.architecture", .string("llama"))
    writer.add(key: "llama.embedding_length", .uint32(2))
    writer.add(key: "llama.block_count", .uint32(1))
    writer.add(key: "llama.feed_forward_length", .uint32(2))
    writer.add(key: "llama.attention.head_count", .uint32(1))
    writer.add(key: "llama.attention.layer_norm_rms_epsilon", .float32(1e-6))
    writer.add(key: "llama.context_length", .uint32(UInt32(contextLength)))
    writer.addTensor(name: "token_embd.weight", dims: [2, vocabSize], type: .f32,
                     data: [UInt8](repeating: 0, count: 2 * vocabSize * 4))
    let bytes = writer.serialize()
    do {
        let file = try bytes.withUnsafeBytes { try GGUFFile.parse($0) }
        let config = try ModelConfig.read(from: file, contextLength: contextLength)
        precondition(config.vocabSize == vocabSize && config.contextLength == contextLength)
        return config
    } catch {
        fatalError("test config: \(error)")
    }
}

// Reading a byte-level BPE tokenizer (`tokenizer.ggml.model = gpt2`) from GGUF metadata with the
// defaults of llama.cpp's llama_vocab::load: the merges from `tokenizer.ggml.merges`, the
// pre-tokenizer and its settings from `tokenizer.ggml.pre`, BOS and EOS defaulting to 11, then the
// special ids and `add_bos_token`/`add_eos_token` from the file.

import GGUF

extension TokenizerLoader {
    /// The byte-level BPE tokenizer `gguf` describes.
    public static func bytePair(from gguf: GGUFFile) throws -> BytePairTokenizer {
        let model = try model(gguf)
        guard model == "gpt2" else { throw TokenizerError.unsupportedModel(model) }

        let preName = try string(gguf, "tokenizer.ggml.pre")
        guard var options = BytePairOptions(preTokenizerName: preName) else {
            throw TokenizerError.unsupportedPreTokenizer(preName ?? "")
        }

        let mergesKey = "tokenizer.ggml.merges"
        guard let mergeArray = try array(gguf, mergesKey) else {
            throw TokenizerError.invalidMetadata(key: mergesKey, reason: "missing (a BPE vocabulary needs its merges)")
        }
        guard let merges = mergeArray.strings else {
            throw TokenizerError.invalidMetadata(key: mergesKey, reason: "an array of \(mergeArray.elementType.name), not of strings")
        }

        let vocabulary = try readVocabulary(gguf)
        options.specialTokens = try readSpecialTokenIDs(gguf, defaults: options.specialTokens, count: vocabulary.count)
        options.addBOS = try bool(gguf, "tokenizer.ggml.add_bos_token") ?? options.addBOS
        options.addEOS = try bool(gguf, "tokenizer.ggml.add_eos_token") ?? options.addEOS
        options.modelName = try string(gguf, "general.name")

        return try BytePairTokenizer(vocabulary: vocabulary, mergeCount: merges.count, options: options) { index, body in
            merges.withBytes(at: index) { raw in
                body(raw.assumingMemoryBound(to: UInt8.self))
            }
        }
    }
}

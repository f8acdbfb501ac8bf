// TEMPORARY copies of the shared contract of the Model target, so that Generation compiles while
// that target is written in parallel. Delete this file when merging h/model: the real declarations
// live in the Model module.

import GGUF

/// TEMPORARY: the part of the Model target's configuration that generation uses. It has no public
/// initializer, like the real one: it is read from GGUF metadata.
public struct ModelConfig: Sendable {
    public var vocabSize: Int
    public var contextLength: Int

    /// TEMPORARY: reads just the context length and the vocabulary size (rows of token_embd).
    public static func read(from gguf: GGUFFile, contextLength: Int?) throws -> ModelConfig {
        guard let architecture = gguf.architecture,
              let trained = gguf["\(architecture).context_length"]?.int,
              let embedding = gguf.tensor(named: "token_embd.weight"), embedding.dims.count == 2 else {
            throw GenerationError.invalidParameter("temporary ModelConfig: metadata missing")
        }
        return ModelConfig(vocabSize: embedding.dims[1], contextLength: contextLength ?? trained)
    }
}

/// TEMPORARY: copy of the Model target's `LanguageModel` contract.
public protocol LanguageModel: AnyObject {
    var config: ModelConfig { get }
    func forward(_ tokens: [Int32], startPosition: Int, allLogits: Bool) throws -> [Float]
    func resetCache()
}

// ModelRegistry: picks the architecture named by `general.architecture` and loads it.
//
// Adding an architecture is one file (e.g. Architectures/Llama.swift) with a type conforming to
// `Architecture`, which reads its hyperparameters and describes how its blocks differ from the
// shared transformer block (a TransformerRecipe), plus one entry in `architectures` below.

import GGUF

/// An architecture this package can run.
protocol Architecture {
    /// The `general.architecture` values this type loads.
    static var names: [String] { get }
    /// Builds the model from a parsed file; weights stay views into `source.tensors.data`.
    static func load(_ source: ModelSource) throws -> any LanguageModel
}

/// Everything an architecture needs to build a model.
struct ModelSource {
    let gguf: GGUFFile
    let tensors: TensorLoader
    /// The caller's context length, or nil for the default.
    let contextLength: Int?
    let threads: Int
}

/// Loads models by architecture name.
public enum ModelRegistry {
    /// Every architecture this package knows, one file each.
    static var architectures: [any Architecture.Type] { [
        LlamaModel.self,
        Qwen2Model.self,
        Qwen3Model.self,
        Phi3Model.self,
        Gemma2Model.self,
        Gemma3Model.self,
    ] }

    /// The `general.architecture` values `load` accepts, sorted.
    public static var supportedArchitectures: [String] {
        architectures.flatMap { $0.names }.sorted()
    }

    /// Builds the model described by `gguf`.
    ///
    /// - Parameters:
    ///   - gguf: the parsed header.
    ///   - tensorData: the tensor data region (the file's bytes from `gguf.dataOffset`); it must
    ///     stay mapped for as long as the model lives, since weights are views into it.
    ///   - contextLength: positions the KV cache holds; nil for the trained context capped at
    ///     `ModelConfig.defaultContextLengthCap`.
    ///   - threads: worker threads for matrix products and attention (at least 1).
    /// - Throws: `ModelError` for an unknown architecture ("unsupported architecture 'X'
    ///   (supported: ...)"), missing or malformed metadata, or a tensor with unexpected dims or a
    ///   type the kernels cannot multiply (the message names the tensor and its type).
    public static func load(gguf: GGUFFile, tensorData: UnsafeRawBufferPointer, contextLength: Int?,
                            threads: Int) throws -> any LanguageModel {
        guard let name = gguf.architecture else {
            throw ModelError("missing metadata key general.architecture")
        }
        guard let architecture = architectures.first(where: { $0.names.contains(name) }) else {
            throw ModelError("unsupported architecture '\(name)' (supported: "
                + supportedArchitectures.joined(separator: ", ") + ")")
        }
        guard (1...1024).contains(threads) else {
            throw ModelError("thread count \(threads) is outside 1...1024")
        }
        try ModelValidation.validate(gguf, contextLength: contextLength)
        let source = ModelSource(gguf: gguf, tensors: TensorLoader(gguf: gguf, data: tensorData),
                                 contextLength: contextLength, threads: threads)
        return try architecture.load(source)
    }
}

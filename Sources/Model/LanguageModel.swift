// LanguageModel: what every architecture offers to the layers above (generation, CLI, tests).

/// A loaded language model with its own KV cache.
///
/// A model is not safe to call from two threads at once; it parallelises internally over its
/// thread pool.
public protocol LanguageModel: AnyObject {
    /// Hyperparameters of the model and the context length its KV cache was sized for.
    var config: ModelConfig { get }

    /// Runs `tokens` at positions `startPosition...`, appends their keys and values to the cache,
    /// and returns logits: `config.vocabSize` floats per requested row, only the last token's row,
    /// or every token's row (in order) when `allLogits` is true.
    ///
    /// `startPosition` may be at most the number of positions already cached; a smaller value
    /// rewinds the cache (positions from `startPosition` on are overwritten).
    func forward(_ tokens: [Int32], startPosition: Int, allLogits: Bool) throws -> [Float]

    /// Forgets every cached position; the next call starts at position 0.
    func resetCache()

    /// How many positions a forward may rewind, i.e. start before the number of positions
    /// cached (sliding-window layers keep only their last positions). A caller that wants to
    /// reuse a shorter prefix of the cache than that must reset it instead.
    var maxRewind: Int { get }
}

extension LanguageModel {
    /// A cache that keeps every position can rewind all the way.
    public var maxRewind: Int { config.contextLength }
}

// GenerationOptions: the engine's command-line options, shared by the runner and `llmpack run`
// (and by `eval`, `perplexity`, `bench` for threads and context), so both spell them alike.
import ArgumentParser
import Bundle
import Generation

/// Threads and context size: how the engine is set up.
public struct EngineOptions: ParsableArguments {
    @Option(name: [.customShort("t"), .long], help: "Threads (default: the number of physical cores).")
    public var threads: Int?
    @Option(name: [.customShort("c"), .customLong("ctx-size")], help: "Context size in tokens (default: the run config's, else min(trained, 4096)).")
    public var contextSize: Int?

    public init() {}

    public func validate() throws {
        if let threads, !(1...512).contains(threads) { throw ValidationError("-t must be between 1 and 512, got \(threads)") }
        if let contextSize, contextSize < 1 { throw ValidationError("-c must be positive, got \(contextSize)") }
    }

    /// Loads the engine for a model source, with these options over the run config's defaults.
    public func engine(for source: ModelSource) throws -> Engine {
        try Engine(gguf: source.gguf, tensorData: source.tensorData, storage: source,
                   contextLength: contextSize ?? source.runConfig.contextLength,
                   threads: threads ?? physicalCoreCount())
    }
}

/// Prompt, length and sampling.
public struct GenerationOptions: ParsableArguments {
    @Option(name: [.customShort("p"), .long], help: "The prompt: generate its continuation and exit.")
    public var prompt: String?
    @Option(name: [.customShort("n"), .customLong("n-predict")], help: "Tokens to generate (default 256; -1: until the end or the context is full).")
    public var tokens: Int = 256
    @Option(name: .customLong("temp"), help: "Temperature; 0 is greedy (default: the run config's, else 0.8).")
    public var temperature: Float?
    @Option(name: .customLong("top-k"), help: "Top-k sampling (default 40; 0 = off).") public var topK: Int?
    @Option(name: .customLong("top-p"), help: "Top-p sampling (default: the run config's, else 0.95).") public var topP: Float?
    @Option(name: .customLong("min-p"), help: "Min-p sampling (default 0.05).") public var minP: Float?
    @Option(name: .customLong("repeat-penalty"), help: "Repeat penalty (default 1.0 = off).") public var repeatPenalty: Float?
    @Option(name: .customLong("seed"), help: "Random seed (default: random).") public var seed: UInt64?
    @Flag(name: .customLong("no-bos"), help: "Do not add the BOS token to the prompt.") public var noBOS = false

    public init() {}

    public func validate() throws {
        if tokens < -1 { throw ValidationError("-n must be -1 or more, got \(tokens)") }
    }

    /// Sampling parameters: these options over the run config's defaults over llama.cpp's.
    public func sampling(defaults config: RunConfig) throws -> SamplingParameters {
        var p = SamplingParameters()
        if let t = config.temperature { p.temperature = t }
        if let t = config.topP { p.topP = t }
        if let temperature { p.temperature = temperature }
        if let topK { p.topK = topK }
        if let topP { p.topP = topP }
        if let minP { p.minP = minP }
        if let repeatPenalty { p.repeatPenalty = repeatPenalty }
        p.seed = seed
        try p.validate()
        return p
    }
}

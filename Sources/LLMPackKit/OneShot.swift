// OneShot: `-p PROMPT`: stream the prompt's continuation to standard output, timings to standard
// error, as llama.cpp's completion tool does.
import Bundle
import Generation
import Kernels
#if canImport(Glibc)
import Glibc
#endif

public enum OneShot {
    /// Runs the prompt on a model source; returns the process exit status.
    public static func run(source: ModelSource, engine engineOptions: EngineOptions, generation options: GenerationOptions,
                           programName: String) throws {
        guard let prompt = options.prompt else { throw LLMPackError("no prompt (-p)") }
        let loadStart = monotonicSeconds()
        let engine = try engineOptions.engine(for: source)
        let loadSeconds = monotonicSeconds() - loadStart
        let sampling = try options.sampling(defaults: source.runConfig)
        let generator = try Generator(model: engine.model, tokenizer: engine.tokenizer, sampling: sampling)
        let tokens = engine.tokenizer.encode(prompt, addSpecial: !options.noBOS, parseSpecial: true)
        let room = engine.contextLength - tokens.count
        guard room > 0 else {
            throw LLMPackError("the prompt has \(tokens.count) tokens; the context holds \(engine.contextLength) (raise -c)")
        }
        let limit = options.tokens < 0 ? room : min(options.tokens, room)
        let out = StandardOutput()
        let result = try generator.generate(prompt: tokens, maxTokens: limit) { text in
            out.write(text)
            return true
        }
        out.write("\n")
        let t = result.timings
        Terminal.printError("")
        Terminal.printError("\(programName): load \(ms(loadSeconds)), prompt \(t.promptTokens) tokens in \(ms(t.promptSeconds)) (\(rate(t.promptTokensPerSecond)) tokens/s), "
            + "generated \(t.generatedTokens) tokens in \(ms(t.generationSeconds)) (\(rate(t.generationTokensPerSecond)) tokens/s), first token after \(ms(t.timeToFirstTokenSeconds)); "
            + "\(engine.threads) threads, \(Kernels.isa) kernels")
    }

    static func ms(_ seconds: Double) -> String { Terminal.fixed(seconds * 1000, 1) + " ms" }
    static func rate(_ value: Double) -> String { Terminal.fixed(value, 2) }
}

/// Unbuffered writes to standard output, so streamed text appears as it is made.
final class StandardOutput {
    func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}

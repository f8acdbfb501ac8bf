// `llmpack run MODEL -p TEXT`: what the runner does with -p, for a .gguf file or a bundle.
import ArgumentParser
import LLMPackKit

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate the continuation of a prompt with a .gguf model or a bundle (as the runner's -p does).")

    @Argument(help: "A .gguf file or a bundle made by llmpack build.") var model: String
    @OptionGroup var engine: EngineOptions
    @OptionGroup var generation: GenerationOptions

    func validate() throws {
        if generation.prompt == nil { throw ValidationError("give a prompt with -p") }
    }

    func run() throws {
        try reportingErrors {
            let source = try ModelSource.open(path: model)
            try OneShot.run(source: source, engine: engine, generation: generation, programName: "llmpack")
        }
    }
}

// llmpack-runner: the engine copied into every bundle. It finds its model in its own file.
// Default arguments baked in at build time (`llmpack build --arg ...`) come first, so the
// command line given at launch overrides them.
import LLMPackKit

var arguments = Array(CommandLine.arguments.dropFirst())
if let defaults = try? ModelSource.embeddedBundle().runConfig().arguments, !defaults.isEmpty {
    arguments = defaults + arguments
}
RunnerCommand.main(arguments)

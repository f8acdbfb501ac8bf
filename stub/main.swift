// llmpack-runner: the engine copied into every bundle. It finds its model in its own file.
import LLMPackKit

RunnerCommand.main()

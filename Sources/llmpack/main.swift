// llmpack: the command-line tool that packs GGUF models into self-contained executables.
import LLMPackKit

InterruptCleanup.install()
LLMPackCommand.main()

// llmpack: the command-line tool that packs GGUF models into self-contained executables.
import Bundle
import LLMPackKit

InterruptCleanup.install()
LLMPackCommand.main()

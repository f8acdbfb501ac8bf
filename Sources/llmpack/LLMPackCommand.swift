// The root command and the way every subcommand reports errors: one line, non-zero exit.
import ArgumentParser
import Bundle
import LLMPackKit

struct LLMPackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llmpack",
        abstract: "Turn a GGUF language model into one self-contained executable.",
        version: "llmpack \(LLMPack.version) (bundle format \(BundleFormat.version))",
        subcommands: [Build.self, Inspect.self, Extract.self, Verify.self, Rebase.self,
                      Run.self, Tokenize.self, Eval.self, Perplexity.self, Bench.self])
}

/// Runs a command body; an error becomes "llmpack: error: MESSAGE" on standard error and exit
/// status 1 (2 for a file that carries no payload, as the runner does).
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch let error as BundleError {
        Terminal.printError("llmpack: error: \(error.message)")
        throw ExitCode(error.kind == .noPayload ? 2 : 1)
    } catch {
        Terminal.printError("llmpack: error: \(error)")
        throw ExitCode.failure
    }
}

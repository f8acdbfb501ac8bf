// The runner's command line. One file, several ways to talk:
//   -p PROMPT            one-shot: stream the continuation, timings on stderr
//   (a terminal)         terminal chat (also --chat)
//   (no terminal)        local HTTP server with the web chat page, browser opened (also --server)
// and the archive checks: --info, --verify, --selftest, --version.
import ArgumentParser
import Bundle
import LLMPackKit

struct RunnerCommand: ParsableCommand {
    /// The name the runner was started as (e.g. "brain.run").
    static let programName: String = {
        let path = CommandLine.arguments.first ?? "llmpack-runner"
        return path.split(separator: "/").last.map(String.init) ?? path
    }()

    static let configuration = CommandConfiguration(
        commandName: programName,
        abstract: "A language model packed into one executable by llmpack.",
        discussion: """
            Started from a terminal it chats; started without one (double-clicked) it serves a web chat \
            page and an OpenAI-compatible API on 127.0.0.1; with -p it answers once. The model travels \
            inside this file; nothing else is read from disk.
            """,
        version: "\(programName): llmpack-runner \(LLMPack.version) (bundle format \(BundleFormat.version))")

    @Flag(help: "Show the packed model's manifest.") var info = false
    @Flag(help: "Recompute every checksum of the packed model.") var verify = false
    @Flag(help: "Replay the greedy run recorded when this file was built and compare.") var selftest = false
    @Flag(help: "Chat in the terminal (the default when started from one).") var chat = false
    @Flag(help: "Serve the HTTP API and web page (the default without a terminal).") var server = false
    @OptionGroup(title: "Engine") var engine: EngineOptions
    @OptionGroup(title: "Generation") var generation: GenerationOptions
    @OptionGroup(title: "Server") var serverOptions: ServerOptions
    @Option(name: .customLong("system"), help: "System prompt for the chat (default: the one packed at build time).")
    var systemPrompt: String?

    func run() throws {
        // The structural check of every launch: trailer, index checksum, bounds (milliseconds).
        let bundle = try openOwnPayload()
        if verify {
            let status = Verification.run(bundle, name: Self.programName)
            if status != 0 { throw ExitCode(status) }
            return
        }
        if info {
            try reportingErrors {
                print(ModelInfo.text(manifest: try bundle.manifest(), runConfig: try bundle.runConfig(), tensorData: bundle.section(.tensorData)))
            }
            return
        }
        try reportingErrors {
            let source = try ModelSource.openEmbedded()
            if selftest {
                let status = try SelfTestCommand.run(source: source, engine: engine, name: Self.programName)
                if status != 0 { throw ExitCode(status) }
                return
            }
            if generation.prompt != nil {
                try OneShot.run(source: source, engine: engine, generation: generation, programName: Self.programName)
                return
            }
            let useChat = chat || (!server && Terminal.isInteractive)
            if useChat {
                let engine = try self.engine.engine(for: source)
                let template = try ChatTemplateChoice(file: serverOptions.chatTemplateFile, runConfig: source.runConfig)
                let chatPrompt = try ChatPrompt(gguf: source.gguf, tokenizer: engine.tokenizer,
                                                override: template.source, overrideOrigin: template.origin)
                try TerminalChat(engine: engine, chat: chatPrompt, sampling: try generation.sampling(defaults: source.runConfig),
                                 systemPrompt: systemPrompt ?? source.runConfig.systemPrompt,
                                 maxTokens: generation.tokens < 0 ? nil : generation.tokens, name: Self.programName).run()
            } else {
                try ServerMode.run(source: source, engine: engine, generation: generation, options: serverOptions,
                                   systemPrompt: systemPrompt ?? source.runConfig.systemPrompt,
                                   name: Self.programName, openBrowser: !server)
            }
        }
    }

    /// The payload of this very file; says so and exits 2 when there is none.
    func openOwnPayload() throws -> BundleReader {
        do {
            return try ModelSource.embeddedBundle()
        } catch let error as BundleError where error.kind == .noPayload {
            Terminal.printError("\(Self.programName): no llmpack payload: this runner carries no model (or its file is truncated); pack one with `llmpack build MODEL.gguf -o OUT`")
            throw ExitCode(2)
        } catch {
            Terminal.printError("\(Self.programName): error: \(error)")
            throw ExitCode.failure
        }
    }
}

/// Runs `body`; an error becomes one line on standard error and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        Terminal.printError("\(RunnerCommand.programName): error: \(error)")
        throw ExitCode.failure
    }
}

// ServerMode: the runner as a local HTTP server (OpenAI, llama.cpp and ollama APIs and the web
// chat page), started with --server or when there is no terminal (double-clicked in a file manager;
// then the browser is opened when a display exists).
import ArgumentParser
import Bundle
import Generation
import Server
#if canImport(Glibc)
import Glibc
#endif

/// The chat template to use instead of the model's: a file given at launch, else the run config's.
public struct ChatTemplateChoice {
    /// The template's source, nil for the model's own.
    public let source: String?
    /// How /info names it.
    public let origin: String

    public init(file: String?, runConfig: RunConfig) throws {
        if let file {
            source = try LLMPack.readTextFile(file, what: "chat template")
            origin = "--chat-template \(file)"
        } else {
            source = runConfig.chatTemplate
            origin = "packed at build time"
        }
    }
}

/// The server's command-line options.
public struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on (numeric; default 127.0.0.1).") public var host: String = "127.0.0.1"
    @Option(help: "Port; 0 picks any free one (default: the run config's, else 8080 or the next free one).") public var port: Int?
    @Option(name: .customLong("api-key"), help: "Require this Bearer key on every API route.") public var apiKey: String?
    @Option(help: "Requests served at once, each with its own KV cache (default: the run config's, else 1).") public var parallel: Int?
    @Option(help: "Requests that may wait for a free slot; more get 503 (default: twice --parallel).") public var queue: Int?
    @Option(help: "Allow cross-origin requests from this origin.") public var cors: String?
    @Option(name: .customLong("timeout"), help: "Seconds a request may take before it is cut off.") public var timeout: Int = 600
    @Option(name: .customLong("chat-template"), help: "A Jinja chat template file to use instead of the model's.")
    public var chatTemplateFile: String?

    public init() {}

    public func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        if let parallel, !(1...64).contains(parallel) { throw ValidationError("--parallel must be between 1 and 64") }
        if let queue, !(0...4096).contains(queue) { throw ValidationError("--queue must be between 0 and 4096") }
        if timeout < 1 { throw ValidationError("--timeout must be positive") }
    }
}

public enum ServerMode {
    /// Serves until stopped. Unset options take the run config's values (port, parallel, chat
    /// template); `systemPrompt` is used for chat requests that bring no system message.
    public static func run(source: ModelSource, engine engineOptions: EngineOptions, generation: GenerationOptions,
                           options: ServerOptions, systemPrompt: String? = nil, name: String, openBrowser: Bool) throws {
        let config = source.runConfig
        let port = options.port ?? config.port
        let parallel = options.parallel ?? config.parallel ?? 1
        let engine = try engineOptions.engine(for: source)
        let template = try ChatTemplateChoice(file: options.chatTemplateFile, runConfig: config)
        let backend = try EngineBackend(source: source, engine: engine, parallel: parallel, chatTemplate: template.source,
                                        chatTemplateOrigin: template.origin, systemPrompt: systemPrompt,
                                        defaults: try generation.sampling(defaults: config))
        var configuration = ServerConfiguration()
        configuration.host = options.host
        configuration.port = port ?? 8080
        configuration.searchFreePort = port == nil
        configuration.apiKey = options.apiKey
        configuration.parallel = parallel
        configuration.queueDepth = options.queue
        configuration.corsOrigin = options.cors
        configuration.requestTimeLimit = .seconds(options.timeout)
        try configuration.validate()
        let app = try buildApplication(configuration: configuration, backend: backend)
        let address = try app.start()
        if openBrowser, getenv("DISPLAY") != nil || getenv("WAYLAND_DISPLAY") != nil {
            openInBrowser(address.url)
        }
        try app.waitUntilStopped()
    }

    /// Opens `url` with xdg-open in the background; failures are ignored (the URL was printed).
    static func openInBrowser(_ url: String) {
        var pid: pid_t = 0
        let args = ["xdg-open", url]
        var cArgs = args.map { strdup($0) }
        cArgs.append(nil)
        defer { cArgs.forEach { free($0) } }
        _ = posix_spawnp(&pid, "xdg-open", nil, nil, &cArgs, environ)
    }
}

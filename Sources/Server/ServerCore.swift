// What every connection of one server shares: settings, backend, slots and routes.

/// The shared, immutable core of a running server.
final class ServerCore: Sendable {
    let configuration: ServerConfiguration
    let backend: any CompletionBackend
    let scheduler: SlotScheduler
    let router: Router
    let bindAddress: BindAddress

    init(configuration: ServerConfiguration, backend: any CompletionBackend) throws {
        try configuration.validate()
        self.configuration = configuration
        self.backend = backend
        self.bindAddress = try BindAddress(host: configuration.host)
        self.scheduler = SlotScheduler(slots: configuration.parallel, queueDepth: configuration.effectiveQueueDepth)
        self.router = Router(WebChatRoutes.routes + OpenAIRoutes.routes + LlamaCppRoutes.routes + OllamaRoutes.routes)
    }
}

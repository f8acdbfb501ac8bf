// The route table: which method and path lead to which handler, and in which API's shape errors
// are answered. Unknown paths give 404, known paths with another method 405.

import NIOHTTP1

/// One endpoint.
struct Route: Sendable {
    let method: HTTPMethod
    let path: String
    let flavor: APIFlavor
    /// Reachable without the API key (only `/health` and the chat page).
    let isPublic: Bool
    let handle: @Sendable (HTTPRequest, ServerCore) throws(APIError) -> RouteOutcome

    init(
        _ method: HTTPMethod, _ path: String, _ flavor: APIFlavor, isPublic: Bool = false,
        _ handle: @escaping @Sendable (HTTPRequest, ServerCore) throws(APIError) -> RouteOutcome
    ) {
        self.method = method
        self.path = path
        self.flavor = flavor
        self.isPublic = isPublic
        self.handle = handle
    }
}

/// Finds the route of a request.
struct Router: Sendable {
    private let routes: [String: [Route]]

    init(_ routes: [Route]) {
        self.routes = Dictionary(grouping: routes, by: \.path)
    }

    enum Match {
        case found(Route)
        case wrongMethod(allowed: [HTTPMethod], flavor: APIFlavor)
        case notFound(flavor: APIFlavor)
    }

    func match(method: HTTPMethod, path: String) -> Match {
        guard let candidates = routes[path] else { return .notFound(flavor: Router.flavor(ofPath: path)) }
        if let route = candidates.first(where: { $0.method == method }) { return .found(route) }
        return .wrongMethod(allowed: candidates.map(\.method), flavor: candidates[0].flavor)
    }

    /// Whether `path` is a known route (for CORS preflight).
    func knows(_ path: String) -> Bool { routes[path] != nil }

    /// The API family a path belongs to, for answering errors on unknown paths.
    static func flavor(ofPath path: String) -> APIFlavor {
        path.hasPrefix("/api/") ? .ollama : .openAI
    }
}

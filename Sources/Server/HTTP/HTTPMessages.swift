// The request a route sees and the response it returns, independent of NIO's streaming parts.

import NIOHTTP1

/// A complete request: head plus body.
struct HTTPRequest {
    let head: HTTPRequestHead
    /// The path without the query string.
    let path: String
    let body: [UInt8]

    /// The body as one JSON object with typed field access.
    func jsonFields() throws(APIError) -> JSONFields {
        try JSONFields(body: body)
    }
}

/// A complete (non-streaming) response.
struct HTTPResponse {
    var status: HTTPResponseStatus
    var headers: [(String, String)]
    var body: [UInt8]

    static func json(_ value: JSONValue, status: HTTPResponseStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")], body: value.serializedBytes)
    }

    static func error(_ error: APIError, flavor: APIFlavor) -> HTTPResponse {
        var response = HTTPResponse.json(error.body(for: flavor), status: error.status)
        response.headers += error.headers
        return response
    }

    static func html(_ text: String) -> HTTPResponse {
        HTTPResponse(
            status: .ok,
            headers: [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:"),
                ("X-Frame-Options", "DENY"),
            ],
            body: Array(text.utf8))
    }

    static func empty(_ status: HTTPResponseStatus) -> HTTPResponse {
        HTTPResponse(status: status, headers: [], body: [])
    }
}

/// What a route asks the connection to do.
enum RouteOutcome {
    /// Answer at once.
    case response(HTTPResponse)
    /// Run a generation on a slot and answer with its output.
    case generation(GenerationPlan)
}

/// A generation to run and how to present its output.
struct GenerationPlan {
    var request: GenerationRequest
    var renderer: any GenerationRenderer
}

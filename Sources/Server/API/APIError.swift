// An error answered to a client: HTTP status plus a message, rendered in the shape the calling
// API uses (OpenAI/llama.cpp: {"error": {"message", "type", "code"}}; ollama: {"error": "..."}).

import NIOHTTP1

/// Which API family a route belongs to; decides how errors and streams look.
enum APIFlavor: Sendable {
    case openAI
    case llamaCpp
    case ollama
}

/// An HTTP error response.
struct APIError: Error, Sendable, CustomStringConvertible {
    var status: HTTPResponseStatus
    var message: String
    /// OpenAI's error type, e.g. "invalid_request_error".
    var type: String
    /// Extra response headers, e.g. `Allow` for 405.
    var headers: [(String, String)] = []
    /// Close the connection after answering (the rest of the request was not read).
    var closeConnection = false

    var description: String { "\(status.code) \(message)" }

    static func invalidRequest(_ message: String) -> APIError {
        APIError(status: .badRequest, message: message, type: "invalid_request_error")
    }
    static func notFound(_ path: String) -> APIError {
        APIError(status: .notFound, message: "no route for \(path)", type: "not_found_error")
    }
    static func methodNotAllowed(_ method: String, path: String, allowed: [String]) -> APIError {
        APIError(
            status: .methodNotAllowed, message: "\(method) is not allowed on \(path); use \(allowed.joined(separator: ", "))",
            type: "invalid_request_error", headers: [("Allow", allowed.joined(separator: ", "))])
    }
    static let unauthorized = APIError(
        status: .unauthorized, message: "invalid or missing API key: send Authorization: Bearer <key>",
        type: "authentication_error", headers: [("WWW-Authenticate", "Bearer")])
    static func forbidden(_ message: String) -> APIError {
        APIError(status: .forbidden, message: message, type: "permission_error")
    }
    static func payloadTooLarge(limit: Int) -> APIError {
        APIError(
            status: .payloadTooLarge, message: "the request body is larger than the limit of \(limit) bytes",
            type: "invalid_request_error", closeConnection: true)
    }
    static let headersTooLarge = APIError(
        status: .requestHeaderFieldsTooLarge, message: "too many or too large request headers",
        type: "invalid_request_error", closeConnection: true)
    static func malformedRequest(_ message: String) -> APIError {
        APIError(status: .badRequest, message: message, type: "invalid_request_error", closeConnection: true)
    }
    static func busy(_ message: String) -> APIError {
        APIError(status: .serviceUnavailable, message: message, type: "unavailable_error")
    }
    static func internalError(_ message: String) -> APIError {
        APIError(status: .internalServerError, message: message, type: "server_error")
    }

    /// The JSON body for `flavor`.
    func body(for flavor: APIFlavor) -> JSONValue {
        switch flavor {
        case .ollama:
            return .object([("error", .string(message))])
        case .openAI, .llamaCpp:
            return .object([
                ("error", .object([
                    ("message", .string(message)),
                    ("type", .string(type)),
                    ("param", .null),
                    ("code", .integer(Int(status.code))),
                ]))
            ])
        }
    }
}

extension APIError {
    /// The backend's typed errors as HTTP errors.
    init(_ error: BackendError) {
        switch error {
        case .promptTooLong, .invalidRequest: self = .invalidRequest(error.description)
        case .failed(let message): self = .internalError(message)
        }
    }
}

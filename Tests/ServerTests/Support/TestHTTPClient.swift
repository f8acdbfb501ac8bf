// A small HTTP/1.1 client over raw loopback sockets, so the tests talk real HTTP to the server
// (including malformed and oversized requests no library client would send).

import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct ClientError: Error, CustomStringConvertible {
    let description: String
}

/// One TCP connection to 127.0.0.1.
final class RawConnection {
    private let fd: Int32
    private var closed = false

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket() failed") }
        // Never hang a test: reads give up after 30 s.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw ClientError(description: "connect to port \(port) failed: errno \(errno)")
        }
    }

    deinit { close() }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw ClientError(description: "send failed: errno \(errno)") }
            offset += sent
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Some bytes; empty at end of stream.
    func receive() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == ECONNRESET { return [] }
            throw ClientError(description: "recv failed: errno \(errno)")
        }
        return Array(buffer[..<count])
    }

    /// Everything until the server closes the connection.
    func receiveAll() throws -> [UInt8] {
        var all: [UInt8] = []
        while true {
            let chunk = try receive()
            if chunk.isEmpty { return all }
            all += chunk
        }
    }

    /// Reads until `marker` has appeared in what was received; returns all of it.
    func receive(until marker: String) throws -> [UInt8] {
        var all: [UInt8] = []
        while !String(decoding: all, as: UTF8.self).contains(marker) {
            let chunk = try receive()
            if chunk.isEmpty { throw ClientError(description: "connection closed before \(marker)") }
            all += chunk
        }
        return all
    }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }
}

/// A parsed HTTP response.
struct HTTPReply {
    let status: Int
    let headers: [(String, String)]
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The body as a JSON object.
    func json() throws -> [String: Any] {
        try jsonObject(text)
    }

    /// The `data: ...` payloads of a server-sent-events body.
    var events: [String] {
        text.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
    }

    /// Each line of an NDJSON body as a JSON object.
    func jsonLines() throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try jsonObject(String($0)) }
    }

    /// Parses one response from the start of `bytes`; returns it and how many bytes it used.
    static func parse(_ bytes: [UInt8]) throws -> (HTTPReply, Int) {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headEnd = bytes.firstRange(of: separator) else {
            throw ClientError(description: "no complete head in \(String(decoding: bytes, as: UTF8.self))")
        }
        let lines = String(decoding: bytes[..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw ClientError(description: "bad status line \(lines[0])")
        }
        let headers: [(String, String)] = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var index = headEnd.upperBound
        var body: [UInt8] = []
        let header = { (name: String) in headers.first { $0.0.lowercased() == name }?.1 }
        if header("transfer-encoding")?.lowercased() == "chunked" {
            while true {
                guard let lineEnd = bytes[index...].firstRange(of: Array("\r\n".utf8)) else {
                    throw ClientError(description: "truncated chunked body")
                }
                let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self)
                guard let size = Int(sizeText.split(separator: ";")[0], radix: 16) else {
                    throw ClientError(description: "bad chunk size \(sizeText)")
                }
                index = lineEnd.upperBound
                if size == 0 {
                    index += 2
                    break
                }
                guard index + size <= bytes.count else { throw ClientError(description: "truncated chunk") }
                body += bytes[index..<(index + size)]
                index += size + 2
            }
        } else if let length = header("content-length").flatMap({ Int($0) }) {
            guard index + length <= bytes.count else { throw ClientError(description: "truncated body") }
            body = Array(bytes[index..<(index + length)])
            index += length
        } else {
            body = Array(bytes[index...])
            index = bytes.count
        }
        return (HTTPReply(status: status, headers: headers, body: body), min(index, bytes.count))
    }
}

/// Parses a JSON object.
func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw ClientError(description: "not a JSON object: \(text)")
    }
    return object
}

/// Sends one request with "Connection: close" and reads the whole response.
func request(
    port: Int, _ method: String, _ path: String, body: String? = nil,
    headers: [(String, String)] = [], host: String? = "127.0.0.1"
) throws -> HTTPReply {
    let connection = try RawConnection(port: port)
    defer { connection.close() }
    try connection.send(requestText(method, path, body: body, headers: headers, host: host, close: true))
    return try HTTPReply.parse(try connection.receiveAll()).0
}

/// POSTs a JSON body.
func post(port: Int, _ path: String, _ json: String, headers: [(String, String)] = []) throws -> HTTPReply {
    try request(port: port, "POST", path, body: json, headers: headers + [("Content-Type", "application/json")])
}

/// The text of a request (with Content-Length when there is a body).
func requestText(
    _ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = [],
    host: String? = "127.0.0.1", close: Bool = true
) -> String {
    var text = "\(method) \(path) HTTP/1.1\r\n"
    if let host { text += "Host: \(host)\r\n" }
    for (name, value) in headers { text += "\(name): \(value)\r\n" }
    if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
    if close { text += "Connection: close\r\n" }
    return text + "\r\n" + (body ?? "")
}

/// Waits (up to 20 s, polling) until `condition` holds; returns whether it did.
func eventually(_ condition: () -> Bool) -> Bool {
    for _ in 0..<4000 {
        if condition() { return true }
        usleep(5000)
    }
    return condition()
}

/// The `error` object of an OpenAI-style error body.
func errorObject(_ reply: HTTPReply) throws -> [String: Any] {
    guard let error = try reply.json()["error"] as? [String: Any] else {
        throw ClientError(description: "no error object in \(reply.text)")
    }
    return error
}

// Each hardening rule over real HTTP: loopback binding and its warning, Host checks against DNS
// rebinding, CORS only when configured, the API key, size limits, request validation, the
// prompt-length check, the time limit, and 404/405.

import Foundation
import Server
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct BindingTests {
    @Test func defaultsAreLoopbackPort8080WithoutCORS() {
        let configuration = ServerConfiguration()
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.corsOrigin == nil)
        #expect(configuration.apiKey == nil)
        #expect(configuration.maxBodyBytes == 8 * 1024 * 1024)
        #expect(configuration.effectiveQueueDepth == 2 * configuration.parallel)
        #expect(configuration.securityWarning == nil)
    }

    @Test func nonLoopbackWithoutKeyWarns() throws {
        let open = ServerConfiguration(host: "0.0.0.0")
        let warning = try #require(open.securityWarning)
        #expect(warning.contains("0.0.0.0") && warning.contains("--api-key"))
        #expect(ServerConfiguration(host: "0.0.0.0", apiKey: "k").securityWarning == nil)
        #expect(ServerConfiguration(host: "::1").securityWarning == nil)
        #expect(ServerConfiguration(host: "127.0.0.2").securityWarning == nil)
        #expect(ServerConfiguration(host: "192.168.1.5").securityWarning != nil)
    }

    @Test func hostNamesAreRefusedWithoutDNS() {
        #expect(throws: ServerError.self) { try ServerConfiguration(host: "example.com").validate() }
        #expect(throws: ServerError.self) { try ServerConfiguration(host: "256.1.1.1").validate() }
        #expect(throws: ServerError.self) { try ServerConfiguration(port: 70000).validate() }
        #expect(throws: ServerError.self) { try ServerConfiguration(parallel: 0).validate() }
        #expect(throws: Never.self) { try ServerConfiguration(host: "localhost").validate() }
        #expect(throws: Never.self) { try ServerConfiguration(host: "::1").validate() }
    }

    @Test func takenPortMovesToTheNextFreeOne() throws {
        // Occupy a port with a plain listening socket.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        try #require(bound)
        let taken = Int(UInt16(bigEndian: address.sin_port))
        try #require(taken < 65000)

        var logged: [String] = []
        var configuration = ServerConfiguration(host: "127.0.0.1", port: taken)
        let lines = LockedLines()
        configuration.log = { lines.append($0) }
        let application = try buildApplication(configuration: configuration, backend: FakeBackend())
        let chosen = try application.start()
        defer { try? application.stop() }
        logged = lines.all
        #expect(chosen.port > taken)
        #expect(chosen.host == "127.0.0.1")
        #expect(logged.contains { $0.contains("http://127.0.0.1:\(chosen.port)") })
        #expect(try request(port: chosen.port, "GET", "/health").status == 200)

        var strict = configuration
        strict.searchFreePort = false
        let second = try buildApplication(configuration: strict, backend: FakeBackend())
        #expect(throws: ServerError.self) { try second.start() }
    }

    @Test func nonLoopbackBindSkipsTheHostCheck() throws {
        try withServer(configure: { $0.host = "0.0.0.0"; $0.apiKey = "k" }) { server in
            let reply = try request(
                port: server.port, "GET", "/v1/models", headers: [("Authorization", "Bearer k")], host: "my-server.lan:8080")
            #expect(reply.status == 200)
        }
    }
}

/// Log lines collected from the server's threads.
final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}

@Suite struct HostHeaderTests {
    @Test func foreignHostIsRefusedOnLoopback() throws {
        try withServer { server in
            for host in ["evil.example.com", "localhost.evil.com", "127.0.0.1.nip.io:8080", "localhost:80x", "10.0.0.1"] {
                let reply = try request(port: server.port, "GET", "/v1/models", host: host)
                #expect(reply.status == 403, "Host \(host)")
                #expect(try errorObject(reply)["type"] as? String == "permission_error")
            }
            for host in ["localhost", "LOCALHOST:8080", "127.0.0.1", "127.0.0.1:1234", "[::1]", "[::1]:8080"] {
                #expect(try request(port: server.port, "GET", "/v1/models", host: host).status == 200, "Host \(host)")
            }
        }
    }
}

@Suite struct CORSTests {
    @Test func noCORSHeadersByDefault() throws {
        try withServer { server in
            let reply = try request(port: server.port, "GET", "/v1/models", headers: [("Origin", "http://evil.example")])
            #expect(reply.status == 200)
            #expect(!reply.headers.contains { $0.0.lowercased().hasPrefix("access-control-") })
            let preflight = try request(port: server.port, "OPTIONS", "/v1/chat/completions",
                headers: [("Origin", "http://evil.example"), ("Access-Control-Request-Method", "POST")])
            #expect(preflight.status == 405)
            #expect(!preflight.headers.contains { $0.0.lowercased().hasPrefix("access-control-") })
        }
    }

    @Test func configuredOriginOnlyAndPreflight() throws {
        try withServer(configure: { $0.corsOrigin = "http://app.local:3000"; $0.apiKey = "key" }) { server in
            let auth = ("Authorization", "Bearer key")
            let allowed = try request(port: server.port, "GET", "/v1/models", headers: [("Origin", "http://app.local:3000"), auth])
            #expect(allowed.header("Access-Control-Allow-Origin") == "http://app.local:3000")
            let other = try request(port: server.port, "GET", "/v1/models", headers: [("Origin", "http://evil.example"), auth])
            #expect(other.header("Access-Control-Allow-Origin") == nil)

            // Browsers send preflights without credentials.
            let preflight = try request(port: server.port, "OPTIONS", "/v1/chat/completions",
                headers: [("Origin", "http://app.local:3000"), ("Access-Control-Request-Method", "POST")])
            #expect(preflight.status == 204)
            #expect(preflight.header("Access-Control-Allow-Origin") == "http://app.local:3000")
            #expect(preflight.header("Access-Control-Allow-Methods")?.contains("POST") == true)
            #expect(preflight.header("Access-Control-Allow-Headers")?.lowercased().contains("authorization") == true)
            let foreign = try request(port: server.port, "OPTIONS", "/v1/chat/completions",
                headers: [("Origin", "http://evil.example"), ("Access-Control-Request-Method", "POST")])
            #expect(foreign.status == 403)
            #expect(foreign.header("Access-Control-Allow-Origin") == nil)
        }
    }
}

@Suite struct APIKeyTests {
    @Test func everyRouteButHealthNeedsTheKey() throws {
        try withServer(configure: { $0.apiKey = "s3cret-key" }) { server in
            let chat = #"{"messages": [{"role": "user", "content": "hi"}]}"#
            for (method, path, body) in [
                ("GET", "/v1/models", nil), ("POST", "/v1/chat/completions", chat), ("POST", "/completion", #"{"prompt": "a"}"#),
                ("POST", "/tokenize", #"{"content": "a"}"#), ("GET", "/api/tags", nil), ("POST", "/api/chat", chat),
            ] as [(String, String, String?)] {
                let missing = try request(port: server.port, method, path, body: body)
                #expect(missing.status == 401, "\(path)")
                let wrong = try request(port: server.port, method, path, body: body, headers: [("Authorization", "Bearer s3cret-kez")])
                #expect(wrong.status == 401, "\(path)")
                let short = try request(port: server.port, method, path, body: body, headers: [("Authorization", "Bearer s3cret")])
                #expect(short.status == 401, "\(path)")
                let right = try request(port: server.port, method, path, body: body, headers: [("Authorization", "Bearer s3cret-key")])
                #expect(right.status == 200, "\(path)")
            }
            let missing = try request(port: server.port, "GET", "/v1/models")
            #expect(try errorObject(missing)["type"] as? String == "authentication_error")
            #expect(try request(port: server.port, "GET", "/health").status == 200)
            #expect(try request(port: server.port, "GET", "/").status == 200)  // the page itself holds no data
        }
    }
}

@Suite struct LimitTests {
    @Test func bodyOverTheCapIs413() throws {
        try withServer { server in
            // Announced too large: refused before any body byte is read.
            let connection = try RawConnection(port: server.port)
            try connection.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(8 * 1024 * 1024 + 1)\r\n\r\n")
            let (reply, _) = try HTTPReply.parse(try connection.receiveAll())
            #expect(reply.status == 413)
            #expect(try errorObject(reply)["type"] as? String == "invalid_request_error")
        }
        try withServer(configure: { $0.maxBodyBytes = 1000 }) { server in
            // Chunked, so the size is only known while reading.
            let connection = try RawConnection(port: server.port)
            var text = "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            for _ in 0..<3 { text += "200\r\n" + String(repeating: " ", count: 512) + "\r\n" }
            text += "0\r\n\r\n"
            try connection.send(text)
            let (reply, _) = try HTTPReply.parse(try connection.receiveAll())
            #expect(reply.status == 413)

            // Just under the cap is fine.
            let padded = #"{"prompt": "hi"}"# + String(repeating: " ", count: 900)
            #expect(try post(port: server.port, "/v1/completions", padded).status == 200)
        }
    }

    @Test func tooManyOrTooLargeHeadersAre431() throws {
        try withServer { server in
            let many = (0..<150).map { ("X-Filler-\($0)", "v") }
            let reply = try request(port: server.port, "GET", "/health", headers: many)
            #expect(reply.status == 431)
            let huge = try request(port: server.port, "GET", "/health", headers: [("X-Big", String(repeating: "a", count: 20_000))])
            #expect(huge.status == 431)
            #expect(try request(port: server.port, "GET", "/health").status == 200)
        }
    }

    @Test func malformedRequestLineIs400() throws {
        try withServer { server in
            let connection = try RawConnection(port: server.port)
            try connection.send("THIS IS NOT HTTP\r\n\r\n")
            let (reply, _) = try HTTPReply.parse(try connection.receiveAll())
            #expect(reply.status == 400)
        }
    }
}

@Suite struct ValidationTests {
    /// Posts `body` to `path` and returns the error message of the 400 it must get.
    private func badRequest(_ port: Int, _ path: String, _ body: String) throws -> String {
        let reply = try post(port: port, path, body)
        #expect(reply.status == 400, "\(path) \(body)")
        let error = try errorObject(reply)
        #expect(error["type"] as? String == "invalid_request_error")
        return error["message"] as? String ?? ""
    }

    /// Expects a 400 whose message mentions `text`.
    private func expectBadRequest(_ port: Int, _ path: String, _ body: String, mentions text: String) throws {
        let message = try badRequest(port, path, body)
        #expect(message.contains(text), "\(path) \(body): \(message)")
    }

    @Test func wrongJSONTypesAre400() throws {
        try withServer { server in
            let port = server.port
            try expectBadRequest(port, "/v1/chat/completions", #"{"messages": "hi"}"#, mentions: "'messages'")
            try expectBadRequest(port, "/v1/chat/completions", #"{"messages": [{"role": "user", "content": 5}]}"#, mentions: "content")
            try expectBadRequest(port, "/v1/chat/completions", #"{"messages": [{"role": "wizard", "content": "x"}]}"#, mentions: "role")
            try expectBadRequest(port, "/v1/chat/completions", #"{"messages": []}"#, mentions: "empty")
            try expectBadRequest(port, "/v1/chat/completions", #"{"messages": [{"role": "user", "content": "x"}], "max_tokens": "10"}"#, mentions: "'max_tokens'")
            try expectBadRequest(port, "/v1/chat/completions", #"{"messages": [{"role": "user", "content": "x"}], "temperature": "hot"}"#, mentions: "'temperature'")
            try expectBadRequest(port, "/v1/chat/completions", #"{"messages": [{"role": "user", "content": "x"}], "stream": "yes"}"#, mentions: "'stream'")
            try expectBadRequest(port, "/v1/chat/completions", #"{"messages": [{"role": "user", "content": "x"}], "stop": [1]}"#, mentions: "'stop'")
            try expectBadRequest(port, "/v1/chat/completions", #"{"messages": [{"role": "user", "content": "x"}], "top_p": 1.5}"#, mentions: "'top_p'")
            try expectBadRequest(port, "/v1/completions", #"{"prompt": {"a": 1}}"#, mentions: "'prompt'")
            try expectBadRequest(port, "/v1/completions", #"{"prompt": "x", "stream_options": 3}"#, mentions: "stream_options")
            try expectBadRequest(port, "/completion", #"{"prompt": "x", "n_predict": 1.5}"#, mentions: "'n_predict'")
            try expectBadRequest(port, "/tokenize", #"{"content": ["a"]}"#, mentions: "'content'")
            try expectBadRequest(port, "/v1/completions", #"["prompt"]"#, mentions: "object")
            try expectBadRequest(port, "/v1/completions", #"{"prompt": "x""#, mentions: "JSON")
            try expectBadRequest(port, "/v1/completions", "", mentions: "JSON")
            #expect(server.backend.requests.isEmpty)
        }
    }

    @Test func negativeOrHugeMaxTokensAre400() throws {
        try withServer { server in
            let port = server.port
            let chat = #""messages": [{"role": "user", "content": "x"}]"#
            try expectBadRequest(port, "/v1/chat/completions", "{\(chat), \"max_tokens\": -5}", mentions: "-5")
            try expectBadRequest(port, "/v1/chat/completions", "{\(chat), \"max_tokens\": 0}", mentions: "at least 1")
            let huge = try badRequest(port, "/v1/chat/completions", "{\(chat), \"max_tokens\": 1000000}")
            #expect(huge.contains("1000000") && huge.contains("64"))
            try expectBadRequest(port, "/v1/chat/completions", "{\(chat), \"max_tokens\": 1e300}", mentions: "'max_tokens'")
            try expectBadRequest(port, "/v1/completions", #"{"prompt": "x", "max_tokens": 99999999999999999999999}"#, mentions: "'max_tokens'")
            try expectBadRequest(port, "/completion", #"{"prompt": "x", "n_predict": -2}"#, mentions: "'n_predict'")
            #expect(try post(port: port, "/api/chat", "{\(chat), \"options\": {\"num_predict\": -7}}").status == 400)
            #expect(server.backend.requests.isEmpty)
        }
    }

    @Test func tokenIdsOutOfRangeAre400() throws {
        try withServer { server in
            let port = server.port
            try expectBadRequest(port, "/detokenize", #"{"tokens": [1, 1000]}"#, mentions: "1000")
            try expectBadRequest(port, "/detokenize", #"{"tokens": [-1]}"#, mentions: "-1")
            try expectBadRequest(port, "/detokenize", #"{"tokens": [1.5]}"#, mentions: "integer")
            try expectBadRequest(port, "/detokenize", #"{"tokens": 3}"#, mentions: "'tokens'")
            try expectBadRequest(port, "/v1/completions", #"{"prompt": [5, 4000000000]}"#, mentions: "4000000000")
            try expectBadRequest(port, "/completion", #"{"prompt": [5, 1000]}"#, mentions: "out of range")
        }
    }

    @Test func promptLongerThanContextNamesBothLengths() throws {
        try withServer(backend: FakeBackend(contextLength: 16)) { server in
            let words = Array(repeating: "word", count: 20).joined(separator: " ")
            let message = try badRequest(server.port, "/v1/chat/completions", #"{"messages": [{"role": "user", "content": "\#(words)"}]}"#)
            #expect(message.contains("20") && message.contains("16"))
            // Streamed requests too get a plain 400 (nothing was sent yet).
            let streamed = try post(port: server.port, "/v1/completions", #"{"prompt": "\#(words)", "stream": true}"#)
            #expect(streamed.status == 400)
            #expect(try errorObject(streamed)["message"] as? String == message)
        }
    }
}

@Suite struct RoutingTests {
    @Test func unknownRoutesAre404AndWrongMethods405() throws {
        try withServer { server in
            let missing = try request(port: server.port, "GET", "/v2/nothing")
            #expect(missing.status == 404)
            #expect(try errorObject(missing)["message"] as? String != nil)
            let ollamaMissing = try request(port: server.port, "GET", "/api/nothing")
            #expect(ollamaMissing.status == 404)
            #expect(try ollamaMissing.json()["error"] is String)

            let wrong = try request(port: server.port, "GET", "/v1/chat/completions")
            #expect(wrong.status == 405)
            #expect(wrong.header("Allow") == "POST")
            #expect(try request(port: server.port, "POST", "/health", body: "{}").status == 405)
            #expect(try request(port: server.port, "DELETE", "/v1/models").status == 405)
            #expect(try request(port: server.port, "GET", "/v1/models?x=1").status == 200)
        }
    }
}

@Suite struct TimeLimitTests {
    @Test func expiredRequestFinishesWithLength() throws {
        let backend = FakeBackend(pieceDelayMicroseconds: 2000) { _ in nil }  // endless
        try withServer(backend: backend, configure: { $0.requestTimeLimit = .milliseconds(300) }) { server in
            let reply = try post(port: server.port, "/v1/chat/completions", #"{"messages": [{"role": "user", "content": "go"}]}"#)
            #expect(reply.status == 200)
            let choice = try #require((try reply.json()["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "length")
            #expect(((choice["message"] as? [String: Any])?["content"] as? String)?.hasPrefix("tick ") == true)

            let streamed = try post(port: server.port, "/v1/completions", #"{"prompt": "go", "stream": true}"#)
            #expect(streamed.events.last == "[DONE]")
            let last = try jsonObject(streamed.events.dropLast().last ?? "{}")
            #expect((last["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "length")
            #expect(backend.cancellationReasons == [.timeLimit, .timeLimit])
        }
    }
}

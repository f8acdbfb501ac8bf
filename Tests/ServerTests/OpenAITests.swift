// The OpenAI endpoints over real HTTP: response shapes (whole and streamed), usage, stop strings,
// max_tokens and the sampling fields reaching the backend.

import Foundation
import Server
import Testing

@Suite struct OpenAITests {
    @Test func chatCompletionHasOpenAIShape() throws {
        try withServer { server in
            let reply = try post(port: server.port, "/v1/chat/completions", #"""
                {"model": "x", "messages": [{"role": "system", "content": "Be brief."},
                                            {"role": "user", "content": "Say hello to the world"}]}
                """#)
            #expect(reply.status == 200)
            #expect(reply.header("content-type")?.hasPrefix("application/json") == true)
            let json = try reply.json()
            #expect((json["id"] as? String)?.hasPrefix("chatcmpl-") == true)
            #expect(json["object"] as? String == "chat.completion")
            #expect(json["model"] as? String == "fake-model-Q4_K_M")
            #expect((json["created"] as? Int ?? 0) > 1_600_000_000)
            let choices = try #require(json["choices"] as? [[String: Any]])
            #expect(choices.count == 1)
            #expect(choices[0]["index"] as? Int == 0)
            #expect(choices[0]["finish_reason"] as? String == "stop")
            let message = try #require(choices[0]["message"] as? [String: Any])
            #expect(message["role"] as? String == "assistant")
            #expect(message["content"] as? String == "Hello, world!")
            let usage = try #require(json["usage"] as? [String: Any])
            #expect(usage["prompt_tokens"] as? Int == 7)
            #expect(usage["completion_tokens"] as? Int == 4)
            #expect(usage["total_tokens"] as? Int == 11)
            let sent = try #require(server.backend.requests.first)
            #expect(sent.input == .chat([
                ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Say hello to the world"),
            ]))
        }
    }

    @Test func chatStreamSendsRoleFirstThenDeltasThenDone() throws {
        try withServer { server in
            let reply = try post(port: server.port, "/v1/chat/completions", #"""
                {"messages": [{"role": "user", "content": "hi"}], "stream": true,
                 "stream_options": {"include_usage": true}}
                """#)
            #expect(reply.status == 200)
            #expect(reply.header("content-type")?.hasPrefix("text/event-stream") == true)
            let events = reply.events
            #expect(events.last == "[DONE]")
            let chunks = try events.dropLast().map { try jsonObject($0) }
            #expect(chunks.count == 7)  // role, 4 deltas, finish, usage
            let ids = Set(chunks.compactMap { $0["id"] as? String })
            #expect(ids.count == 1 && ids.first?.hasPrefix("chatcmpl-") == true)
            #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
            func choice(_ chunk: [String: Any]) -> [String: Any]? { (chunk["choices"] as? [[String: Any]])?.first }
            let first = try #require(choice(chunks[0]))
            #expect((first["delta"] as? [String: Any])?["role"] as? String == "assistant")
            #expect(first["finish_reason"] is NSNull)
            let text = chunks[1...4].compactMap { (choice($0)?["delta"] as? [String: Any])?["content"] as? String }.joined()
            #expect(text == "Hello, world!")
            let finish = try #require(choice(chunks[5]))
            #expect(finish["finish_reason"] as? String == "stop")
            #expect((finish["delta"] as? [String: Any])?.isEmpty == true)
            #expect((chunks[6]["choices"] as? [Any])?.isEmpty == true)
            let usage = try #require(chunks[6]["usage"] as? [String: Any])
            #expect(usage["completion_tokens"] as? Int == 4)
            #expect(usage["prompt_tokens"] as? Int == 1)
        }
    }

    @Test func streamWithoutUsageOptionHasNoUsageChunk() throws {
        try withServer { server in
            let reply = try post(port: server.port, "/v1/chat/completions",
                #"{"messages": [{"role": "user", "content": "hi"}], "stream": true}"#)
            #expect(reply.events.count == 7)  // role, 4 deltas, finish, [DONE]
            #expect(!reply.text.contains("\"usage\""))
        }
    }

    @Test func textCompletionWholeAndStreamed() throws {
        try withServer { server in
            let whole = try post(port: server.port, "/v1/completions", #"{"prompt": "Once upon a time", "max_tokens": 10}"#)
            #expect(whole.status == 200)
            let json = try whole.json()
            #expect((json["id"] as? String)?.hasPrefix("cmpl-") == true)
            #expect(json["object"] as? String == "text_completion")
            let choice = try #require((json["choices"] as? [[String: Any]])?.first)
            #expect(choice["text"] as? String == "Hello, world!")
            #expect(choice["finish_reason"] as? String == "stop")
            #expect((json["usage"] as? [String: Any])?["prompt_tokens"] as? Int == 4)
            #expect(server.backend.requests.first?.input == .text("Once upon a time"))

            let streamed = try post(port: server.port, "/v1/completions", #"{"prompt": "Once", "stream": true}"#)
            #expect(streamed.events.last == "[DONE]")
            let chunks = try streamed.events.dropLast().map { try jsonObject($0) }
            #expect(chunks.allSatisfy { $0["object"] as? String == "text_completion" })
            let choices = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first }
            #expect(choices.compactMap { $0["text"] as? String }.joined() == "Hello, world!")
            #expect(choices.last?["finish_reason"] as? String == "stop")
        }
    }

    @Test func completionAcceptsTokenIdPrompts() throws {
        try withServer { server in
            let reply = try post(port: server.port, "/v1/completions", #"{"prompt": [72, 105]}"#)
            #expect(reply.status == 200)
            #expect(server.backend.requests.first?.input == .tokens([72, 105]))
        }
    }

    @Test func maxTokensEndsWithLength() throws {
        try withServer { server in
            let reply = try post(port: server.port, "/v1/chat/completions",
                #"{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}"#)
            let json = try reply.json()
            let choice = try #require((json["choices"] as? [[String: Any]])?.first)
            #expect((choice["message"] as? [String: Any])?["content"] as? String == "Hello,")
            #expect(choice["finish_reason"] as? String == "length")
            #expect((json["usage"] as? [String: Any])?["completion_tokens"] as? Int == 2)
        }
    }

    @Test func stopStringCutsTheText() throws {
        let backend = FakeBackend { _ in ["Hello", " wor", "ld", " and", " more"] }
        try withServer(backend: backend) { server in
            // A stop string split over two pieces, given as a plain string.
            let single = try post(port: server.port, "/v1/chat/completions",
                #"{"messages": [{"role": "user", "content": "hi"}], "stop": "world"}"#)
            let choice = try #require((try single.json()["choices"] as? [[String: Any]])?.first)
            #expect((choice["message"] as? [String: Any])?["content"] as? String == "Hello ")
            #expect(choice["finish_reason"] as? String == "stop")

            // An array of stop strings, streamed: the earliest match wins, nothing after it is sent.
            let streamed = try post(port: server.port, "/v1/completions",
                #"{"prompt": "hi", "stop": ["more", " and"], "stream": true}"#)
            let chunks = try streamed.events.dropLast().map { try jsonObject($0) }
            let choices = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first }
            #expect(choices.compactMap { $0["text"] as? String }.joined() == "Hello world")
            #expect(choices.last?["finish_reason"] as? String == "stop")
            #expect(backend.cancellationReasons.allSatisfy { $0 == .stopString })
        }
    }

    @Test func samplingFieldsReachTheBackend() throws {
        try withServer { server in
            let reply = try post(port: server.port, "/v1/chat/completions", #"""
                {"messages": [{"role": "user", "content": [{"type": "text", "text": "hi "}, {"type": "text", "text": "there"}]}],
                 "temperature": 0.5, "top_p": 0.9, "top_k": 40, "min_p": 0.05, "seed": 42,
                 "presence_penalty": 0.25, "frequency_penalty": -0.5, "max_tokens": 7, "stop": ["x", "y"]}
                """#)
            #expect(reply.status == 200)
            let sent = try #require(server.backend.requests.first)
            #expect(sent.input == .chat([ChatMessage(role: "user", content: "hi there")]))
            #expect(sent.sampling == SamplingParameters(
                temperature: 0.5, topP: 0.9, topK: 40, minP: 0.05, seed: 42, presencePenalty: 0.25, frequencyPenalty: -0.5))
            #expect(sent.maxTokens == 7)
            #expect(sent.stop == ["x", "y"])
        }
    }

    @Test func modelsListsTheModel() throws {
        try withServer { server in
            let reply = try request(port: server.port, "GET", "/v1/models")
            #expect(reply.status == 200)
            let json = try reply.json()
            #expect(json["object"] as? String == "list")
            let model = try #require((json["data"] as? [[String: Any]])?.first)
            #expect(model["id"] as? String == "fake-model-Q4_K_M")
            #expect(model["object"] as? String == "model")
            #expect(model["owned_by"] is String)
        }
    }

    @Test func keepAliveConnectionServesPipelinedRequestsInOrder() throws {
        try withServer { server in
            let connection = try RawConnection(port: server.port)
            let chat = #"{"messages": [{"role": "user", "content": "hi"}]}"#
            try connection.send(
                requestText("POST", "/v1/chat/completions", body: chat, close: false)
                    + requestText("GET", "/v1/models", close: false)
                    + requestText("GET", "/health", close: true))
            let bytes = try connection.receiveAll()
            let (first, used) = try HTTPReply.parse(bytes)
            let (second, usedAgain) = try HTTPReply.parse(Array(bytes[used...]))
            let (third, _) = try HTTPReply.parse(Array(bytes[(used + usedAgain)...]))
            #expect(first.status == 200 && first.text.contains("chat.completion"))
            #expect(second.status == 200 && second.text.contains("\"list\""))
            #expect(third.status == 200 && third.text.contains("\"ok\""))
        }
    }
}

@Suite struct HTTPProtocolTests {
    @Test func expectContinueGetsA100BeforeTheBody() throws {
        try withServer { server in
            let body = #"{"prompt": "hi"}"#
            let connection = try RawConnection(port: server.port)
            try connection.send(
                "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n"
                    + "Expect: 100-continue\r\nConnection: close\r\n\r\n")
            let interim = try connection.receive(until: "\r\n\r\n")
            #expect(String(decoding: interim, as: UTF8.self).hasPrefix("HTTP/1.1 100 Continue"))
            try connection.send(body)
            let (reply, _) = try HTTPReply.parse(try connection.receiveAll())
            #expect(reply.status == 200)
            #expect(reply.text.contains("Hello, world!"))
        }
    }

    @Test func http10StreamIsDelimitedByClose() throws {
        try withServer { server in
            let body = #"{"prompt": "hi", "stream": true}"#
            let connection = try RawConnection(port: server.port)
            try connection.send("POST /v1/completions HTTP/1.0\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
            let (reply, _) = try HTTPReply.parse(try connection.receiveAll())
            #expect(reply.status == 200)
            #expect(reply.header("transfer-encoding") == nil)
            #expect(reply.events.last == "[DONE]")
        }
    }
}

// Slots and the queue under real concurrent clients: accepted clients get complete, unmixed
// answers, the overflow gets 503, and a client that goes away (running or queued) frees its place.

import Dispatch
import Foundation
import Server
import Testing

@Suite struct ConcurrencyTests {
    /// Each client's reply names the client, so mixed streams would show.
    private static func echoBackend(gateOpen: Bool) -> FakeBackend {
        FakeBackend(pieceDelayMicroseconds: 500, gateOpen: gateOpen) { request in
            guard case .chat(let messages) = request.input, let name = messages.last?.content else { return [] }
            if name == "forever" { return nil }
            return [name, ":"] + (0..<12).map { " \(name)-\($0)" }
        }
    }

    private static func expectedText(_ name: String) -> String {
        name + ":" + (0..<12).map { " \(name)-\($0)" }.joined()
    }

    @Test func eightClientsTwoSlotsQueueOfFour() throws {
        let backend = Self.echoBackend(gateOpen: false)
        try withServer(backend: backend, configure: { $0.parallel = 2; $0.queueDepth = 4 }) { server in
            let port = server.port
            let results = LockedResults()
            let group = DispatchGroup()
            for index in 0..<8 {
                group.enter()
                onNewThread {
                    defer { group.leave() }
                    let name = "client\(index)"
                    let body = #"{"messages": [{"role": "user", "content": "\#(name)"}], "stream": true}"#
                    results.add(name, Result { try post(port: port, "/v1/chat/completions", body) })
                }
            }
            // All eight have been admitted or turned away while the gate holds the first two.
            let settled = eventually {
                let status = server.application.slotStatus
                return status.running == 2 && status.queued == 4 && results.count == 2
            }
            try #require(settled, "slots \(server.application.slotStatus), finished \(results.count)")
            backend.openGate()
            #expect(group.wait(timeout: .now() + 60) == .success)

            var served = 0, refused = 0
            for (name, result) in results.all {
                let reply = try result.get()
                if reply.status == 503 {
                    refused += 1
                    #expect(try errorObject(reply)["type"] as? String == "unavailable_error")
                    continue
                }
                #expect(reply.status == 200)
                served += 1
                #expect(reply.events.last == "[DONE]")
                let chunks = try reply.events.dropLast().map { try jsonObject($0) }
                let text = chunks.compactMap {
                    (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
                }.joined()
                #expect(text == Self.expectedText(name), "\(name) got \(text)")
                #expect(Set(chunks.compactMap { $0["id"] as? String }).count == 1)
            }
            #expect(served == 6)
            #expect(refused == 2)
            #expect(backend.slots == [0, 1])
            let status = server.application.slotStatus
            #expect(status.running == 0 && status.queued == 0 && status.slots == 2 && status.queueDepth == 4)
        }
    }

    @Test func disconnectMidStreamCancelsAndFreesTheSlot() throws {
        let backend = Self.echoBackend(gateOpen: true)
        try withServer(backend: backend, configure: { $0.parallel = 1; $0.queueDepth = 0 }) { server in
            let connection = try RawConnection(port: server.port)
            let body = #"{"messages": [{"role": "user", "content": "forever"}], "stream": true}"#
            try connection.send(requestText("POST", "/v1/chat/completions", body: body))
            _ = try connection.receive(until: "tick")
            #expect(server.application.slotStatus.running == 1)
            connection.close()

            #expect(eventually { server.application.slotStatus.running == 0 })
            #expect(backend.cancellationReasons == [.clientDisconnected])
            let next = try post(port: server.port, "/v1/chat/completions", #"{"messages": [{"role": "user", "content": "next"}]}"#)
            #expect(next.status == 200)
            let choice = (try next.json()["choices"] as? [[String: Any]])?.first
            #expect((choice?["message"] as? [String: Any])?["content"] as? String == Self.expectedText("next"))
        }
    }

    @Test func disconnectWhileWaitingNonStreamingCancels() throws {
        let backend = Self.echoBackend(gateOpen: true)
        try withServer(backend: backend, configure: { $0.parallel = 1 }) { server in
            let connection = try RawConnection(port: server.port)
            try connection.send(requestText("POST", "/api/chat",
                body: #"{"messages": [{"role": "user", "content": "forever"}], "stream": false}"#))
            #expect(eventually { server.application.slotStatus.running == 1 })
            connection.close()
            #expect(eventually { server.application.slotStatus.running == 0 })
            #expect(backend.cancellationReasons == [.clientDisconnected])
        }
    }

    @Test func queuedClientThatLeavesNeverRuns() throws {
        let backend = Self.echoBackend(gateOpen: false)
        try withServer(backend: backend, configure: { $0.parallel = 1; $0.queueDepth = 1 }) { server in
            let port = server.port
            let first = LockedResults()
            let group = DispatchGroup()
            group.enter()
            onNewThread {
                defer { group.leave() }
                first.add("first", Result {
                    try post(port: port, "/v1/chat/completions", #"{"messages": [{"role": "user", "content": "first"}]}"#)
                })
            }
            try #require(eventually { server.application.slotStatus.running == 1 })

            let waiting = try RawConnection(port: port)
            try waiting.send(requestText("POST", "/v1/chat/completions",
                body: #"{"messages": [{"role": "user", "content": "second"}]}"#))
            try #require(eventually { server.application.slotStatus.queued == 1 })
            waiting.close()
            #expect(eventually { server.application.slotStatus.queued == 0 })

            backend.openGate()
            #expect(group.wait(timeout: .now() + 60) == .success)
            let reply = try #require(first.all.first).1.get()
            #expect(reply.status == 200)
            #expect(backend.requests.count == 1)
        }
    }
}

/// Runs `body` on a thread of its own (GCD adds threads for blocked work only slowly).
func onNewThread(_ body: @escaping @Sendable () -> Void) {
    let thread = Thread(block: body)
    thread.stackSize = 1 << 20
    thread.start()
}

/// Replies collected from client threads.
final class LockedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [(String, Result<HTTPReply, any Error>)] = []
    func add(_ name: String, _ result: Result<HTTPReply, any Error>) { lock.lock(); results.append((name, result)); lock.unlock() }
    var all: [(String, Result<HTTPReply, any Error>)] { lock.lock(); defer { lock.unlock() }; return results }
    var count: Int { all.count }
}

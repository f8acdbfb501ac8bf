// The terminal chat in a real terminal: tmux runs the runner (no flags: a terminal means chat),
// send-keys types, capture-pane reads the screen. A reply streams (the screen shows it growing),
// /set temp 0 and /info answer, Ctrl-C stops a long reply and the chat goes on, /bye exits.
import Foundation
import Testing

extension TalkTests {
    @Suite struct Terminal {
        let tmuxPath = Talk.which("tmux")
        let session = "talk"
        /// A tmux server of this test's own (-L), killed at the end.
        let socket = "llmpack-talk-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

        /// Stops this test's tmux server and removes its socket file.
        func stopTmux() {
            _ = try? tmux("kill-server")
            let folder = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
            try? FileManager.default.removeItem(atPath: "\(folder)/tmux-\(getuid())/\(socket)")
        }

        func tmux(_ arguments: String...) throws -> Outcome {
            try spawnAndWait(try #require(tmuxPath), ["-L", socket] + arguments)
        }

        func screen() throws -> String {
            try tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", session).stdout
        }

        /// Polls the screen until `condition` holds; returns the screens seen (bounded: 120 s).
        @discardableResult
        func waitFor(_ what: String, _ condition: (String) -> Bool) throws -> [String] {
            var screens: [String] = []
            for _ in 0..<2400 {
                let text = try screen()
                if screens.last != text { screens.append(text) }
                if condition(text) { return screens }
                usleep(50_000)
            }
            Issue.record("timed out waiting for \(what); screen:\n\(screens.last ?? "")")
            throw CancellationError()
        }

        func promptCount(_ text: String) -> Int {
            text.components(separatedBy: "\n").filter { $0.hasPrefix("> ") || $0 == ">" }.count
        }

        @Test(.enabled(if: Talk.hasModel, "needs the default model (scripts/fetch-model)"),
              .enabled(if: Talk.which("tmux") != nil, "needs tmux (apt-get install tmux)"))
        func chatInATerminal() throws {
            let bundle = try Talk.bundle.get()
            let done = temporaryPath("exit-status")
            defer { try? FileManager.default.removeItem(atPath: done) }
            // The runner sees a terminal on stdin and stdout and chats; its exit status lands in a file.
            let command = "'\(bundle)' -t 2 -n 48 --temp 0; echo $? > '\(done)'"
            _ = try tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "50", command)
            defer { stopTmux() }
            try waitFor("the greeting") { $0.contains("Ctrl-D to exit") && promptCount($0) >= 1 }

            // A reply streams: the screen shows it at more than one length before the prompt returns.
            _ = try tmux("send-keys", "-t", session, "Tell me about the moon.", "Enter")
            let screens = try waitFor("the first reply") { promptCount($0) >= 2 }
            let growing = Set(screens.map { $0.count })
            #expect(growing.count >= 3, "the reply appeared at once, not streamed: \(screens)")

            _ = try tmux("send-keys", "-t", session, "/set temp 0", "Enter")
            try waitFor("/set") { $0.contains("(temp = 0)") }
            _ = try tmux("send-keys", "-t", session, "/info", "Enter")
            try waitFor("/info") { $0.contains("last reply: prompt") && $0.contains("temp 0.0") }

            // Ctrl-C during a long reply stops it; the chat goes on.
            _ = try tmux("send-keys", "-t", session, "/clear", "Enter")
            try waitFor("/clear") { $0.contains("(conversation cleared)") }
            let before = promptCount(try screen())
            _ = try tmux("send-keys", "-t", session, "Write a very long essay about the history of ships.", "Enter")
            // Wait until some of the reply is on screen, then interrupt.
            try waitFor("the start of the long reply") { screen in
                guard let last = screen.components(separatedBy: "ships.").last else { return false }
                return last.trimmingCharacters(in: .whitespacesAndNewlines).count >= 8
            }
            _ = try tmux("send-keys", "-t", session, "C-c")
            try waitFor("the stopped reply") { $0.contains("(stopped)") && promptCount($0) > before }
            _ = try tmux("send-keys", "-t", session, "/info", "Enter")
            let infoScreens = try waitFor("/info after Ctrl-C") { $0.components(separatedBy: "last reply: prompt").count >= 3 }
            let lastInfo = ChatInfo.all(in: infoScreens.last ?? "").last
            let generated = try #require(lastInfo?.lastGenerated, "\(infoScreens.last ?? "")")
            #expect(generated < 48, "Ctrl-C did not stop the reply early: \(generated) tokens")

            _ = try tmux("send-keys", "-t", session, "/bye", "Enter")
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: done) { usleep(50_000) }
            let status = try String(contentsOfFile: done, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(status == "0")
        }

        @Test(.enabled(if: Talk.hasModel, "needs the default model (scripts/fetch-model)"),
              .enabled(if: Talk.which("tmux") != nil, "needs tmux (apt-get install tmux)"))
        func ctrlCAtThePromptOrTwiceExits() throws {
            let bundle = try Talk.bundle.get()
            let done = temporaryPath("exit-status")
            defer { try? FileManager.default.removeItem(atPath: done) }
            _ = try tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "50",
                         "'\(bundle)' -t 2 -n 400 --temp 0; echo $? > '\(done)'")
            defer { stopTmux() }
            try waitFor("the greeting") { $0.contains("Ctrl-D to exit") }
            _ = try tmux("send-keys", "-t", session, "Write a very long story.", "Enter")
            try waitFor("the start of the reply") { screen in
                (screen.components(separatedBy: "story.").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines).count >= 4
            }
            // Two Ctrl-C in a row: the first stops the reply, the second exits (status 130).
            _ = try tmux("send-keys", "-t", session, "C-c")
            usleep(20_000)
            _ = try tmux("send-keys", "-t", session, "C-c")
            for _ in 0..<400 where !FileManager.default.fileExists(atPath: done) { usleep(50_000) }
            let status = try String(contentsOfFile: done, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(status == "130")
        }
    }
}

// The terminal chat driven through a pipe (`--chat` with standard input from a file): slash
// commands, `"""` multi-line input, the end of input (Ctrl-D) ending the chat, each turn running
// only its new tokens, and a conversation that outgrows a small context losing its oldest turns
// but not the system prompt. (TalkTmuxTests drives the same chat in a real terminal.)
import Foundation
import Testing

/// One `/info` report, as the chat prints it.
struct ChatInfo {
    var contextUsed = 0, contextSize = 0, messages = 0
    var lastPrompt: Int?, lastReused: Int?, lastRun: Int?, lastGenerated: Int?
    var systemPrompt = "", sampling = "", template = ""

    /// Every `/info` report in a chat transcript, in order.
    static func all(in transcript: String) -> [ChatInfo] {
        var reports: [ChatInfo] = []
        for line in transcript.components(separatedBy: "\n") {
            let words = line.split(separator: " ").map(String.init)
            func number(after word: String) -> Int? {
                guard let i = words.firstIndex(of: word), i + 1 < words.count else { return nil }
                return Int(words[i + 1].trimmingCharacters(in: CharacterSet.decimalDigits.inverted))
            }
            func number(before word: String) -> Int? {
                guard let i = words.firstIndex(of: word), i > 0 else { return nil }
                return Int(words[i - 1].trimmingCharacters(in: CharacterSet.decimalDigits.inverted))
            }
            if line.contains("model: "), let range = line.range(of: "chat template: ") {
                reports.append(ChatInfo())
                reports[reports.count - 1].template = String(line[range.upperBound...])
            }
            guard !reports.isEmpty else { continue }
            if line.hasPrefix("context: ") {
                reports[reports.count - 1].contextUsed = number(after: "context:") ?? -1
                reports[reports.count - 1].contextSize = number(after: "of") ?? -1
                reports[reports.count - 1].messages = number(before: "messages") ?? -1
            } else if line.hasPrefix("system prompt: ") {
                reports[reports.count - 1].systemPrompt = String(line.dropFirst("system prompt: ".count))
            } else if line.hasPrefix("sampling: ") {
                reports[reports.count - 1].sampling = line
            } else if line.hasPrefix("last reply: ") {
                reports[reports.count - 1].lastPrompt = number(after: "prompt")
                reports[reports.count - 1].lastReused = number(after: "tokens")
                reports[reports.count - 1].lastRun = number(before: "run),")
                reports[reports.count - 1].lastGenerated = number(after: "generated")
            }
        }
        return reports
    }
}

extension TalkTests {
    @Suite struct Chat {
        func chat(_ input: String, _ arguments: [String] = []) throws -> Outcome {
            let bundle = try Talk.bundle.get()
            return try Talk.runWithInput(bundle, ["--chat", "-t", "2", "--temp", "0"] + arguments, input: input)
        }

        @Test(.enabled(if: Talk.hasModel, "needs the default model (scripts/fetch-model)"))
        func commandsTurnsAndMultilineInput() throws {
            let input = """
            Hello there!
            /info
            What is two plus two?
            /info
            \"\"\"
            First line of a longer message.
            /this line is text, not a command
            \"\"\"
            /info
            /set temp 0.5
            /set top_k 7
            /set temp warm
            /set bogus 1
            /set temp
            /system You are a pirate.
            /info
            Ahoy!
            /clear
            /info
            /help
            /unknown

            """
            let outcome = try chat(input, ["-n", "10"])
            // The end of input (Ctrl-D at a terminal) ends the chat normally.
            #expect(outcome.status == 0 && !outcome.signalled, "\(outcome)")
            let out = outcome.stdout
            #expect(out.contains("/help for commands, Ctrl-D to exit"))
            let reports = ChatInfo.all(in: out)
            try #require(reports.count == 5, "\(out)")
            #expect(reports[0].template == "built-in gemma3")
            #expect(reports[0].messages == 2)

            // Turn 2 reuses the whole of turn 1 from the KV cache and runs only its new tokens:
            // the end of the reply, the new user turn (about 10 tokens) and the model's header.
            let first = try #require(reports[0].lastPrompt), second = try #require(reports[1].lastPrompt)
            let reused = try #require(reports[1].lastReused), run = try #require(reports[1].lastRun)
            #expect(reports[0].lastReused == 0)
            #expect(reused >= first, "turn 2 reused \(reused) tokens; turn 1's prompt had \(first)")
            #expect(run > 0 && run <= 25, "turn 2 ran \(run) of its \(second) prompt tokens")
            #expect(reused + run == second)
            #expect(reports[1].messages == 4)
            #expect((reports[0].lastGenerated ?? 99) <= 10)

            // The multi-line message arrived as one message (the quoted "/" line is text).
            #expect(reports[2].messages == 6)
            #expect(!out.contains("unknown command /this"))
            #expect(out.contains("... "))   // the continuation prompt

            #expect(out.contains("(temp = 0.5)"))
            #expect(out.contains("(top_k = 7)"))
            #expect(out.contains("invalid value for temp: warm"))
            #expect(out.contains("unknown setting bogus"))
            #expect(out.contains("usage: /set"))
            #expect(reports[3].sampling.contains("temp 0.5") && reports[3].sampling.contains("top_k 7"), "\(reports[3].sampling)")
            #expect(out.contains("(system prompt set; conversation cleared)"))
            #expect(reports[3].systemPrompt == "You are a pirate.")
            #expect(reports[3].messages == 0)
            #expect(out.contains("(conversation cleared)"))
            #expect(reports[4].messages == 0)
            #expect(reports[4].systemPrompt == "You are a pirate.")   // /clear keeps it
            #expect(out.contains("/system TEXT"))
            #expect(out.contains("unknown command /unknown"))
        }

        @Test(.enabled(if: Talk.hasModel, "needs the default model (scripts/fetch-model)"))
        func overflowDropsOldestTurnsButKeepsTheSystemPrompt() throws {
            let question = "Please tell me a long story about a lighthouse keeper and the sea, with many details."
            let input = [question, "/info", question, "/info", question, "/info", question, "/info",
                         String(repeating: "This message alone is far too long for the tiny context. ", count: 12), "/info", "/bye", "never read"]
                .joined(separator: "\n") + "\n"
            let outcome = try chat(input, ["-c", "112", "-n", "8", "--system", "Answer briefly."])
            #expect(outcome.status == 0, "\(outcome)")
            let out = outcome.stdout
            #expect(out.contains("(the conversation outgrew the context of 112 tokens; dropped the oldest"), "\(out)")
            #expect(out.contains("(that message makes a prompt of"), "\(out)")
            let reports = ChatInfo.all(in: out)
            try #require(reports.count == 5, "\(out)")
            for report in reports {
                #expect(report.systemPrompt == "Answer briefly.")
                #expect(report.contextSize == 112)
                #expect(report.contextUsed <= 112)
                // At most the newest turns are kept.
                #expect(report.messages <= 4)
            }
            // The too-long message was refused and not kept.
            #expect(reports[4].messages == reports[3].messages)
            #expect(!out.contains("never read"))
        }
    }
}

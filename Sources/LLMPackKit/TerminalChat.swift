// TerminalChat: the conversation a person gets by starting the runner from a terminal.
//
// Replies stream as they are made; `"""` opens and closes multi-line input; slash commands change
// the session; Ctrl-C stops the current reply (a second Ctrl-C exits); Ctrl-D exits. The KV cache
// keeps the conversation, so each turn only runs its new tokens. When the conversation outgrows
// the context, the oldest turns are dropped (never the system prompt) and the user is told.
import ChatTemplate
import Generation
import Synchronization
import Tokenizer
#if canImport(Glibc)
import Glibc
#endif

/// Set by the SIGINT handler; read between tokens.
let chatInterrupted = Atomic<Bool>(false)
/// True while a reply is being generated (then Ctrl-C stops the reply instead of exiting).
let chatGenerating = Atomic<Bool>(false)

public final class TerminalChat {
    let engine: Engine
    let chat: ChatPrompt
    var sampling: SamplingParameters
    var systemPrompt: String?
    var messages: [ChatMessage] = []
    var cached: [Int32] = []
    let name: String
    /// The most tokens per reply (nil: until the model ends its turn or the context is full).
    let maxTokens: Int?
    let output = StandardOutput()

    public init(engine: Engine, chat: ChatPrompt, sampling: SamplingParameters, systemPrompt: String?, maxTokens: Int?, name: String) {
        self.maxTokens = maxTokens
        self.engine = engine
        self.chat = chat
        self.sampling = sampling
        self.systemPrompt = systemPrompt
        self.name = name
    }

    public func run() throws {
        installInterruptHandler()
        output.write("\(name): chat on \(engine.threads) threads, context \(engine.contextLength) tokens. /help for commands, Ctrl-D to exit.\n")
        while true {
            output.write("\n> ")
            guard let line = readLine(strippingNewline: true) else { output.write("\n"); return }
            var text = line
            if line.trimmingSpaces() == "\"\"\"" {
                var lines: [String] = []
                while let next = readLine(strippingNewline: true), next.trimmingSpaces() != "\"\"\"" { lines.append(next) }
                text = lines.joined(separator: "\n")
            }
            if text.hasPrefix("/") {
                if try !command(text) { return }
                continue
            }
            guard !text.trimmingSpaces().isEmpty else { continue }
            try reply(to: text)
        }
    }

    /// Handles a slash command; returns false to end the chat.
    func command(_ line: String) throws -> Bool {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        switch parts[0] {
        case "/bye", "/exit", "/quit":
            return false
        case "/help":
            output.write("""
            /help                 this list
            /clear                forget the conversation (keeps the system prompt)
            /system TEXT          set the system prompt and start over
            /set temp|top_p|top_k|min_p|seed VALUE
            /info                 model, context use, sampling
            /bye                  exit (or Ctrl-D)
            \"\"\"                   start and end multi-line input
            Ctrl-C stops a reply; a second Ctrl-C exits.

            """)
        case "/clear":
            messages = []
            cached = []
            output.write("(conversation cleared)\n")
        case "/system":
            systemPrompt = parts.count > 1 ? parts.dropFirst().joined(separator: " ") : nil
            messages = []
            cached = []
            output.write(systemPrompt == nil ? "(system prompt removed)\n" : "(system prompt set; conversation cleared)\n")
        case "/set":
            guard parts.count == 3 else { output.write("usage: /set temp|top_p|top_k|min_p|seed VALUE\n"); return true }
            var p = sampling
            switch parts[1] {
            case "temp", "temperature": p.temperature = Float(parts[2]) ?? .nan
            case "top_p": p.topP = Float(parts[2]) ?? .nan
            case "min_p": p.minP = Float(parts[2]) ?? .nan
            case "top_k": p.topK = Int(parts[2]) ?? -1
            case "seed": p.seed = UInt64(parts[2]); if p.seed == nil { p.temperature = .nan }
            default: output.write("unknown setting \(parts[1]); one of temp, top_p, top_k, min_p, seed\n"); return true
            }
            do {
                try p.validate()
                sampling = p
                output.write("(\(parts[1]) = \(parts[2]))\n")
            } catch {
                output.write("invalid value for \(parts[1]): \(parts[2]) (\(error))\n")
            }
        case "/info":
            output.write("""
            model: \(engine.gguf.string("general.name") ?? "?") (\(engine.gguf.architecture ?? "?")), template: \(chat.origin)
            context: \(cached.count) of \(engine.contextLength) tokens used, \(messages.count) messages
            sampling: temp \(sampling.temperature), top_k \(sampling.topK), top_p \(sampling.topP), min_p \(sampling.minP), seed \(sampling.seed.map(String.init) ?? "random")
            threads: \(engine.threads)

            """)
        default:
            output.write("unknown command \(parts[0]); /help lists them\n")
        }
        return true
    }

    func conversation() -> [ChatMessage] {
        (systemPrompt.map { [ChatMessage(role: "system", content: $0)] } ?? []) + messages
    }

    func reply(to text: String) throws {
        messages.append(ChatMessage(role: "user", content: text))
        var prompt = try chat.tokens(conversation())
        // Leave room for a reply of a useful length; drop the oldest turns if needed.
        let reserve = min(512, engine.contextLength / 4)
        var dropped = 0
        while prompt.count + reserve > engine.contextLength && messages.count > 1 {
            messages.removeFirst(messages.count >= 2 ? 2 : 1)
            dropped += 1
            prompt = try chat.tokens(conversation())
        }
        if dropped > 0 {
            output.write("(the conversation outgrew the context of \(engine.contextLength) tokens; dropped the oldest \(dropped) turn\(dropped == 1 ? "" : "s"))\n")
        }
        guard prompt.count < engine.contextLength else {
            messages.removeLast()
            output.write("(that message is \(prompt.count) tokens; the context holds \(engine.contextLength))\n")
            return
        }
        var reuse = zip(cached, prompt).prefix { $0 == $1 }.count
        if reuse == prompt.count { reuse -= 1 }
        let generator = try Generator(model: engine.model, tokenizer: engine.tokenizer, sampling: sampling)
        chatInterrupted.store(false, ordering: .relaxed)
        chatGenerating.store(true, ordering: .relaxed)
        defer { chatGenerating.store(false, ordering: .relaxed) }
        cached = []
        let result = try generator.generate(prompt: Array(prompt[reuse...]), cachedTokens: reuse,
                                            maxTokens: min(maxTokens ?? Int.max, engine.contextLength - prompt.count)) { piece in
            output.write(TerminalText.sanitize(piece))
            return !chatInterrupted.load(ordering: .relaxed)
        }
        cached = prompt + result.tokens.dropLast()
        if chatInterrupted.load(ordering: .relaxed) { output.write(" (stopped)") }
        output.write("\n")
        messages.append(ChatMessage(role: "assistant", content: result.text))
    }

    func installInterruptHandler() {
        signal(SIGINT) { _ in
            if chatGenerating.load(ordering: .relaxed) && !chatInterrupted.load(ordering: .relaxed) {
                chatInterrupted.store(true, ordering: .relaxed)
            } else {
                let bye: StaticString = "\n"
                _ = write(1, bye.utf8Start, bye.utf8CodeUnitCount)
                _exit(130)
            }
        }
    }
}

/// Model output made safe for a terminal: no escape sequences or other control characters
/// (newlines and tabs stay), so a model cannot move the cursor, retitle or reprogram the terminal.
public enum TerminalText {
    public static func sanitize(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v == 0x0A || v == 0x09 { scalars.append(scalar); continue }
            if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) { continue }
            scalars.append(scalar)
        }
        return String(scalars)
    }
}

extension String {
    func trimmingSpaces() -> Substring {
        var view = Substring(self)
        while let c = view.first, c.isWhitespace { view = view.dropFirst() }
        while let c = view.last, c.isWhitespace { view = view.dropLast() }
        return view
    }
}

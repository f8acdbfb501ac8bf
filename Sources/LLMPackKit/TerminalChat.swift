// TerminalChat: the conversation a person gets by starting the runner from a terminal.
//
// Replies stream as they are made; `"""` opens and closes multi-line input; slash commands change
// the session; Ctrl-C stops the current reply (a second Ctrl-C exits); Ctrl-D exits. The KV cache
// keeps the conversation, so each turn only runs its new tokens. When the conversation outgrows
// the context, the oldest turns are dropped (never the system prompt) and the user is told.
// Model output goes through TerminalTextFilter: no escape sequence reaches the terminal.
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
    /// The tokens the model's KV cache holds, in order.
    var cache = PromptCache()
    let name: String
    /// The most tokens per reply (nil: until the model ends its turn or the context is full).
    let maxTokens: Int?
    let output = StandardOutput()
    /// What the last reply cost, for /info.
    var lastTurn: (promptTokens: Int, reused: Int, generated: Int, tokensPerSecond: Double)?

    public init(engine: Engine, chat: ChatPrompt, sampling: SamplingParameters, systemPrompt: String?, maxTokens: Int?, name: String) {
        self.maxTokens = maxTokens
        self.engine = engine
        self.chat = chat
        self.sampling = sampling
        self.systemPrompt = systemPrompt
        self.name = name
    }

    /// Reads lines until Ctrl-D or /bye.
    public func run() throws {
        installInterruptHandler()
        output.write("\(name): chat on \(engine.threads) threads, context \(engine.contextLength) tokens. /help for commands, Ctrl-D to exit.\n")
        while true {
            output.write("\n> ")
            guard let text = readMessage() else { output.write("\n"); return }
            if text.hasPrefix("/") {
                if try !command(text) { return }
                continue
            }
            guard !text.trimmingSpaces().isEmpty else { continue }
            try reply(to: text)
        }
    }

    /// One message: a line, or the lines between `"""` and `"""` (text may follow the opening
    /// quotes and precede the closing ones). Nil at the end of input.
    func readMessage() -> String? {
        guard let line = readLine(strippingNewline: true) else { return nil }
        let quotes = "\"\"\""
        let opened = line.trimmingSpaces()
        guard opened.hasPrefix(quotes) else { return line }
        var first = opened.dropFirst(3)
        if first.count >= 3 && first.hasSuffix(quotes) { return String(first.dropLast(3)) }   // """one line"""
        if first.trimmingSpaces().isEmpty { first = "" }
        var lines = first.isEmpty ? [] : [String(first)]
        while true {
            output.write("... ")
            guard let next = readLine(strippingNewline: true) else { break }
            var end = Substring(next)
            while let last = end.last, last.isWhitespace { end = end.dropLast() }
            if end.hasSuffix(quotes) {
                let before = end.dropLast(3)
                if !before.isEmpty { lines.append(String(before)) }
                break
            }
            lines.append(next)
        }
        // A message that starts with "/" inside quotes is text, not a command.
        let text = lines.joined(separator: "\n")
        return text.hasPrefix("/") ? " " + text : text
    }

    /// Handles a slash command; returns false to end the chat.
    func command(_ line: String) throws -> Bool {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        switch parts[0] {
        case "/bye", "/exit", "/quit":
            return false
        case "/help", "/?":
            output.write("""
            /help                 this list
            /clear                forget the conversation (keeps the system prompt)
            /system TEXT          set the system prompt and start over (/system alone removes it)
            /set temp|top_p|top_k|min_p|seed VALUE
            /info                 model, context use, sampling, the last reply's cost
            /bye                  exit (or Ctrl-D)
            \"\"\"                   start and end multi-line input
            Ctrl-C stops a reply; a second Ctrl-C exits.

            """)
        case "/clear":
            messages = []
            output.write("(conversation cleared)\n")
        case "/system":
            let text = line.dropFirst("/system".count).trimmingSpaces()
            systemPrompt = text.isEmpty ? nil : String(text)
            messages = []
            output.write(systemPrompt == nil ? "(system prompt removed)\n" : "(system prompt set; conversation cleared)\n")
        case "/set":
            set(parts)
        case "/info":
            info()
        default:
            output.write("unknown command \(parts[0]); /help lists them\n")
        }
        return true
    }

    func set(_ parts: [String]) {
        guard parts.count == 3 else { output.write("usage: /set temp|top_p|top_k|min_p|seed VALUE\n"); return }
        var p = sampling
        switch parts[1] {
        case "temp", "temperature": p.temperature = Float(parts[2]) ?? .nan
        case "top_p": p.topP = Float(parts[2]) ?? .nan
        case "min_p": p.minP = Float(parts[2]) ?? .nan
        case "top_k": p.topK = Int(parts[2]) ?? -1
        case "seed": p.seed = UInt64(parts[2]); if p.seed == nil { p.temperature = .nan }
        default: output.write("unknown setting \(parts[1]); one of temp, top_p, top_k, min_p, seed\n"); return
        }
        do {
            try p.validate()
            sampling = p
            output.write("(\(parts[1]) = \(parts[2]))\n")
        } catch {
            output.write("invalid value for \(parts[1]): \(parts[2])\n")
        }
    }

    func info() {
        var text = """
        model: \(engine.gguf.string("general.name") ?? "?") (\(engine.gguf.architecture ?? "?")), chat template: \(chat.origin)
        context: \(cache.tokens.count) of \(engine.contextLength) tokens used, \(messages.count) messages
        system prompt: \(systemPrompt.map { TerminalText.sanitize(String($0.prefix(80))) } ?? "none")
        sampling: temp \(sampling.temperature), top_k \(sampling.topK), top_p \(sampling.topP), min_p \(sampling.minP), seed \(sampling.seed.map(String.init) ?? "random")
        threads: \(engine.threads)

        """
        if let last = lastTurn {
            text += "last reply: prompt \(last.promptTokens) tokens (\(last.reused) reused from the cache, \(last.promptTokens - last.reused) run), "
                + "generated \(last.generated) tokens at \(Terminal.fixed(last.tokensPerSecond, 1)) tokens/s\n"
        }
        output.write(text)
    }

    func systemMessages() -> [ChatMessage] {
        systemPrompt.map { [ChatMessage(role: "system", content: $0)] } ?? []
    }

    func conversation() -> [ChatMessage] { systemMessages() + messages }

    func reply(to text: String) throws {
        let message = ChatMessage(role: "user", content: text)
        // A message that cannot fit even alone is refused, and the conversation stays as it was.
        let alone = try chat.tokens(systemMessages() + [message])
        guard alone.count < engine.contextLength else {
            output.write("(that message makes a prompt of \(alone.count) tokens; the context holds \(engine.contextLength))\n")
            return
        }
        messages.append(message)
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
        // Only the tokens after the part the cache already holds are run.
        let reuse = cache.reusable(for: prompt, model: engine.model)
        let generator = try Generator(model: engine.model, tokenizer: engine.tokenizer, sampling: sampling)
        var filter = TerminalTextFilter()
        chatInterrupted.store(false, ordering: .relaxed)
        chatGenerating.store(true, ordering: .relaxed)
        defer { chatGenerating.store(false, ordering: .relaxed) }
        cache.invalidate()
        let result = try generator.generate(prompt: Array(prompt[reuse...]), cachedTokens: reuse,
                                            maxTokens: min(maxTokens ?? Int.max, engine.contextLength - prompt.count)) { piece in
            output.write(filter.filter(piece))
            return !chatInterrupted.load(ordering: .relaxed)
        } stopRequested: {
            chatInterrupted.load(ordering: .relaxed)
        }
        cache.update(prompt: prompt, result: result)
        lastTurn = (prompt.count, reuse, result.tokens.count, result.timings.generationTokensPerSecond)
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

extension String {
    func trimmingSpaces() -> Substring { Substring(self).trimmingSpaces() }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var view = self
        while let c = view.first, c.isWhitespace { view = view.dropFirst() }
        while let c = view.last, c.isWhitespace { view = view.dropLast() }
        return view
    }
}

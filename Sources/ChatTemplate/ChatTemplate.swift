// The public face of the module: a chat template parsed once from its Jinja source (a GGUF file's
// `tokenizer.chat_template`), rendered for a conversation as Hugging Face transformers renders it
// (trim_blocks and lstrip_blocks on, loop controls, raise_exception, strftime_now, tojson).

/// A parsed chat template, ready to render conversations into a prompt.
public struct ChatTemplate: Sendable {
    /// The Jinja source it was parsed from.
    public let source: String
    /// The limits applied when it was parsed and whenever it renders.
    public let limits: TemplateLimits
    let nodes: [Node]

    /// Parses `source`; a syntax error names its line and column.
    public init(_ source: String, limits: TemplateLimits = .default) throws {
        self.source = source
        self.limits = limits
        var lexer = Lexer(source)
        var parser = Parser(try lexer.segmentize(), limits: limits)
        nodes = try parser.parseTemplate()
    }

    /// Renders a conversation.
    ///
    /// The template sees `messages` (dictionaries with "role" and "content"), `bos_token`,
    /// `eos_token`, `add_generation_prompt`, `tools` (none, as transformers passes it, unless `extra`
    /// gives tools), and every entry of `extra` (which may override any of them).
    /// - Parameter date: what `strftime_now` formats; nil leaves `strftime_now` undefined, so that
    ///   templates use their own fallback date and the output is reproducible.
    public func render(messages: [ChatMessage], addGenerationPrompt: Bool, bosToken: String, eosToken: String,
                       extra: [String: TemplateValue] = [:], date: TemplateDate? = nil) throws -> String {
        var context: [String: TemplateValue] = [
            "messages": .list(messages.map(\.templateValue)),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
            "add_generation_prompt": .bool(addGenerationPrompt),
            "tools": .none,
        ]
        for (key, value) in extra { context[key] = value }
        return try render(context: context, date: date)
    }

    /// Renders with exactly the variables in `context` (for messages with tool calls, content
    /// parts, or any other shape).
    public func render(context: [String: TemplateValue], date: TemplateDate? = nil) throws -> String {
        var variables: [String: Value] = [:]
        for (name, value) in context {
            variables[name] = try Value(value, maxDepth: limits.maxNestingDepth)
        }
        return try Interpreter(context: variables, limits: limits, date: date).render(nodes)
    }
}

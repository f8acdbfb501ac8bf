// One turn of a conversation as chat templates see it: a dictionary with "role" and "content".

/// A message of a conversation: its role ("system", "user", "assistant", "tool"...) and its text.
public struct ChatMessage: Sendable, Equatable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    /// The message as the dictionary templates read: `{"role": ..., "content": ...}`.
    public var templateValue: TemplateValue {
        .dict(["role": .string(role), "content": .string(content)])
    }
}

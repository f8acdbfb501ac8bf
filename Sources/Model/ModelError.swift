// ModelError: every way loading or running a model can fail, each with a message that names
// the key, tensor or value at fault.

/// An error from building or running a model. `description` says what is wrong and where.
public struct ModelError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

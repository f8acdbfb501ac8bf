// GGUFError: the one error type of the GGUF module. Its description is a single line that names
// the field at fault and its byte offset, so a user can find the problem with a hex dump.

/// A GGUF file (or a file-system call on its behalf) failed. `description` is one line starting
/// with "GGUF: ".
public struct GGUFError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, without the "GGUF: " prefix.
    public let message: String
    /// The byte offset of the field at fault, when the error is about file contents.
    public let offset: Int?

    public init(_ message: String, offset: Int? = nil) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "GGUF: " + message }
}

/// A name from a file made safe for a one-line message: quoted, control characters escaped,
/// long names cut.
func quoted(_ name: String) -> String {
    var text = ""
    for scalar in name.unicodeScalars.prefix(96) {
        if scalar.value < 0x20 || scalar.value == 0x7f {
            text += "\\u{" + String(scalar.value, radix: 16) + "}"
        } else {
            text.unicodeScalars.append(scalar)
        }
    }
    if name.unicodeScalars.count > 96 { text += "..." }
    return "'" + text + "'"
}

// The one error type of the module: a syntax error found while parsing, an error while rendering,
// a message raised by the template itself with raise_exception, or a safety limit that was hit.

/// Why parsing or rendering a chat template failed.
public struct TemplateError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The template source is not valid (it names a line and column).
        case syntax
        /// Rendering failed: a type error, an undefined value used in arithmetic, an unknown filter...
        case runtime
        /// The template called `raise_exception(message)`; `message` is its argument as is.
        case raised
        /// A limit of `TemplateLimits` was exceeded; `limit` names it.
        case limitExceeded(limit: String)
    }

    public let kind: Kind
    public let message: String
    /// 1-based position in the template source, when known.
    public let line: Int?
    public let column: Int?

    public init(_ kind: Kind, _ message: String, line: Int? = nil, column: Int? = nil) {
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        var text = ""
        switch kind {
        case .syntax: text = "template syntax error"
        case .runtime: text = "template error"
        case .raised: text = "template raised an exception"
        case .limitExceeded: text = "template limit exceeded"
        }
        if let line {
            text += " at line \(line)"
            if let column { text += ", column \(column)" }
        }
        return text + ": " + message
    }

    /// The same error, located at `location` unless it already has a position.
    func located(at location: SourceLocation) -> TemplateError {
        line == nil ? TemplateError(kind, message, line: location.line, column: location.column) : self
    }
}

/// A position in the template source (1-based line and column, counted in Unicode scalars).
struct SourceLocation: Sendable, Equatable {
    var line: Int
    var column: Int
}

// The one error type of the Bundle module: a one-line message naming the problem.

/// Something wrong with a bundle, a file, or an input; `description` is one line.
public struct BundleError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem this is, for callers that react differently (the runner exits 2
    /// when it carries no payload).
    public enum Kind: Sendable, Equatable {
        /// The file does not end with a bundle trailer.
        case noPayload
        /// The bundle's structure or a checksum is wrong.
        case corrupt
        /// The bundle was written by a newer llmpack.
        case unsupportedVersion
        /// An input file or an option is wrong.
        case invalidInput
        /// Reading or writing a file failed.
        case io
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static func corrupt(_ message: String) -> BundleError { BundleError(.corrupt, message) }
    static func io(_ message: String) -> BundleError { BundleError(.io, message) }
    static func invalid(_ message: String) -> BundleError { BundleError(.invalidInput, message) }
}

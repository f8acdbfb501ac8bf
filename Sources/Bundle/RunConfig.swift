// The run-config section: defaults the runner starts with (all optional).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Run defaults stored in a bundle. Every field is optional: nil means "the engine's default".
public struct RunConfig: Codable, Sendable, Equatable {
    /// Context size in tokens.
    public var contextLength: Int?
    /// Sampling temperature.
    public var temperature: Float?
    /// Nucleus sampling threshold.
    public var topP: Float?
    /// System prompt for chat.
    public var systemPrompt: String?
    /// Arguments the runner applies before its own command line.
    public var arguments: [String]?
    /// A Jinja chat template (its text) used instead of the model's own.
    public var chatTemplate: String?
    /// The HTTP server's port (0: any free port).
    public var port: Int?
    /// Requests the HTTP server generates for at once.
    public var parallel: Int?

    public init(contextLength: Int? = nil, temperature: Float? = nil, topP: Float? = nil, systemPrompt: String? = nil,
                arguments: [String]? = nil, chatTemplate: String? = nil, port: Int? = nil, parallel: Int? = nil) {
        self.contextLength = contextLength
        self.temperature = temperature
        self.topP = topP
        self.systemPrompt = systemPrompt
        self.arguments = arguments
        self.chatTemplate = chatTemplate
        self.port = port
        self.parallel = parallel
    }
}

/// JSON coding shared by the run config and the manifest: sorted keys, so output is reproducible.
enum SectionJSON {
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return Array(try encoder.encode(value))
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw BundleError.corrupt("\(what) section is not valid JSON: \(error)")
        }
    }
}

extension RunConfig {
    /// The section's bytes.
    public func encoded() throws -> [UInt8] { try SectionJSON.encode(self) }
    /// Decodes the section's bytes.
    public static func decode(_ bytes: [UInt8]) throws -> RunConfig { try SectionJSON.decode(RunConfig.self, from: bytes, what: "run-config") }
}

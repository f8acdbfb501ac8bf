// The checks every request passes before it reaches a route: the Host header on a loopback bind
// (DNS rebinding), the API key (compared in constant time), and the CORS origin.

/// Request checks that depend only on the configuration.
enum RequestGuards {
    /// On a loopback bind, only these Host names are accepted (with an optional numeric port):
    /// a browser tricked by DNS rebinding sends the attacker's name instead.
    static func isAllowedLoopbackHost(_ host: String) -> Bool {
        let value = host.lowercased()
        var name = Substring(value)
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return false }
            name = value[...close]
            let rest = value[value.index(after: close)...]
            guard rest.isEmpty || isPortSuffix(rest) else { return false }
        } else if let colon = value.firstIndex(of: ":") {
            name = value[..<colon]
            guard isPortSuffix(value[colon...]) else { return false }
        }
        return name == "localhost" || name == "127.0.0.1" || name == "[::1]"
    }

    /// ":" followed by 1 to 5 digits.
    private static func isPortSuffix(_ text: Substring) -> Bool {
        guard text.first == ":" else { return false }
        let digits = text.dropFirst()
        return (1...5).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Whether an `Authorization` header carries `Bearer <expected>`. The comparison takes the
    /// same time wherever the first difference is (it depends only on the lengths).
    static func isAuthorized(header: String?, expectedKey: String) -> Bool {
        guard let header else { return false }
        let prefix = "bearer "
        let bytes = Array(header.utf8)
        guard bytes.count >= prefix.utf8.count,
            String(decoding: bytes[..<prefix.utf8.count], as: UTF8.self).lowercased() == prefix
        else { return false }
        return constantTimeEquals(Array(bytes[prefix.utf8.count...]), Array(expectedKey.utf8))
    }

    /// Byte-wise equality whose running time does not depend on where the inputs differ.
    static func constantTimeEquals(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        // Walk the expected key's length whatever was given, so timing reveals nothing of the key
        // beyond its length.
        for index in 0..<expected.count {
            let byte = index < given.count ? given[index] : 0
            difference |= byte ^ expected[index]
        }
        return difference == 0
    }

    /// The CORS headers for a request from `origin`, or none when CORS is off or the origin is not
    /// the allowed one.
    static func corsHeaders(allowedOrigin: String?, requestOrigin: String?) -> [(String, String)] {
        guard let allowedOrigin, let requestOrigin else { return [] }
        if allowedOrigin == "*" { return [("Access-Control-Allow-Origin", "*")] }
        guard requestOrigin == allowedOrigin else { return [] }
        return [("Access-Control-Allow-Origin", allowedOrigin), ("Vary", "Origin")]
    }

    /// Extra headers answering a preflight (OPTIONS) request.
    static let preflightHeaders: [(String, String)] = [
        ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
        ("Access-Control-Allow-Headers", "Authorization, Content-Type"),
        ("Access-Control-Max-Age", "600"),
    ]
}

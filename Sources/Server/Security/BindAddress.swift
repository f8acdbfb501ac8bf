// Parses the --host value as a numeric IP address (no DNS: the runner is statically linked and
// must not call getaddrinfo) and tells whether it is a loopback address.

/// A numeric address to bind.
struct BindAddress: Sendable, Equatable {
    /// The numeric form handed to `SocketAddress(ipAddress:port:)`.
    let ip: String
    let isIPv6: Bool
    let isLoopback: Bool

    init(host: String) throws {
        let trimmed = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if trimmed.lowercased() == "localhost" {
            self.init(ip: "127.0.0.1", isIPv6: false, isLoopback: true)
        } else if let octets = BindAddress.ipv4Octets(trimmed) {
            self.init(ip: trimmed, isIPv6: false, isLoopback: octets[0] == 127)
        } else if trimmed.contains(":"), trimmed.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) {
            let isLoopback = BindAddress.isIPv6Loopback(trimmed)
            self.init(ip: trimmed, isIPv6: true, isLoopback: isLoopback)
        } else {
            throw ServerError.invalidConfiguration(
                "--host must be a numeric IP address such as 127.0.0.1, ::1 or 0.0.0.0 (got \"\(host)\")")
        }
    }

    private init(ip: String, isIPv6: Bool, isLoopback: Bool) {
        self.ip = ip
        self.isIPv6 = isIPv6
        self.isLoopback = isLoopback
    }

    /// The four octets of a dotted-quad IPv4 address, or nil.
    static func ipv4Octets(_ text: String) -> [Int]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [Int] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), let value = Int(part), value <= 255 else {
                return nil
            }
            octets.append(value)
        }
        return octets
    }

    /// True for "::1" in any spelling (e.g. "0:0:0:0:0:0:0:1").
    static func isIPv6Loopback(_ text: String) -> Bool {
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return false }
        func groups(_ s: String) -> [Substring] { s.isEmpty ? [] : s.split(separator: ":", omittingEmptySubsequences: false) }
        let head = groups(halves[0]), tail = halves.count == 2 ? groups(halves[1]) : []
        guard (halves.count == 2 && head.count + tail.count < 8) || head.count == 8 else { return false }
        let all = head + Array(repeating: "0", count: 8 - head.count - tail.count) + tail
        guard all.allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy(\.isHexDigit) }) else { return false }
        return all.dropLast().allSatisfy { UInt16($0, radix: 16) == 0 } && UInt16(all.last!, radix: 16) == 1
    }
}


// StopStringMatcher: finds stop strings in streamed text, across token boundaries. Text that could
// still be the start of a stop string is held back until it is known not to be, so the stop text
// itself is never emitted. Works on UTF-8 bytes: a stop string matches exactly, byte for byte.

/// Streams text through, cutting it at the first occurrence of any stop string.
public struct StopStringMatcher: Sendable {
    /// The stop strings, as given.
    public let stopStrings: [String]
    private let patterns: [[UInt8]]
    private var held: [UInt8] = []
    /// True once a stop string was found; later input is ignored.
    public private(set) var stopped = false
    /// The stop string that was found, if any.
    public private(set) var matched: String?

    /// Creates a matcher; empty stop strings are ignored.
    public init(stopStrings: [String]) {
        self.stopStrings = stopStrings.filter { !$0.isEmpty }
        self.patterns = self.stopStrings.map { Array($0.utf8) }
    }

    /// Feeds new text; returns the text that is now safe to emit. After a stop string is found,
    /// returns the text before it and sets `stopped`.
    public mutating func append(_ text: String) -> String {
        if stopped { return "" }
        held.append(contentsOf: text.utf8)
        if patterns.isEmpty { return release(upTo: held.count) }

        // The earliest complete match wins; on a tie, the longest stop string.
        var firstMatch: (start: Int, pattern: Int)?
        for (index, pattern) in patterns.enumerated() {
            guard let start = Self.find(pattern, in: held) else { continue }
            if let best = firstMatch, best.start < start || (best.start == start && patterns[best.pattern].count >= pattern.count) {
                continue
            }
            firstMatch = (start, index)
        }
        if let match = firstMatch {
            stopped = true
            matched = stopStrings[match.pattern]
            let before = release(upTo: match.start)
            held.removeAll()
            return before
        }

        // Hold back the longest tail that is a proper prefix of some stop string.
        var keep = 0
        for pattern in patterns {
            let longest = min(pattern.count - 1, held.count)
            var length = longest
            while length > keep {
                if held[(held.count - length)...].elementsEqual(pattern[0..<length]) { break }
                length -= 1
            }
            keep = max(keep, length)
        }
        return release(upTo: held.count - keep)
    }

    /// Ends the stream: returns whatever is still held back (it did not become a stop string).
    public mutating func finish() -> String {
        if stopped { return "" }
        return release(upTo: held.count)
    }

    private mutating func release(upTo end: Int) -> String {
        let text = String(decoding: held[0..<end], as: UTF8.self)
        held.removeFirst(end)
        return text
    }

    private static func find(_ pattern: [UInt8], in text: [UInt8]) -> Int? {
        guard pattern.count <= text.count else { return nil }
        for start in 0...(text.count - pattern.count)
        where text[start] == pattern[0] && text[start..<(start + pattern.count)].elementsEqual(pattern) {
            return start
        }
        return nil
    }
}

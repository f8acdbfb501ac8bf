// Enforces stop strings on streamed text: text that might be the start of a stop string is held
// back until it is known not to be, and everything from the first stop string on is dropped.

/// Streams text through, cutting it at the first stop string.
struct StopStringFilter {
    private let stops: [[UInt8]]
    private var pending: [UInt8] = []
    /// The stop string that ended the text, once one was seen.
    private(set) var matched: String?

    init(stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// Adds `text`; returns the text that is safe to send now.
    mutating func feed(_ text: String) -> String {
        guard matched == nil else { return "" }
        guard !stops.isEmpty else { return text }
        pending.append(contentsOf: text.utf8)
        // The earliest complete stop string ends the text.
        var cut: (position: Int, stop: [UInt8])?
        for stop in stops {
            if let position = firstIndex(of: stop, in: pending), position < (cut?.position ?? Int.max) {
                cut = (position, stop)
            }
        }
        if let cut {
            matched = String(decoding: cut.stop, as: UTF8.self)
            let safe = String(decoding: pending[..<cut.position], as: UTF8.self)
            pending.removeAll()
            return safe
        }
        // Hold back the longest tail that could still grow into a stop string.
        let held = longestTailThatPrefixesAStop()
        let safe = String(decoding: pending[..<(pending.count - held)], as: UTF8.self)
        pending.removeFirst(pending.count - held)
        return safe
    }

    /// At the end of the generation: the held-back text, which turned out not to be a stop string.
    mutating func flush() -> String {
        defer { pending.removeAll() }
        return matched == nil ? String(decoding: pending, as: UTF8.self) : ""
    }

    private func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        outer: for start in 0...(haystack.count - needle.count) {
            for offset in 0..<needle.count where haystack[start + offset] != needle[offset] { continue outer }
            return start
        }
        return nil
    }

    private func longestTailThatPrefixesAStop() -> Int {
        var best = 0
        for stop in stops {
            let longest = min(stop.count - 1, pending.count)
            guard longest > best else { continue }
            for length in stride(from: longest, to: best, by: -1)
            where pending[(pending.count - length)...].elementsEqual(stop[..<length]) {
                best = length
                break
            }
        }
        return best
    }
}

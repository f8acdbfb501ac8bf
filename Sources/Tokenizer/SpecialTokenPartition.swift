// Splits text into runs of plain text and special tokens before the SentencePiece pass, with the same
// result as llama.cpp's tokenizer_st_partition: special tokens are taken longest first; each one
// claims its leftmost non-overlapping occurrences inside the text not yet claimed; tokens marked
// lstrip/rstrip swallow the whitespace next to them. Control and unknown tokens take part only when
// special tokens are parsed; user-defined tokens always do.
//
// Instead of searching the text once per special token (6,000+ for Gemma), one pass over the text
// with a trie finds every occurrence of every special token; the occurrences are then settled in
// llama.cpp's priority order.

/// A piece of partitioned text: a byte range of plain text, or a special token.
enum Fragment: Equatable {
    case text(Range<Int>)
    case token(Int32)
}

/// Finds special tokens in text.
struct SpecialTokenMatcher: Sendable {
    /// Trie edges: `(node << 8) | byte` -> child node. Node 0 is the root.
    private var edges: [UInt64: Int32] = [:]
    /// For each trie node, the special token ending there, or -1.
    private var terminal: [Int32] = [-1]
    /// Priority of each special token id (0 = tried first), by id.
    private var priority: [Int32: Int32] = [:]
    /// Attributes of each special token, by id.
    private var tokenAttributes: [Int32: TokenAttributes] = [:]
    /// Bytes that begin some special token.
    private var startsToken = [Bool](repeating: false, count: 256)

    var isEmpty: Bool { priority.isEmpty }

    init(vocabulary: Vocabulary, attributes: [TokenAttributes]) {
        // llama.cpp's special token cache: control, user-defined and unknown tokens, longest first
        // (ties by id, llama.cpp's sort leaves them unordered).
        var special: [Int32] = []
        for id in 0..<vocabulary.count where attributes[id].intersects(.matchedInText) {
            special.append(Int32(id))
        }
        let length: (Int32) -> Int = { vocabulary.table.length(Int($0)) }
        special.sort { length($0) != length($1) ? length($0) > length($1) : $0 < $1 }

        for (rank, id) in special.enumerated() {
            priority[id] = Int32(rank)
            tokenAttributes[id] = attributes[Int(id)]
            var node: Int32 = 0
            for byte in vocabulary.table.text(Int(id)) {
                let key = UInt64(node) << 8 | UInt64(byte)
                if let next = edges[key] {
                    node = next
                } else {
                    let next = Int32(terminal.count)
                    terminal.append(-1)
                    edges[key] = next
                    node = next
                }
            }
            if terminal[Int(node)] < 0 { terminal[Int(node)] = id }   // duplicates: the first wins
            if let first = vocabulary.table.text(Int(id)).first { startsToken[Int(first)] = true }
        }
    }

    /// Splits `text` into fragments. With `parseSpecial` false only user-defined tokens are matched.
    func partition(_ text: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [Fragment] {
        let n = text.count
        if n == 0 { return [] }

        // Every occurrence of every eligible special token.
        var occurrences: [Occurrence] = []
        for start in 0..<n where startsToken[Int(text[start])] {
            var node: Int32 = 0
            var position = start
            while position < n, let next = edges[UInt64(node) << 8 | UInt64(text[position])] {
                node = next
                position += 1
                let id = terminal[Int(node)]
                if id >= 0, parseSpecial || !tokenAttributes[id]!.intersects(.special) {
                    occurrences.append(Occurrence(rank: priority[id]!, start: Int32(start), length: Int32(position - start), id: id))
                }
            }
        }
        if occurrences.isEmpty { return [.text(0..<n)] }
        occurrences.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.start < $1.start }

        // Settle occurrences in priority order. state: 0 free text, 1 special token, 2 stripped space.
        var state = [UInt8](repeating: 0, count: n)
        var accepted: [Occurrence] = []
        var index = 0
        while index < occurrences.count {
            let rank = occurrences[index].rank
            var resumeAt = 0   // the next search for this token starts here (matches do not overlap)
            while index < occurrences.count, occurrences[index].rank == rank {
                let occurrence = occurrences[index]
                index += 1
                let start = Int(occurrence.start)
                guard start >= resumeAt else { continue }
                let end = start + Int(occurrence.length)
                var free = true
                for i in start..<end where state[i] != 0 { free = false; break }
                guard free else { continue }

                for i in start..<end { state[i] = 1 }
                let attributes = tokenAttributes[occurrence.id]!
                if attributes.contains(.lstrip) {
                    var i = start - 1
                    while i >= 0, state[i] == 0, Self.isSpace(text[i]) { state[i] = 2; i -= 1 }
                }
                var after = end
                if attributes.contains(.rstrip) {
                    while after < n, state[after] == 0, Self.isSpace(text[after]) { state[after] = 2; after += 1 }
                }
                resumeAt = after
                accepted.append(occurrence)
            }
        }

        // Read the fragments off in text order.
        accepted.sort { $0.start < $1.start }
        var fragments: [Fragment] = []
        var position = 0
        var next = 0
        while position < n {
            if next < accepted.count, Int(accepted[next].start) == position {
                fragments.append(.token(accepted[next].id))
                position = Int(accepted[next].start + accepted[next].length)
                next += 1
            } else if state[position] == 2 {
                position += 1
            } else {
                let runStart = position
                while position < n, state[position] == 0 { position += 1 }
                fragments.append(.text(runStart..<position))
            }
        }
        return fragments
    }

    /// One place where a special token occurs in the text.
    private struct Occurrence {
        var rank: Int32
        var start: Int32
        var length: Int32
        var id: Int32
    }

    /// C's isspace in the "C" locale.
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }
}

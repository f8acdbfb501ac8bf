// The ranked merges of a byte-level BPE vocabulary (`tokenizer.ggml.merges`, lines "left right",
// the earliest line merging first), found by the texts of the two parts. Building it for 280,000
// merges must take milliseconds, so nothing is looked up in the vocabulary then: each line is
// copied, its two parts are hashed, and the pair hash goes into one open-addressing table. A
// look-up hashes the two texts, probes, and compares the texts with the line to be exact.

/// Merge ranks by pair of texts.
struct MergeTable: Sendable {
    /// All merge lines, back to back.
    private var lines: [UInt8] = []
    /// Line `i` is `lines[lineStarts[i] ..< lineStarts[i + 1]]`.
    private var lineStarts: [Int32] = [0]
    /// Offset of the space in line `i` (left part before it, right part after it).
    private var lineSpaces: [Int32] = []
    /// Open-addressing slots: the pair hash, 0 when free (a real hash of 0 is stored as 1).
    private var keys: [UInt64] = []
    /// The line (= rank) of the merge in the same slot.
    private var ranks: [Int32] = []
    private var mask = 0
    /// Number of distinct merges.
    private(set) var count = 0

    /// Builds the table from `count` merge lines; `withLine(i, body)` calls `body` with line `i`'s bytes.
    /// A line without a space after its first byte merges nothing and is skipped, as is a pair seen
    /// before (the earlier rank stays), as llama.cpp does.
    init(count lineCount: Int, withLine: (Int, (UnsafeBufferPointer<UInt8>) -> Void) -> Void) throws(TokenizerError) {
        guard lineCount < Int(Int32.max) else {
            throw TokenizerError.invalidVocabulary("\(lineCount) merges is more than ranks can number")
        }
        var capacity = 16
        while capacity < lineCount + lineCount / 2 { capacity <<= 1 }
        mask = capacity - 1
        lineStarts.reserveCapacity(lineCount + 1)
        lineSpaces.reserveCapacity(lineCount)
        lines.reserveCapacity(lineCount * 12)

        var tooLong = false
        for rank in 0..<lineCount {
            withLine(rank) { line in
                var space = 1
                while space < line.count, line[space] != 0x20 { space += 1 }
                lines.append(contentsOf: line)
                if lines.count > Int(Int32.max) { tooLong = true; lines.removeAll() }
                lineStarts.append(Int32(truncatingIfNeeded: lines.count))
                lineSpaces.append(Int32(truncatingIfNeeded: space))
            }
            if tooLong { throw TokenizerError.invalidVocabulary("the merges hold more than 2 GiB of text") }
        }
        var keys = [UInt64](repeating: 0, count: capacity)
        var ranks = [Int32](repeating: -1, count: capacity)
        var inserted = 0
        lines.withUnsafeBufferPointer { lines in
            for rank in 0..<lineCount {
                let (left, right) = parts(rank, lines)
                guard let left, let right else { continue }
                let key = Self.pairHash(Self.hash(left), Self.hash(right))
                var slot = Int(truncatingIfNeeded: key) & mask
                while true {
                    let found = keys[slot]
                    if found == 0 {
                        keys[slot] = key
                        ranks[slot] = Int32(rank)
                        inserted += 1
                        break
                    }
                    if found == key {
                        let (l, r) = parts(Int(ranks[slot]), lines)
                        if TokenTable.equal(l!, left), TokenTable.equal(r!, right) { break }   // the earlier rank stays
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
        self.keys = keys
        self.ranks = ranks
        self.count = inserted
    }

    /// The rank of the merge of `left` and `right` (texts in byte-level characters), if there is one.
    /// `leftHash` and `rightHash` are `MergeTable.hash` of the texts.
    @inline(__always)
    func rank(_ left: UnsafeBufferPointer<UInt8>, _ leftHash: UInt64,
              _ right: UnsafeBufferPointer<UInt8>, _ rightHash: UInt64) -> Int32? {
        let key = Self.pairHash(leftHash, rightHash)
        var slot = Int(truncatingIfNeeded: key) & mask
        return lines.withUnsafeBufferPointer { lines in
            keys.withUnsafeBufferPointer { keys in
                while true {
                    let found = keys[slot]
                    if found == 0 { return nil }
                    if found == key {
                        let rank = ranks[slot]
                        let (l, r) = parts(Int(rank), lines)
                        if TokenTable.equal(l!, left), TokenTable.equal(r!, right) { return rank }
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    /// The two parts of line `rank`, nil when it has no space after its first byte.
    @inline(__always)
    private func parts(_ rank: Int, _ lines: UnsafeBufferPointer<UInt8>)
        -> (UnsafeBufferPointer<UInt8>?, UnsafeBufferPointer<UInt8>?) {
        let start = Int(lineStarts[rank]), end = Int(lineStarts[rank + 1])
        let space = Int(lineSpaces[rank])
        guard start + space < end else { return (nil, nil) }
        return (UnsafeBufferPointer(rebasing: lines[start..<(start + space)]),
                UnsafeBufferPointer(rebasing: lines[(start + space + 1)..<end]))
    }

    /// 64-bit FNV-1a of a text.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// Hash of an ordered pair of text hashes, mixed so that the low bits (the slot) spread; never 0.
    @inline(__always)
    static func pairHash(_ left: UInt64, _ right: UInt64) -> UInt64 {
        var h = left &* 0x9E37_79B9_7F4A_7C15 &+ right
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h == 0 ? 1 : h
    }
}

// The ranked merges of a byte-level BPE vocabulary (`tokenizer.ggml.merges`, lines "left right",
// the earliest line merging first), keyed by the ids of the two parts. Texts are given ids once,
// when the table is built: vocabulary texts keep their token id, and the rare merge part or result
// that is not a token gets an id past the vocabulary. Encoding then compares integers only.
// Building it for 280,000 merges is three hash look-ups per merge and one open-addressing insert.

/// Merge ranks by pair of text ids.
struct MergeTable: Sendable {
    /// Open-addressing slots: key `left << 32 | right`, `emptyKey` when free.
    private var keys: [UInt64] = []
    /// `rank << 32 | result` for the key in the same slot.
    private var values: [UInt64] = []
    private var mask = 0
    private static let emptyKey = UInt64.max

    /// Texts that are not tokens but appear in merges, with their ids (from the vocabulary size up).
    private(set) var extraIds: [[UInt8]: Int32] = [:]
    /// Texts of those ids, in order.
    private(set) var extraTexts: [[UInt8]] = []
    /// Number of distinct merges.
    private(set) var count = 0

    /// A merge: its rank (0 first) and the id of the text it makes.
    struct Merge {
        var rank: Int32
        var result: Int32
    }

    /// Builds the table from `count` merge lines; `withLine(i, body)` calls `body` with line `i`'s bytes.
    /// A line without a space after its first byte merges nothing and is skipped, as is a pair seen
    /// before (the earlier rank stays), as llama.cpp does.
    init(table: TokenTable, count lineCount: Int,
         withLine: (Int, (UnsafeBufferPointer<UInt8>) -> Void) -> Void) throws(TokenizerError) {
        guard lineCount < Int(Int32.max) else {
            throw TokenizerError.invalidVocabulary("\(lineCount) merges is more than ranks can number")
        }
        var capacity = 16
        while capacity < lineCount * 2 { capacity <<= 1 }
        mask = capacity - 1
        keys = [UInt64](repeating: Self.emptyKey, count: capacity)
        values = [UInt64](repeating: 0, count: capacity)
        let vocabularyCount = table.count

        var joined: [UInt8] = []
        for rank in 0..<lineCount {
            withLine(rank) { line in
                var space = 1
                while space < line.count, line[space] != 0x20 { space += 1 }
                guard space < line.count else { return }
                let left = intern(UnsafeBufferPointer(rebasing: line[0..<space]), table, vocabularyCount)
                let right = intern(UnsafeBufferPointer(rebasing: line[(space + 1)...]), table, vocabularyCount)
                joined.removeAll(keepingCapacity: true)
                joined.append(contentsOf: line[0..<space])
                joined.append(contentsOf: line[(space + 1)...])
                let result = joined.withUnsafeBufferPointer { intern($0, table, vocabularyCount) }
                insert(left: left, right: right, Merge(rank: Int32(rank), result: result))
            }
        }
    }

    /// The merge of texts `left` and `right`, if there is one.
    @inline(__always)
    func merge(_ left: Int32, _ right: Int32) -> Merge? {
        guard left >= 0, right >= 0 else { return nil }
        let key = UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))
        var slot = Self.slot(key) & mask
        return keys.withUnsafeBufferPointer { keys in
            while true {
                let found = keys[slot]
                if found == key {
                    let value = values[slot]
                    return Merge(rank: Int32(truncatingIfNeeded: value >> 32), result: Int32(truncatingIfNeeded: value))
                }
                if found == Self.emptyKey { return nil }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The id of a text: its token id, else its id among the extra texts, else -1.
    func id(of text: UnsafeBufferPointer<UInt8>, _ table: TokenTable) -> Int32 {
        if let id = table.id(of: text) { return id }
        if extraIds.isEmpty { return -1 }
        return extraIds[Array(text)] ?? -1
    }

    /// The text of an extra id (at least the vocabulary size).
    func extraText(_ id: Int32, vocabularyCount: Int) -> [UInt8] {
        extraTexts[Int(id) - vocabularyCount]
    }

    private mutating func intern(_ text: UnsafeBufferPointer<UInt8>, _ table: TokenTable, _ vocabularyCount: Int) -> Int32 {
        if let id = table.id(of: text) { return id }
        let bytes = Array(text)
        if let id = extraIds[bytes] { return id }
        let id = Int32(vocabularyCount + extraTexts.count)
        extraIds[bytes] = id
        extraTexts.append(bytes)
        return id
    }

    private mutating func insert(left: Int32, right: Int32, _ merge: Merge) {
        let key = UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))
        var slot = Self.slot(key) & mask
        while true {
            let found = keys[slot]
            if found == key { return }   // a later duplicate keeps the earlier rank
            if found == Self.emptyKey {
                keys[slot] = key
                values[slot] = UInt64(UInt32(merge.rank)) << 32 | UInt64(UInt32(bitPattern: merge.result))
                count += 1
                return
            }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    private static func slot(_ key: UInt64) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return Int(truncatingIfNeeded: h)
    }
}

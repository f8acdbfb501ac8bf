// Every token's bytes in one contiguous buffer, and a hash index from those bytes back to the id.
// Building it for a 262,144-token vocabulary takes a few milliseconds: no String or Array per token,
// one open-addressing table of Int32 slots.

/// Token texts (raw bytes) by id, with an exact byte-string lookup.
struct TokenTable: Sendable {
    /// All token texts, one after another.
    private(set) var storage: [UInt8] = []
    /// `offsets[id] ..< offsets[id + 1]` is token `id` in `storage`.
    private(set) var offsets: [Int] = [0]
    /// Open-addressing hash slots: the token id in the low 32 bits, the high 32 bits of its hash
    /// above them (to skip most mismatches without touching the texts); `emptySlot` when free.
    private var slots: [UInt64] = []
    private static let emptySlot = UInt64.max
    private var slotMask = 0
    /// Length of the longest token text.
    private(set) var maxTokenLength = 0

    var count: Int { offsets.count - 1 }

    /// Builds the table from `count` token texts; `appendText(id, &storage)` appends the bytes of
    /// token `id` to `storage`. An empty text is replaced by `[EMPTY_<id>]`, as llama.cpp does.
    /// When two ids share a text, lookups find the later one.
    init(count: Int, appendText: (Int, inout [UInt8]) -> Void) throws(TokenizerError) {
        guard count < Int(Int32.max) else {
            throw TokenizerError.invalidVocabulary("\(count) tokens is more than token ids can number")
        }
        offsets.reserveCapacity(count + 1)
        storage.reserveCapacity(count * 8)
        for id in 0..<count {
            appendText(id, &storage)
            if storage.count == offsets[id] {
                storage.append(contentsOf: Array("[EMPTY_\(id)]".utf8))
            }
            offsets.append(storage.count)
            maxTokenLength = max(maxTokenLength, storage.count - offsets[id])
        }
        buildIndex()
    }

    private mutating func buildIndex() {
        var capacity = 16
        while capacity < count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        slotMask = mask
        let count = self.count
        slots = [UInt64](unsafeUninitializedCapacity: capacity) { slots, initialized in
            slots.initialize(repeating: Self.emptySlot)
            initialized = capacity
            storage.withUnsafeBufferPointer { all in
                offsets.withUnsafeBufferPointer { offsets in
                    let base = all.baseAddress!
                    for id in 0..<count {
                        let text = UnsafeBufferPointer(start: base + offsets[id], count: offsets[id + 1] - offsets[id])
                        let hash = Self.hash(text)
                        let tag = hash & 0xFFFF_FFFF_0000_0000
                        var slot = Int(truncatingIfNeeded: hash) & mask
                        while true {
                            let entry = slots[slot]
                            if entry == Self.emptySlot { break }
                            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                                let occupant = Int(entry & 0xFFFF_FFFF)
                                let other = UnsafeBufferPointer(start: base + offsets[occupant], count: offsets[occupant + 1] - offsets[occupant])
                                if Self.equal(other, text) { break }   // a later duplicate replaces the earlier id
                            }
                            slot = (slot + 1) & mask
                        }
                        slots[slot] = tag | UInt64(id)
                    }
                }
            }
        }
    }

    /// The id whose text is exactly `text`, if any.
    func id(of text: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard text.count > 0, text.count <= maxTokenLength else { return nil }
        return storage.withUnsafeBufferPointer { all in
            offsets.withUnsafeBufferPointer { offsets in
                slots.withUnsafeBufferPointer { slots in
                    let hash = Self.hash(text)
                    let tag = hash & 0xFFFF_FFFF_0000_0000
                    var slot = Int(truncatingIfNeeded: hash) & slotMask
                    while true {
                        let entry = slots[slot]
                        if entry == Self.emptySlot { return nil }
                        if entry & 0xFFFF_FFFF_0000_0000 == tag {
                            let occupant = Int(entry & 0xFFFF_FFFF)
                            let start = offsets[occupant], end = offsets[occupant + 1]
                            if Self.equal(UnsafeBufferPointer(start: all.baseAddress! + start, count: end - start), text) {
                                return Int32(occupant)
                            }
                        }
                        slot = (slot + 1) & slotMask
                    }
                }
            }
        }
    }

    /// The id whose text is exactly `bytes`, if any.
    func id(of bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBufferPointer { id(of: $0) }
    }

    /// The text of token `id` (which must be in range).
    func text(_ id: Int) -> ArraySlice<UInt8> {
        storage[offsets[id]..<offsets[id + 1]]
    }

    /// Byte length of token `id` (which must be in range).
    func length(_ id: Int) -> Int {
        offsets[id + 1] - offsets[id]
    }

    /// Calls `body` with the text of token `id` (which must be in range) without copying it.
    func withText<R>(_ id: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        storage.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[offsets[id]..<offsets[id + 1]])) }
    }

    /// 64-bit FNV-1a with a final mix, so that both the low bits (slot) and the high bits (tag) spread.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3
        }
        h ^= h >> 29
        h = h &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 32
        return h
    }

    @inline(__always)
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        if a.count == 0 { return true }
        return memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

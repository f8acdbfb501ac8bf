// The BPE merge of one word as llama.cpp runs it (llm_tokenizer_bpe_session): the word's bytes
// start as one symbol each (each is one byte-level character); the adjacent pair with the lowest
// merge rank is merged (ties: the leftmost), again and again, until no adjacent pair has a merge.
// Each symbol left is a token; one that is not (possible only with odd merge lists) falls back to
// the tokens of its single bytes, where they exist. With `ignoreMerges`, a word that is a token
// as a whole is that token.

/// Buffers reused from word to word while encoding one text.
struct MergeSession {
    /// One symbol of the word: `length` bytes at `start`, linked to its neighbours, with the
    /// `MergeTable.hash` of its text. A symbol merged into its left neighbour has length 0.
    struct Symbol {
        var start: Int32
        var length: Int32
        var previous: Int32
        var next: Int32
        var hash: UInt64
    }

    var symbols: [Symbol] = []
    var queue = MergeHeap<MergeCandidate>()
    /// The word in byte-level characters ...
    var encoded: [UInt8] = []
    /// ... where the character of byte `k` starts (one more entry for the end).
    var encodedStarts: [Int32] = []
}

extension BytePairTokenizer {
    /// Appends the tokens of one word (raw bytes) to `output`.
    func appendTokens(ofWord word: UnsafeBufferPointer<UInt8>, to output: inout [Int32], session: inout MergeSession) {
        guard !word.isEmpty else { return }
        let characters = ByteLevelEncoding.utf8
        let characterHashes = ByteLevelEncoding.hashes
        let table = vocabulary.table

        // Work on the session's buffers taken out of it (no overlapping access), put back at the end.
        var symbols = session.symbols, queue = session.queue
        var encoded = session.encoded, starts = session.encodedStarts
        session = MergeSession()
        defer {
            session.symbols = symbols
            session.queue = queue
            session.encoded = encoded
            session.encodedStarts = starts
        }

        encoded.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        for byte in word {
            starts.append(Int32(truncatingIfNeeded: encoded.count))
            encoded.append(contentsOf: characters[Int(byte)])
        }
        starts.append(Int32(truncatingIfNeeded: encoded.count))

        encoded.withUnsafeBufferPointer { encoded in
            @inline(__always) func text(_ start: Int32, _ length: Int32) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: encoded[Int(starts[Int(start)])..<Int(starts[Int(start + length)])])
            }

            if ignoreMerges, let id = table.id(of: encoded) {
                output.append(id)
                return
            }

            symbols.removeAll(keepingCapacity: true)
            let count = Int32(word.count)
            for index in 0..<count {
                symbols.append(MergeSession.Symbol(start: index, length: 1, previous: index - 1,
                                                   next: index + 1 == count ? -1 : index + 1,
                                                   hash: characterHashes[Int(word[Int(index)])]))
            }

            queue.removeAll()
            symbols.withUnsafeMutableBufferPointer { symbols in
                func addCandidate(_ left: Int32, _ right: Int32) {
                    guard left >= 0, right >= 0 else { return }
                    let l = symbols[Int(left)], r = symbols[Int(right)]
                    guard let rank = merges.rank(text(l.start, l.length), l.hash, text(r.start, r.length), r.hash) else { return }
                    queue.push(MergeCandidate(rank: rank, left: left, right: right, size: l.length + r.length))
                }
                for index in 1..<count {
                    addCandidate(index - 1, index)
                }
                while let candidate = queue.pop() {
                    let left = Int(candidate.left), right = Int(candidate.right)
                    // Skip candidates whose symbols changed since they were queued (texts only grow).
                    guard symbols[left].length != 0, symbols[right].length != 0,
                          symbols[left].length + symbols[right].length == candidate.size else { continue }
                    symbols[left].length += symbols[right].length
                    symbols[left].hash = MergeTable.hash(text(symbols[left].start, symbols[left].length))
                    symbols[right].length = 0
                    symbols[left].next = symbols[right].next
                    if symbols[right].next >= 0 {
                        symbols[Int(symbols[right].next)].previous = candidate.left
                    }
                    addCandidate(symbols[left].previous, candidate.left)
                    addCandidate(candidate.left, symbols[left].next)
                }
            }

            var index: Int32 = 0
            while index >= 0 {
                let symbol = symbols[Int(index)]
                let piece = text(symbol.start, symbol.length)
                if let id = table.id(of: piece) {
                    output.append(id)
                } else {
                    // llama.cpp looks up each byte of the symbol's (byte-level) text as a one-byte token.
                    for byte in piece where singleByteTokens[Int(byte)] >= 0 {
                        output.append(singleByteTokens[Int(byte)])
                    }
                }
                index = symbol.next
            }
        }
    }
}

/// A possible merge of symbol `left` with its right neighbour `right`; `size` is their byte
/// length when it was queued, to spot candidates gone stale.
struct MergeCandidate: HeapOrdered {
    var rank: Int32
    var left: Int32
    var right: Int32
    var size: Int32

    /// llama.cpp's order: lower rank first, then the leftmost pair.
    @inline(__always)
    func comesBefore(_ other: MergeCandidate) -> Bool {
        rank < other.rank || (rank == other.rank && left < other.left)
    }
}

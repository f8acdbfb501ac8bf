// The heart of SentencePiece encoding as llama.cpp runs it (llm_tokenizer_spm): split the escaped
// text into UTF-8 characters, then repeatedly merge the adjacent pair whose concatenation is the
// best-scoring vocabulary token (ties: the leftmost pair), until no adjacent pair forms a token.
// Pieces left that are not tokens fall back to one byte token per byte.

extension SentencePieceTokenizer {
    /// One symbol of the text being merged: `length` bytes at `start`, linked to its neighbours.
    /// A symbol merged into its left neighbour has length 0.
    struct Symbol {
        var start: Int32
        var length: Int32
        var previous: Int32
        var next: Int32
    }

    /// A candidate merge of symbol `left` with symbol `right` into a token of `score`;
    /// `size` is the byte length it had when queued, to spot candidates gone stale.
    struct Bigram: HeapOrdered {
        var score: Float
        var left: Int32
        var right: Int32
        var size: Int32

        /// llama.cpp's order: higher score first, then the leftmost pair.
        @inline(__always)
        func comesBefore(_ other: Bigram) -> Bool {
            score > other.score || (score == other.score && left < other.left)
        }
    }

    /// Appends the tokens of one escaped text run to `output`.
    func appendPieces(of text: UnsafeBufferPointer<UInt8>, to output: inout [Int32]) {
        guard !text.isEmpty else { return }
        var symbols: [Symbol] = []
        symbols.reserveCapacity(text.count)
        var offset = 0
        while offset < text.count {
            let length = min(Self.utf8SequenceLength(text[offset]), text.count - offset)
            let index = Int32(symbols.count)
            offset += length
            symbols.append(Symbol(start: Int32(offset - length), length: Int32(length),
                                  previous: index - 1, next: offset == text.count ? -1 : index + 1))
        }

        var queue = MergeHeap<Bigram>()
        symbols.withUnsafeMutableBufferPointer { symbols in
            let scores = vocabulary.scores
            func tryAddBigram(_ left: Int32, _ right: Int32) {
                guard left >= 0, right >= 0 else { return }
                let start = Int(symbols[Int(left)].start)
                let size = Int(symbols[Int(left)].length + symbols[Int(right)].length)
                guard let id = vocabulary.table.id(of: UnsafeBufferPointer(rebasing: text[start..<start + size])) else { return }
                queue.push(Bigram(score: scores[Int(id)], left: left, right: right, size: Int32(size)))
            }

            for index in 1..<Int32(symbols.count) {
                tryAddBigram(index - 1, index)
            }
            while let bigram = queue.pop() {
                let left = Int(bigram.left), right = Int(bigram.right)
                // Skip candidates whose symbols changed since they were queued.
                guard symbols[left].length != 0, symbols[right].length != 0,
                      symbols[left].length + symbols[right].length == bigram.size else { continue }
                symbols[left].length += symbols[right].length
                symbols[right].length = 0
                symbols[left].next = symbols[right].next
                if symbols[right].next >= 0 {
                    symbols[Int(symbols[right].next)].previous = bigram.left
                }
                tryAddBigram(symbols[left].previous, bigram.left)
                tryAddBigram(bigram.left, symbols[left].next)
            }
        }

        var index: Int32 = 0
        while index >= 0 {
            let symbol = symbols[Int(index)]
            let piece = UnsafeBufferPointer(rebasing: text[Int(symbol.start)..<Int(symbol.start + symbol.length)])
            if let id = vocabulary.table.id(of: piece) {
                output.append(id)
            } else {
                for byte in piece {
                    let id = byteTokens[Int(byte)]
                    if id >= 0 {
                        output.append(id)
                    } else if let unknown = specialTokens.unknown {
                        output.append(unknown)   // llama.cpp would throw here: the vocabulary lacks byte tokens
                    }
                }
            }
            index = symbol.next
        }
    }

    /// Length of the UTF-8 sequence a lead byte announces, as llama.cpp's unicode_len_utf8
    /// (continuation and invalid bytes count as one).
    @inline(__always)
    static func utf8SequenceLength(_ byte: UInt8) -> Int {
        switch byte >> 4 {
        case 0xC, 0xD: return 2
        case 0xE: return 3
        case 0xF: return 4
        default: return 1
        }
    }
}

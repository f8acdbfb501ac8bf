// Cutting text into words, with llama.cpp's results (unicode.cpp, unicode_regex_split). llama.cpp
// runs a list of regexes one after the other, each one cutting the pieces the previous one left;
// a regex keeps both its matches and the text between them as pieces. GPT-2's and Llama 3's regexes
// run as hand-written scanners there, and so they do here. The others run through std::regex on
// a "collapsed" text where each non-ASCII code point is replaced by a byte naming its class; their
// scanners here give what std::regex gives on that text (for Qwen 2's regex: leftmost match, first
// alternative that matches, greedy quantifiers with backtracking).
//
// Positions are code point indices; a split is a list of piece lengths.

extension BPEPreTokenizer {
    /// Lengths (in code points) of the words of a text with code point classes `classes`.
    func split(_ cpts: UnsafeBufferPointer<UInt32>, _ classes: UnsafeBufferPointer<CodepointClass>) -> [Int] {
        guard !cpts.isEmpty else { return [] }
        let scanner = WordScanner(cpts: cpts, classes: classes)
        var lengths = [cpts.count]
        switch self {
        case .standard:
            lengths = scanner.pieces(lengths, scanner.punctuationRuns)
            lengths = scanner.pieces(lengths, scanner.gpt2)
            lengths = scanner.pieces(lengths, scanner.numberRuns)
            lengths = scanner.pieces(lengths, scanner.asciiDigitTriples)
        case .gpt2:
            lengths = scanner.pieces(lengths, scanner.gpt2)
        case .llama3:
            lengths = scanner.pieces(lengths) { scanner.llama3($0, $1, maxDigits: 3, &$2) }
        case .qwen2:
            lengths = scanner.pieces(lengths) { scanner.llama3($0, $1, maxDigits: 1, &$2) }
        case .digitsThenGPT2:
            lengths = scanner.pieces(lengths, scanner.singleNumbers)
            lengths = scanner.pieces(lengths, scanner.gpt2)
        }
        return lengths
    }
}

/// The scanners, each cutting the code points `start..<end` into pieces appended to `output`.
struct WordScanner {
    let cpts: UnsafeBufferPointer<UInt32>
    let classes: UnsafeBufferPointer<CodepointClass>

    typealias Scan = (_ start: Int, _ end: Int, _ output: inout [Int]) -> Void

    /// Runs `scan` over every piece of `lengths`.
    func pieces(_ lengths: [Int], _ scan: Scan) -> [Int] {
        var output: [Int] = []
        output.reserveCapacity(lengths.count * 2)
        var start = 0
        for length in lengths {
            scan(start, start + length, &output)
            start += length
        }
        return output
    }

    // MARK: GPT-2 (unicode_regex_split_custom_gpt2)

    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)` and single whitespace.
    func gpt2(_ start: Int, _ end: Int, _ output: inout [Int]) {
        @inline(__always) func cpt(_ i: Int) -> UInt32 { i < end ? cpts[i] : UInt32.max }
        @inline(__always) func cls(_ i: Int) -> CodepointClass { i < end ? classes[i] : [] }
        var previous = start
        func add(_ position: Int) {
            if position > previous { output.append(position - previous) }
            previous = position
        }
        var pos = start
        while pos < end {
            let c = cpts[pos]
            if c == 0x27, pos + 1 < end {   // '
                let next = cpts[pos + 1]
                if next == 0x73 || next == 0x74 || next == 0x6D || next == 0x64 {   // s t m d
                    pos += 2; add(pos); continue
                }
                if pos + 2 < end {
                    let after = cpts[pos + 2]
                    if (next == 0x72 && after == 0x65) || (next == 0x76 && after == 0x65) || (next == 0x6C && after == 0x6C) {   // re ve ll
                        pos += 3; add(pos); continue
                    }
                }
            }
            let space = c == 0x20
            let lead = space ? cls(pos + 1) : classes[pos]
            if lead.contains(.letter) {
                pos += space ? 1 : 0
                while cls(pos).contains(.letter) { pos += 1 }
                add(pos); continue
            }
            if lead.contains(.number) {
                pos += space ? 1 : 0
                while cls(pos).contains(.number) { pos += 1 }
                add(pos); continue
            }
            if Self.isOther(lead) {
                pos += space ? 1 : 0
                while Self.isOther(cls(pos)) { pos += 1 }
                add(pos); continue
            }
            var spaces = 0
            while cls(pos + spaces).contains(.whitespace) { spaces += 1 }
            if spaces > 1, cpt(pos + spaces) != UInt32.max {   // \s+(?!\S): leave the last one
                pos += spaces - 1; add(pos); continue
            }
            if spaces > 0 {
                pos += spaces; add(pos); continue
            }
            pos += 1; add(pos)
        }
    }

    // MARK: Llama 3 and Qwen 2

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}|
    /// ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`. With `maxDigits` 3 this is llama.cpp's
    /// unicode_regex_split_custom_llama3; with 1 it is what std::regex finds for Qwen 2's regex.
    func llama3(_ start: Int, _ end: Int, maxDigits: Int, _ output: inout [Int]) {
        @inline(__always) func cpt(_ i: Int) -> UInt32 { i < end ? cpts[i] : UInt32.max }
        @inline(__always) func cls(_ i: Int) -> CodepointClass { i < end ? classes[i] : [] }
        @inline(__always) func lower(_ c: UInt32) -> UInt32 { (0x41...0x5A).contains(c) ? c + 0x20 : c }
        @inline(__always) func isNewline(_ c: UInt32) -> Bool { c == 0x0D || c == 0x0A }
        var previous = start
        func add(_ position: Int) {
            if position > previous { output.append(position - previous) }
            previous = position
        }
        var pos = start
        while pos < end {
            let c = cpts[pos]
            let flags = classes[pos]
            if c == 0x27, pos + 1 < end {   // contractions, any case
                let next = lower(cpts[pos + 1])
                if next == 0x73 || next == 0x74 || next == 0x6D || next == 0x64 {
                    pos += 2; add(pos); continue
                }
                if pos + 2 < end {
                    let after = lower(cpts[pos + 2])
                    if (next == 0x72 && after == 0x65) || (next == 0x76 && after == 0x65) || (next == 0x6C && after == 0x6C) {
                        pos += 3; add(pos); continue
                    }
                }
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if !(isNewline(c) || flags.contains(.number)) {
                if flags.contains(.letter) || cls(pos + 1).contains(.letter) {
                    pos += 1
                    while cls(pos).contains(.letter) { pos += 1 }
                    add(pos); continue
                }
            }
            // \p{N}{1,maxDigits}
            if flags.contains(.number) {
                var first = pos
                while cls(pos).contains(.number) {
                    pos += 1
                    if pos - first >= maxDigits { add(pos); first = pos }
                }
                add(pos); continue
            }
            // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
            let space = c == 0x20
            if Self.isOther(space ? cls(pos + 1) : flags) {
                pos += space ? 1 : 0
                while Self.isOther(cls(pos)) { pos += 1 }
                while isNewline(cpt(pos)) { pos += 1 }
                add(pos); continue
            }
            var spaces = 0
            var afterLastNewline = 0
            while cls(pos + spaces).contains(.whitespace) {
                if isNewline(cpts[pos + spaces]) { afterLastNewline = pos + spaces + 1 }
                spaces += 1
            }
            if afterLastNewline > 0 {   // \s*[\r\n]+
                pos = afterLastNewline; add(pos); continue
            }
            if spaces > 1, cpt(pos + spaces) != UInt32.max {   // \s+(?!\S)
                pos += spaces - 1; add(pos); continue
            }
            if spaces > 0 {   // \s+
                pos += spaces; add(pos); continue
            }
            pos += 1; add(pos)
        }
    }

    // MARK: Class regexes (std::regex on the collapsed text)

    /// `[\p{P}\$\+<=>\^~\|]+`: runs of punctuation and of the rest.
    func punctuationRuns(_ start: Int, _ end: Int, _ output: inout [Int]) {
        runs(start, end, &output) { i in
            let c = cpts[i]
            if c < 128 {
                return classes[i].contains(.punctuation) || c == 0x24 || c == 0x2B || c == 0x3C
                    || c == 0x3D || c == 0x3E || c == 0x5E || c == 0x7E || c == 0x7C
            }
            return classes[i].contains(.punctuation) && !classes[i].contains(.whitespace)
        }
    }

    /// `\p{N}+`: runs of numbers and of the rest.
    func numberRuns(_ start: Int, _ end: Int, _ output: inout [Int]) {
        runs(start, end, &output) { classes[$0].contains(.number) && !classes[$0].contains(.whitespace) }
    }

    /// `\p{N}`: every number alone, runs of the rest between them.
    func singleNumbers(_ start: Int, _ end: Int, _ output: inout [Int]) {
        var gap = 0
        for i in start..<end {
            if classes[i].contains(.number) && !classes[i].contains(.whitespace) {
                if gap > 0 { output.append(gap); gap = 0 }
                output.append(1)
            } else {
                gap += 1
            }
        }
        if gap > 0 { output.append(gap) }
    }

    /// `[0-9][0-9][0-9]`: leftmost groups of three ASCII digits, and the text between them.
    func asciiDigitTriples(_ start: Int, _ end: Int, _ output: inout [Int]) {
        @inline(__always) func digit(_ i: Int) -> Bool { i < end && (0x30...0x39).contains(cpts[i]) }
        var gap = 0
        var i = start
        while i < end {
            if digit(i), digit(i + 1), digit(i + 2) {
                if gap > 0 { output.append(gap); gap = 0 }
                output.append(3)
                i += 3
            } else {
                gap += 1
                i += 1
            }
        }
        if gap > 0 { output.append(gap) }
    }

    /// Maximal runs of code points with the same answer to `inClass`.
    private func runs(_ start: Int, _ end: Int, _ output: inout [Int], _ inClass: (Int) -> Bool) {
        guard start < end else { return }
        var runStart = start
        var current = inClass(start)
        for i in (start + 1)..<end {
            let value = inClass(i)
            if value != current {
                output.append(i - runStart)
                runStart = i
                current = value
            }
        }
        output.append(end - runStart)
    }

    /// `[^\s\p{L}\p{N}]` for a code point of the text (never for a position past its end).
    @inline(__always)
    static func isOther(_ flags: CodepointClass) -> Bool {
        flags.contains(.present) && !flags.intersects([.whitespace, .letter, .number])
    }
}

extension CodepointClass {
    @inline(__always)
    func intersects(_ other: CodepointClass) -> Bool { rawValue & other.rawValue != 0 }
}

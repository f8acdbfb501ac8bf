// The few facts about a code point that byte-level BPE pre-tokenizers ask: is it a letter (\p{L}),
// a number (\p{N}), punctuation (\p{P}), whitespace (\s)? llama.cpp answers from tables generated
// out of UnicodeData.txt; here the standard library's Unicode properties answer, with llama.cpp's
// own whitespace list. Also llama.cpp's lenient UTF-8 decoder, whose quirks decide how invalid
// input is tokenized.

/// Classification bits of one code point, as llama.cpp's `unicode_cpt_flags` uses them.
struct CodepointClass: OptionSet, Sendable {
    let rawValue: UInt8

    static let letter = CodepointClass(rawValue: 1 << 0)
    static let number = CodepointClass(rawValue: 1 << 1)
    static let whitespace = CodepointClass(rawValue: 1 << 2)
    static let punctuation = CodepointClass(rawValue: 1 << 3)
    /// Set for every code point of the text; a position outside the text has no bits at all
    /// (llama.cpp's `flags.as_uint() == 0` test).
    static let present = CodepointClass(rawValue: 1 << 7)

    /// The class of `cpt`.
    @inline(__always)
    static func of(_ cpt: UInt32) -> CodepointClass {
        cpt < 128 ? ascii[Int(cpt)] : nonASCII(cpt)
    }

    private static let ascii: [CodepointClass] = (0..<128).map { value in
        var result: CodepointClass = .present
        let c = UInt8(value)
        switch c {
        case 0x41...0x5A, 0x61...0x7A: result.insert(.letter)
        case 0x30...0x39: result.insert(.number)
        case 0x09...0x0D, 0x20: result.insert(.whitespace)
        default: break
        }
        // ASCII general category P: ! " # % & ' ( ) * , - . / : ; ? @ [ \ ] _ { }
        if Array("!\"#%&'()*,-./:;?@[\\]_{}".utf8).contains(c) { result.insert(.punctuation) }
        return result
    }

    private static func nonASCII(_ cpt: UInt32) -> CodepointClass {
        var result: CodepointClass = .present
        if isWhitespace(cpt) { result.insert(.whitespace) }
        guard let scalar = Unicode.Scalar(cpt) else { return result }   // surrogates, beyond U+10FFFF
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            result.insert(.letter)
        case .decimalNumber, .letterNumber, .otherNumber:
            result.insert(.number)
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            result.insert(.punctuation)
        default:
            break
        }
        return result
    }

    /// Unicode's White_Space property, the list llama.cpp uses (non-ASCII part).
    @inline(__always)
    private static func isWhitespace(_ cpt: UInt32) -> Bool {
        switch cpt {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}

/// UTF-8 as llama.cpp reads and writes it for BPE pre-tokenization.
enum LenientUTF8 {
    static let replacement: UInt32 = 0xFFFD

    /// Decodes `bytes` as llama.cpp's unicode_cpts_from_utf8 does: a lead byte announces the length,
    /// continuation bytes are checked but overlong forms and surrogates are accepted; each byte that
    /// cannot start a well-formed sequence becomes U+FFFD. Returns the code points and whether
    /// writing them back as UTF-8 gives other bytes than `bytes`.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> (codepoints: [UInt32], changed: Bool) {
        var cpts: [UInt32] = []
        cpts.reserveCapacity(bytes.count)
        var changed = false
        var i = 0
        let n = bytes.count
        @inline(__always) func continuation(_ k: Int) -> Bool { k < n && bytes[k] & 0xC0 == 0x80 }
        while i < n {
            let b0 = bytes[i]
            var cpt: UInt32
            var length: Int
            if b0 & 0x80 == 0 {
                cpt = UInt32(b0); length = 1
            } else if b0 & 0x40 == 0 {
                cpt = replacement; length = 0
            } else if b0 & 0x20 == 0 {
                if continuation(i + 1) {
                    cpt = UInt32(b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F); length = 2
                } else { cpt = replacement; length = 0 }
            } else if b0 & 0x10 == 0 {
                if continuation(i + 1), continuation(i + 2) {
                    cpt = UInt32(b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F); length = 3
                } else { cpt = replacement; length = 0 }
            } else if b0 & 0x08 == 0 {
                if continuation(i + 1), continuation(i + 2), continuation(i + 3) {
                    cpt = UInt32(b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12
                        | UInt32(bytes[i + 2] & 0x3F) << 6 | UInt32(bytes[i + 3] & 0x3F); length = 4
                } else { cpt = replacement; length = 0 }
            } else {
                cpt = replacement; length = 0
            }
            if length == 0 {
                changed = true   // one invalid byte, written back as the 3 bytes of U+FFFD
                i += 1
            } else {
                if cpt > 0x10FFFF { cpt = replacement }   // llama.cpp cannot write these back (it throws)
                if encodedLength(cpt) != length { changed = true }
                i += length
            }
            cpts.append(cpt)
        }
        return (cpts, changed)
    }

    /// Bytes of `cpt` in UTF-8 (surrogates written as three bytes, as llama.cpp does).
    @inline(__always)
    static func encodedLength(_ cpt: UInt32) -> Int {
        cpt < 0x80 ? 1 : cpt < 0x800 ? 2 : cpt < 0x10000 ? 3 : 4
    }

    /// Appends the UTF-8 bytes of `cpt` (at most U+10FFFF) to `output`.
    @inline(__always)
    static func append(_ cpt: UInt32, to output: inout [UInt8]) {
        switch cpt {
        case 0..<0x80:
            output.append(UInt8(cpt))
        case 0x80..<0x800:
            output.append(0xC0 | UInt8(cpt >> 6))
            output.append(0x80 | UInt8(cpt & 0x3F))
        case 0x800..<0x10000:
            output.append(0xE0 | UInt8(cpt >> 12))
            output.append(0x80 | UInt8((cpt >> 6) & 0x3F))
            output.append(0x80 | UInt8(cpt & 0x3F))
        default:
            output.append(0xF0 | UInt8(cpt >> 18))
            output.append(0x80 | UInt8((cpt >> 12) & 0x3F))
            output.append(0x80 | UInt8((cpt >> 6) & 0x3F))
            output.append(0x80 | UInt8(cpt & 0x3F))
        }
    }
}

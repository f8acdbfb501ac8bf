// GPT-2's byte-to-unicode mapping: byte-level BPE vocabularies store every byte as a printable
// character, so that token texts never hold spaces or control bytes. Printable Latin-1 bytes
// (! to ~, ¡ to ¬, ® to ÿ) stand for themselves; the other 68 bytes, in order, become U+0100 onwards
// (a space is "Ġ" U+0120, a newline "Ċ" U+010A).

/// GPT-2's reversible mapping between bytes and the characters that stand for them in token texts.
public enum ByteLevelEncoding {
    /// The character that stands for `byte`.
    public static func character(for byte: UInt8) -> Unicode.Scalar {
        Unicode.Scalar(scalars[Int(byte)])!
    }

    /// The byte `character` stands for, or nil when it stands for none.
    public static func byte(for character: Unicode.Scalar) -> UInt8? {
        byte(forCodepoint: character.value)
    }

    /// `bytes` written as the characters that stand for them (what a token text looks like).
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(character(for: byte)) }
        return String(text)
    }

    /// The bytes a token text stands for, or nil if it holds a character that stands for no byte.
    public static func decode(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            guard let byte = byte(for: scalar) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    // MARK: Tables

    /// Code point standing for each byte.
    static let scalars: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if standsForItself(byte) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// UTF-8 bytes of the character standing for each byte (1 or 2 bytes).
    static let utf8: [[UInt8]] = scalars.map { scalar in
        var bytes: [UInt8] = []
        LenientUTF8.append(scalar, to: &bytes)
        return bytes
    }

    /// `MergeTable.hash` of each byte's character.
    static let hashes: [UInt64] = utf8.map { $0.withUnsafeBufferPointer(MergeTable.hash) }

    /// Byte standing behind each code point below 0x144, -1 where none.
    private static let bytesByCodepoint: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, scalar) in scalars.enumerated() { table[Int(scalar)] = Int16(byte) }
        return table
    }()

    @inline(__always)
    static func byte(forCodepoint cpt: UInt32) -> UInt8? {
        guard cpt < 0x144 else { return nil }
        let byte = bytesByCodepoint[Int(cpt)]
        return byte < 0 ? nil : UInt8(byte)
    }

    private static func standsForItself(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }
}

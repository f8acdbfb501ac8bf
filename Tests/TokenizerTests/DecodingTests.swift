// From ids back to text: pieces of each token kind, whole-sequence decoding, and the streaming
// detokenizer that only ever emits whole UTF-8 characters.

import Testing
import Tokenizer

@Suite struct DecodingTests {
    typealias V = TinyVocabulary

    @Test func piecesOfEachTokenKind() throws {
        let t = try V.tokenizer()
        #expect(t.piece(V.id("▁ab")) == Array(" ab".utf8))
        #expect(t.piece(V.byte(0x41)) == [0x41])
        #expect(t.piece(V.byte(0xF0)) == [0xF0])
        #expect(t.piece(V.id("<turn>")) == [])
        #expect(t.piece(V.id("<turn>"), special: true) == Array("<turn>".utf8))
        #expect(t.piece(V.bos) == [])
        #expect(t.piece(V.bos, special: true) == Array("<s>".utf8))
        #expect(t.piece(V.unk) == [])
        #expect(t.piece(V.id("<tag>")) == Array("<tag>".utf8))
        #expect(t.piece(V.id("<gone>")) == [])
        #expect(t.piece(-1) == [])
        #expect(t.piece(Int32(t.vocabularySize)) == [])
    }

    @Test func decodeUndoesEncode() throws {
        let t = try V.tokenizer()
        for text in ["abc", " a b  c ", "héllo wörld 🦙", "x<tag>yy<turn>", ""] {
            #expect(t.decode(t.encode(text, addSpecial: true, parseSpecial: false)) == text)
        }
        let special = t.encode("a<turn>b", addSpecial: true, parseSpecial: true)
        #expect(t.decode(special) == "ab")
        #expect(t.decode(special, special: true) == "<s>a<turn>b")
    }

    @Test func detokenizeDropsTheSpacePrefixLikeLlamaCpp() throws {
        let t = try V.tokenizer(addSpacePrefix: true)
        #expect(t.detokenize(t.encode("abc", addSpecial: false, parseSpecial: false)) == "abc")
        // llama.cpp strips the space from the first token only, which is BOS here.
        #expect(t.detokenize(t.encode("abc", addSpecial: true, parseSpecial: false)) == " abc")
    }

    @Test func streamingWaitsForWholeCharacters() throws {
        let t = try V.tokenizer()
        var stream = StreamingDetokenizer(tokenizer: t)
        let llama = Array("🦙".utf8)
        #expect(llama.count == 4)
        #expect(stream.append(V.byte(llama[0])) == "")
        #expect(stream.append(V.byte(llama[1])) == "")
        #expect(stream.hasPendingBytes)
        #expect(stream.append(V.byte(llama[2])) == "")
        #expect(stream.append(V.byte(llama[3])) == "🦙")
        #expect(!stream.hasPendingBytes)
        #expect(stream.append(V.id("▁ab")) == " ab")
        #expect(stream.append(V.byte(0xC3)) == "")
        #expect(stream.append(V.byte(0xA9)) == "é")
        #expect(stream.flush() == "")
    }

    @Test func streamingReplacesInvalidBytesWithoutStalling() throws {
        let t = try V.tokenizer()
        var stream = StreamingDetokenizer(tokenizer: t)
        #expect(stream.append(V.byte(0xFF)) == "\u{FFFD}")
        #expect(stream.append(V.byte(0x80)) == "\u{FFFD}")
        #expect(stream.append(V.byte(0xF0)) == "")
        #expect(stream.append(V.byte(0x9F)) == "")
        #expect(stream.append(V.id("a")) == "\u{FFFD}a")
        #expect(stream.append(V.byte(0xE2)) == "")
        #expect(stream.flush() == "\u{FFFD}")
        #expect(stream.flush() == "")
        #expect(stream.append(V.id("b")) == "b")
    }

    @Test func streamingRendersControlTokensOnRequest() throws {
        let t = try V.tokenizer()
        var plain = StreamingDetokenizer(tokenizer: t)
        #expect(plain.append(V.id("<turn>")) == "")
        var special = StreamingDetokenizer(tokenizer: t, special: true)
        #expect(special.append(V.id("<turn>")) == "<turn>")
    }

    /// Fed any bytes in any chunks, the stream says what decoding all of them at once says.
    @Test func streamingAgreesWithWholeDecoding() throws {
        let t = try V.tokenizer()
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return seed >> 33
        }
        let interesting: [UInt8] = [0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0x9F, 0xA0]
        for _ in 0..<300 {
            let count = Int(next() % 24)
            var bytes: [UInt8] = []
            for _ in 0..<count {
                bytes.append(next() % 2 == 0 ? interesting[Int(next() % UInt64(interesting.count))] : UInt8(truncatingIfNeeded: next()))
            }
            var stream = StreamingDetokenizer(tokenizer: t)
            var text = ""
            var index = 0
            while index < bytes.count {
                let chunk = min(bytes.count - index, 1 + Int(next() % 4))
                text += stream.append(bytes: Array(bytes[index..<index + chunk]))
                index += chunk
            }
            text += stream.flush()
            #expect(text == String(decoding: bytes, as: UTF8.self), "bytes \(bytes)")
        }
    }
}

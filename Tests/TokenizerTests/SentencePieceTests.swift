// The SentencePiece algorithm on a hand-made vocabulary, case by case: merge order by score and
// position, byte fallback, space escaping and the space prefix, special-token partitioning
// (longest first, user-defined tokens always, control tokens only when parsed, Phi-3's rstrip),
// BOS/EOS, and the special roles found by token text.

import Testing
import Tokenizer

@Suite struct SentencePieceTests {
    typealias V = TinyVocabulary

    @Test func mergesTheBestScoringPairFirst() throws {
        let t = try V.tokenizer()
        // "bc" (-1.0) beats "ab" (-1.5), and "abc" is no token.
        #expect(t.encode("abc", addSpecial: false, parseSpecial: false) == [V.id("a"), V.id("bc")])
        // Equal scores: the leftmost pair merges first.
        #expect(t.encode("aaa", addSpecial: false, parseSpecial: false) == [V.id("aa"), V.id("a")])
        // Merges build on merges: ▁a, then ▁ab, then ▁abc; the stale "bc" candidate is skipped.
        #expect(t.encode(" abc", addSpecial: false, parseSpecial: false) == [V.id("▁abc")])
    }

    @Test func spacesBecomeU2581() throws {
        let t = try V.tokenizer()
        #expect(t.encode("a b", addSpecial: false, parseSpecial: false) == [V.id("a"), V.id("▁b")])
        let prefixed = try V.tokenizer(addSpacePrefix: true)
        #expect(prefixed.encode("abc", addSpecial: false, parseSpecial: false) == [V.id("▁abc")])
        #expect(prefixed.encode("abc", addSpecial: true, parseSpecial: false) == [V.bos, V.id("▁abc")])
    }

    @Test func unknownCharactersFallBackToByteTokens() throws {
        let t = try V.tokenizer()
        #expect(t.encode("é", addSpecial: false, parseSpecial: false) == [V.id("é")])
        #expect(t.encode("bü", addSpecial: false, parseSpecial: false) == [V.id("b"), V.byte(0xC3), V.byte(0xBC)])
        #expect(t.encode(bytes: [0x61, 0xFF, 0x80], addSpecial: false, parseSpecial: false)
                == [V.id("a"), V.byte(0xFF), V.byte(0x80)])
    }

    @Test func controlTokensAreMatchedOnlyWhenParsingSpecials() throws {
        let t = try V.tokenizer(addSpacePrefix: true)
        // After a special token the next text run gets the space prefix again.
        #expect(t.encode("a<turn>b", addSpecial: true, parseSpecial: true) == [V.bos, V.id("▁a"), V.id("<turn>"), V.id("▁b")])
        let plain = try V.tokenizer()
        let bytes = "<turn>".utf8.map { V.byte($0) }
        #expect(plain.encode("a<turn>b", addSpecial: false, parseSpecial: false) == [V.id("a")] + bytes + [V.id("b")])
        // Unknown-type tokens are special too.
        #expect(plain.encode("<unk>", addSpecial: false, parseSpecial: true) == [V.unk])
        #expect(plain.encode("<unk>", addSpecial: false, parseSpecial: false).count == 5)
    }

    @Test func userDefinedTokensAreAlwaysMatched() throws {
        let t = try V.tokenizer(addSpacePrefix: true)
        #expect(t.encode("a<tag>b", addSpecial: false, parseSpecial: false) == [V.id("▁a"), V.id("<tag>"), V.id("▁b")])
    }

    @Test func longerSpecialTokensWinAndMatchesDoNotOverlap() throws {
        let t = try V.tokenizer()
        #expect(t.encode("xxxx", addSpecial: false, parseSpecial: false) == [V.id("xxx"), V.id("x")])
        #expect(t.encode("xxxxx", addSpecial: false, parseSpecial: false) == [V.id("xxx"), V.id("xx")])
        #expect(t.encode("xxxxxx", addSpecial: false, parseSpecial: false) == [V.id("xxx"), V.id("xxx")])
    }

    @Test func phi3SpecialTokensSwallowFollowingWhitespace() throws {
        let plain = try V.tokenizer(addSpacePrefix: true)
        #expect(plain.encode("<turn>  a", addSpecial: true, parseSpecial: true)
                == [V.bos, V.id("<turn>"), V.id("▁"), V.id("▁"), V.id("▁a")])
        let phi = try V.tokenizer(addSpacePrefix: true, modelName: "Phi3")
        #expect(phi.encode("<turn>  a", addSpecial: true, parseSpecial: true) == [V.bos, V.id("<turn>"), V.id("▁a")])
        #expect(phi.encode("<turn>  ", addSpecial: false, parseSpecial: true) == [V.id("<turn>")])
    }

    @Test func bosAndEosFollowTheOptions() throws {
        let t = try V.tokenizer(addEOS: true)
        #expect(t.encode("a", addSpecial: true, parseSpecial: false) == [V.bos, V.id("a"), V.eos])
        #expect(t.encode("a", addSpecial: false, parseSpecial: false) == [V.id("a")])
        #expect(t.encode("", addSpecial: true, parseSpecial: false) == [V.bos, V.eos])
        let noBOS = try V.tokenizer(addBOS: false)
        #expect(noBOS.encode("", addSpecial: true, parseSpecial: false) == [])
        #expect(noBOS.bos == V.bos)
    }

    @Test func specialRolesFoundByText() throws {
        let t = try V.tokenizer()
        let endOfTurn = V.id("<end_of_turn>")
        #expect(t.specialTokens.endOfTurn == endOfTurn)
        #expect(t.isEndOfGeneration(endOfTurn))
        #expect(t.isEndOfGeneration(V.eos))
        #expect(!t.isEndOfGeneration(V.bos))
        #expect(!t.isEndOfGeneration(V.id("a")))
        #expect(t.endOfGenerationTokens == [V.eos, endOfTurn])
        // Its type was normal; as an end-of-turn token it became a control token.
        #expect(t.vocabulary.attributes[Int(endOfTurn)].contains(.control))
        #expect(t.encode("<end_of_turn>", addSpecial: false, parseSpecial: true) == [endOfTurn])
        #expect(t.vocabulary.attributes[Int(V.id("<unused7>"))].contains(.unused))
    }

    @Test func lookupByText() throws {
        let t = try V.tokenizer()
        #expect(t.tokenId("<turn>") == V.id("<turn>"))
        #expect(t.tokenId("▁abc") == V.id("▁abc"))
        #expect(t.tokenId("<0x41>") == V.byte(0x41))
        #expect(t.tokenId("nope") == nil)
        #expect(t.tokenId("") == nil)
        #expect(t.vocabularySize == 259 + V.pieces.count + V.specials.count)
    }

    @Test func vocabularyEdgeCases() throws {
        let v = try Vocabulary(tokens: [[], Array("a".utf8), Array("a".utf8)])
        #expect(v.text(of: 0) == Array("[EMPTY_0]".utf8))
        #expect(v.id(of: Array("a".utf8)) == 2)   // a later duplicate wins
        #expect(v.text(of: 3) == nil)
        #expect(v.scores == [0, 0, 0])
        #expect(v.attributes == [.normal, .normal, .normal])
        let strings = try Vocabulary(tokens: ["▁x", "y"], scores: [1, 2], types: [1, 99])
        #expect(strings.id(of: Array("▁x".utf8)) == 0)
        #expect(strings.attributes == [.normal, []])
    }

    @Test func badVocabulariesThrow() {
        #expect(throws: TokenizerError.self) { try Vocabulary(tokens: [[UInt8]]()) }
        #expect(throws: TokenizerError.self) { try Vocabulary(tokens: [[0x61], [0x62]], scores: [1]) }
        #expect(throws: TokenizerError.self) { try Vocabulary(tokens: [[0x61], [0x62]], types: [1]) }
        #expect(throws: TokenizerError.self) {
            try SentencePieceTokenizer(tokens: [[0x61]], scores: nil, types: nil,
                                       options: SentencePieceOptions(specialTokens: SpecialTokenIDs(bos: 5, eos: nil, unknown: nil)))
        }
        #expect(throws: TokenizerError.self) {
            try SentencePieceTokenizer(tokens: [[0x61]], scores: nil, types: nil,
                                       options: SentencePieceOptions(specialTokens: SpecialTokenIDs(bos: nil, eos: nil, unknown: nil),
                                                                     addBOS: false, addEOS: true))
        }
    }
}

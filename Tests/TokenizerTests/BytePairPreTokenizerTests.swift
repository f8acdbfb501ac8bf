// The pre-tokenizers cut text into words exactly as llama.cpp does. The expected words come from
// an independent model of llama.cpp's unicode_regex_split: each regex run through Python's `re`
// on llama.cpp's "collapsed" text (non-ASCII code points replaced by a byte naming their class),
// which is what llama.cpp's std::regex path does and what its hand-written GPT-2/Llama 3 scanners
// reproduce. Words are compared as exact scalars (Swift's == on String would equate "é" and "e\u{301}").

import Testing
import Tokenizer

@Suite struct BytePairPreTokenizerTests {
    static let texts = [
        "Hello world's 12345 ABC'LL  \n\n  x\t\ty ...!!\n",
        "naïve café 東京 and Москва 🚀🎉 (tested 1234567890 times) ½ ≥ ∑",
        "  leading, trailing  ",
        "a\u{A0}\u{A0}b\r\n\r\nc \t\n",
        "$100+200=300 <tag> ^x~y|z",
        "I'M 'tis we've e\u{301}\u{301}",
    ]

    static let expected: [BPEPreTokenizer: [[String]]] = [
        .standard: [
            ["Hello", " world", "'", "s", " ", "123", "45", " ABC", "'", "LL", "  \n\n ", " x", "\t", "\t", "y", " ", "...!!", "\n"],
            ["naïve", " café", " 東京", " and", " Москва", " 🚀🎉", " ", "(", "tested", " ", "123", "456", "789", "0", " times", ")", " ", "½", " ≥", " ∑"],
            [" ", " leading", ",", " trailing", "  "],
            ["a", "\u{A0}", "\u{A0}", "b", "\r\n\r", "\n", "c", " \t\n"],
            ["$", "100", "+", "200", "=", "300", " ", "<", "tag", ">", " ", "^", "x", "~", "y", "|", "z"],
            ["I", "'", "M", " ", "'", "tis", " we", "'", "ve", " e", "\u{301}\u{301}"],
        ],
        .gpt2: [
            ["Hello", " world", "'s", " 12345", " ABC", "'", "LL", "  \n\n ", " x", "\t", "\t", "y", " ...!!", "\n"],
            ["naïve", " café", " 東京", " and", " Москва", " 🚀🎉", " (", "tested", " 1234567890", " times", ")", " ½", " ≥", " ∑"],
            [" ", " leading", ",", " trailing", "  "],
            ["a", "\u{A0}", "\u{A0}", "b", "\r\n\r", "\n", "c", " \t\n"],
            ["$", "100", "+", "200", "=", "300", " <", "tag", ">", " ^", "x", "~", "y", "|", "z"],
            ["I", "'", "M", " '", "tis", " we", "'ve", " e", "\u{301}\u{301}"],
        ],
        .llama3: [
            ["Hello", " world", "'s", " ", "123", "45", " ABC", "'LL", "  \n\n", " ", " x", "\t", "\ty", " ...!!\n"],
            ["naïve", " café", " 東京", " and", " Москва", " 🚀🎉", " (", "tested", " ", "123", "456", "789", "0", " times", ")", " ", "½", " ≥", " ∑"],
            [" ", " leading", ",", " trailing", "  "],
            ["a", "\u{A0}", "\u{A0}b", "\r\n\r\n", "c", " \t\n"],
            ["$", "100", "+", "200", "=", "300", " <", "tag", ">", " ^", "x", "~y", "|z"],
            ["I", "'M", " '", "tis", " we", "'ve", " e", "\u{301}\u{301}"],
        ],
        .qwen2: [
            ["Hello", " world", "'s", " ", "1", "2", "3", "4", "5", " ABC", "'LL", "  \n\n", " ", " x", "\t", "\ty", " ...!!\n"],
            ["naïve", " café", " 東京", " and", " Москва", " 🚀🎉", " (", "tested", " ", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", " times", ")", " ", "½", " ≥", " ∑"],
            [" ", " leading", ",", " trailing", "  "],
            ["a", "\u{A0}", "\u{A0}b", "\r\n\r\n", "c", " \t\n"],
            ["$", "1", "0", "0", "+", "2", "0", "0", "=", "3", "0", "0", " <", "tag", ">", " ^", "x", "~y", "|z"],
            ["I", "'M", " '", "tis", " we", "'ve", " e", "\u{301}\u{301}"],
        ],
        .digitsThenGPT2: [
            ["Hello", " world", "'s", " ", "1", "2", "3", "4", "5", " ABC", "'", "LL", "  \n\n ", " x", "\t", "\t", "y", " ...!!", "\n"],
            ["naïve", " café", " 東京", " and", " Москва", " 🚀🎉", " (", "tested", " ", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", " times", ")", " ", "½", " ≥", " ∑"],
            [" ", " leading", ",", " trailing", "  "],
            ["a", "\u{A0}", "\u{A0}", "b", "\r\n\r", "\n", "c", " \t\n"],
            ["$", "1", "0", "0", "+", "2", "0", "0", "=", "3", "0", "0", " <", "tag", ">", " ^", "x", "~", "y", "|", "z"],
            ["I", "'", "M", " '", "tis", " we", "'ve", " e", "\u{301}\u{301}"],
        ],
    ]

    static func tokenizer(_ preTokenizer: BPEPreTokenizer) throws -> BytePairTokenizer {
        try BytePairTokenizer(vocabulary: Vocabulary(tokens: ["a"]), merges: [],
                              options: BytePairOptions(preTokenizer: preTokenizer))
    }

    @Test(arguments: BPEPreTokenizer.allCases)
    func wordsMatchLlamaCpp(preTokenizer: BPEPreTokenizer) throws {
        let t = try Self.tokenizer(preTokenizer)
        let expected = try #require(Self.expected[preTokenizer])
        for (text, words) in zip(Self.texts, expected) {
            #expect(t.preTokenize(text).map { Array($0.utf8) } == words.map { Array($0.utf8) }, "text: \(text.debugDescription)")
            #expect(words.joined() == text)
        }
    }

    @Test(arguments: BPEPreTokenizer.allCases)
    func emptyTextHasNoWords(preTokenizer: BPEPreTokenizer) throws {
        #expect(try Self.tokenizer(preTokenizer).preTokenize("") == [])
    }

    @Test func namesMapToLlamaCppSettings() throws {
        let llama3 = try #require(BytePairOptions(preTokenizerName: "llama-bpe"))
        #expect(llama3.preTokenizer == .llama3 && llama3.ignoreMerges && llama3.addBOS && llama3.cleanSpaces)
        let qwen2 = try #require(BytePairOptions(preTokenizerName: "qwen2"))
        #expect(qwen2.preTokenizer == .qwen2 && !qwen2.ignoreMerges && !qwen2.addBOS && !qwen2.cleanSpaces)
        let gpt2 = try #require(BytePairOptions(preTokenizerName: "gpt-2"))
        #expect(gpt2.preTokenizer == .gpt2 && !gpt2.addBOS && gpt2.cleanSpaces)
        #expect(BytePairOptions(preTokenizerName: "smollm")?.preTokenizer == .digitsThenGPT2)
        #expect(BytePairOptions(preTokenizerName: nil)?.preTokenizer == .standard)
        #expect(BytePairOptions(preTokenizerName: "default")?.preTokenizer == .standard)
        #expect(BytePairOptions(preTokenizerName: "glm4")?.specialTokens.bos == nil)
        #expect(BytePairOptions(preTokenizerName: "no-such-pre-tokenizer") == nil)
        // BPE defaults as in llama.cpp: BOS and EOS 11, no unknown token.
        #expect(gpt2.specialTokens.bos == 11 && gpt2.specialTokens.eos == 11 && gpt2.specialTokens.unknown == nil)
    }
}

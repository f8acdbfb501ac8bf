// `llmpack tokenize MODEL TEXT`: token ids as a JSON array, like llama-tokenize: BOS added as the
// model asks and special tokens parsed, unless --no-bos / --no-special.
import ArgumentParser
import LLMPackKit
import Tokenizer

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the token ids of a text as a JSON array.")

    @Argument(help: "A .gguf file (a vocabulary-only one will do) or a bundle.") var model: String
    @Argument(help: "The text to tokenize.") var text: String
    @Flag(name: .customLong("no-bos"), help: "Do not add BOS/EOS even when the model asks for them.") var noBOS = false
    @Flag(name: .customLong("no-special"), help: "Treat special-token text as plain text.") var noSpecial = false

    func run() throws {
        try reportingErrors {
            let source = try ModelSource.open(path: model)
            let tokenizer = try TokenizerLoader.load(from: source.gguf)
            let ids = tokenizer.encode(text, addSpecial: !noBOS, parseSpecial: !noSpecial)
            print("[" + ids.map(String.init).joined(separator: ", ") + "]")
        }
    }
}

// `llmpack verify FILE` and `./model.run --verify`: every checksum, with a progress bar, and a
// line per failure naming the section or chunk and its byte range.
import Bundle

/// Full verification of a bundle, reported to the user.
public enum Verification {
    /// Verifies `reader` and prints the outcome ("OK" on standard output, failures on standard
    /// error). Returns the exit status: 0 intact, 1 damaged.
    public static func run(_ reader: BundleReader, name: String, threads: Int = Parallel.processorCount) -> Int32 {
        let bar = ProgressBar()
        let issues = reader.verify(threads: threads, progress: bar.handler)
        bar.finish()
        if issues.isEmpty {
            let checked = reader.index.sections.count - 1 + reader.index.chunks.count
            print("\(name): OK (\(checked) checksums over \(Terminal.size(reader.payload.count)) and the reassembled GGUF)")
            return 0
        }
        for issue in issues { Terminal.printError("\(name): \(issue)") }
        return 1
    }
}

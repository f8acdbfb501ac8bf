// Small helpers for talking to the user: stderr, terminals, human-readable sizes.
#if canImport(Glibc)
import Glibc
#endif

/// Output helpers shared by the CLI and the runner.
public enum Terminal {
    /// True when standard error is a terminal (progress bars are drawn only then).
    public static var stderrIsTerminal: Bool { isatty(2) != 0 }

    /// True when a person is at a terminal: standard input and output are both terminals.
    public static var isInteractive: Bool { isatty(0) != 0 && isatty(1) != 0 }

    /// Writes a line to standard error.
    public static func printError(_ line: String) {
        writeError(line + "\n")
    }

    /// Writes to standard error without a newline (unbuffered).
    public static func writeError(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// "253.1 MB" style size (powers of 1024, one decimal).
    public static func size(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        return "\(fixed(value, 1)) \(units[unit])"
    }

    /// `value` with `digits` decimals, without Foundation's formatters.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (abs(value) * scale).rounded()
        let whole = Int(rounded / scale)
        let fraction = Int(rounded - Double(whole) * scale)
        var text = (value < 0 && rounded != 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let digitsText = String(fraction)
            text += "." + String(repeating: "0", count: digits - digitsText.count) + digitsText
        }
        return text
    }

    /// 1234567 -> "1,234,567".
    public static func grouped(_ value: Int) -> String {
        let digits = Array(String(value.magnitude))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }
}

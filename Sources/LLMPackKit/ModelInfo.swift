// The human-readable description of a bundle's model: what `--info` prints and what
// `llmpack inspect` starts with.
import Bundle

/// Formats a manifest and run config for people.
public enum ModelInfo {
    /// Lines of "Label: value", aligned.
    public static func text(manifest: Manifest, runConfig: RunConfig, tensorData: SectionEntry? = nil) -> String {
        var rows: [(String, String)] = []
        let model = manifest.model
        rows.append(("Model", model.name + (model.architecture.map { " (\($0))" } ?? "")))
        rows.append(("Parameters", "\(Terminal.grouped(model.parameterCount)) (\(approximate(model.parameterCount)))"))
        let mix = model.tensorTypes.map { "\($0.type) \($0.tensors) (\(Terminal.size($0.bytes)))" }.joined(separator: ", ")
        rows.append(("Tensors", "\(model.tensorCount): \(mix)"))
        var context = model.contextLength.map { "\($0) trained" } ?? "unknown"
        if let configured = runConfig.contextLength { context += ", \(configured) by default" }
        rows.append(("Context", context))
        var sampling: [String] = []
        if let temperature = runConfig.temperature { sampling.append("temperature \(temperature)") }
        if let topP = runConfig.topP { sampling.append("top-p \(topP)") }
        if !sampling.isEmpty { rows.append(("Sampling", sampling.joined(separator: ", "))) }
        if let system = runConfig.systemPrompt { rows.append(("System prompt", oneLine(system, limit: 100))) }
        if let template = runConfig.chatTemplate {
            rows.append(("Chat template", "packed at build time, \(Terminal.grouped(template.utf8.count)) bytes: \(oneLine(template, limit: 60))"))
        }
        var server: [String] = []
        if let port = runConfig.port { server.append("port \(port)") }
        if let parallel = runConfig.parallel { server.append("\(parallel) parallel request\(parallel == 1 ? "" : "s")") }
        if !server.isEmpty { rows.append(("Server", server.joined(separator: ", "))) }
        if let arguments = runConfig.arguments, !arguments.isEmpty { rows.append(("Arguments", arguments.joined(separator: " "))) }
        rows.append(("License", licenseLine(manifest.license)))
        let source = manifest.source
        rows.append(("Source", "\(source.fileName), \(Terminal.grouped(source.size)) bytes"))
        rows.append(("Source SHA-256", source.sha256))
        if let quantization = manifest.build.quantization {
            var line = "\(quantization.quant.uppercased()) at build time, from \(quantization.sourceFile), "
                + "\(Terminal.grouped(quantization.sourceSize)) bytes, SHA-256 \(quantization.sourceSha256)"
            if quantization.requantizedTensors > 0 { line += " (\(quantization.requantizedTensors) tensors requantized)" }
            rows.append(("Quantized", line))
        }
        var built = "llmpack \(manifest.llmpackVersion), bundle format \(manifest.formatVersion)"
        if let createdAt = manifest.build.createdAt { built += ", \(createdAt)" }
        rows.append(("Built with", built))
        if let tensorData { rows.append(("Weights", weightsLine(tensorData))) }
        let width = rows.map { $0.0.count }.max() ?? 0
        return rows.map { label, value in
            "\(label):" + String(repeating: " ", count: width - label.count + 1) + value
        }.joined(separator: "\n")
    }

    /// "raw, memory-mapped" or "zstd chunks, 1.31:1 (2.1 GiB stored for 2.8 GiB)".
    public static func weightsLine(_ section: SectionEntry) -> String {
        if section.encoding == .raw { return "raw, memory-mapped (\(Terminal.size(section.rawLength)))" }
        return "zstd chunks, \(ratio(raw: section.rawLength, stored: section.storedLength)):1 (\(Terminal.size(section.storedLength)) stored for \(Terminal.size(section.rawLength)))"
    }

    /// raw / stored with two decimals.
    public static func ratio(raw: Int, stored: Int) -> String {
        stored > 0 ? Terminal.fixed(Double(raw) / Double(stored), 2) : "-"
    }

    static func licenseLine(_ license: Manifest.License?) -> String {
        guard let license else { return "not stated" }
        var parts: [String] = []
        if let name = license.name { parts.append(name) }
        if let link = license.link { parts.append(link) }
        if let text = license.text { parts.append("text: \"\(oneLine(text, limit: 60))\"") }
        parts.append("from \(license.source == "file" ? "--license-file" : "the GGUF")")
        return parts.joined(separator: ", ")
    }

    /// 268098176 -> "268M".
    static func approximate(_ count: Int) -> String {
        switch count {
        case 1_000_000_000...: return Terminal.fixed(Double(count) / 1e9, 1) + "B"
        case 1_000_000...: return "\(Int((Double(count) / 1e6).rounded()))M"
        case 1_000...: return "\(Int((Double(count) / 1e3).rounded()))K"
        default: return "\(count)"
        }
    }

    static func oneLine(_ text: String, limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }
}

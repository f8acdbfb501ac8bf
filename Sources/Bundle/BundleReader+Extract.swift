// Extracting the packed GGUF, byte for byte, checked against the manifest's SHA-256.

extension BundleReader {
    /// Writes the source GGUF to `path` (atomically: nothing appears at `path` on failure) and
    /// checks its size and SHA-256 against the manifest.
    public func extractGGUF(to path: String, progress: ProgressHandler? = nil) throws {
        let manifest = try self.manifest()
        let output = try OutputFile(path: path)
        var sha = SHA256()
        let total = manifest.source.size
        try forEachGGUFPiece { piece in
            try output.write(piece)
            sha.update(piece)
            progress?("extract", output.bytesWritten, total)
        }
        guard output.bytesWritten == manifest.source.size else {
            output.abandon()
            throw BundleError.corrupt("extracted GGUF has \(output.bytesWritten) bytes, the manifest records \(manifest.source.size)")
        }
        let digest = sha.finalize()
        guard digest.hex == manifest.source.sha256.lowercased() else {
            output.abandon()
            throw BundleError.corrupt("extracted GGUF's SHA-256 \(digest.hex) differs from the source's \(manifest.source.sha256); run verify")
        }
        try output.commit()
    }
}

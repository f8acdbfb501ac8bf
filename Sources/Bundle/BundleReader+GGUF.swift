// Opening a bundle file by path, and parsing its GGUF header as the runner does.
import GGUF

extension BundleReader {
    /// Maps the file at `path` and checks its structure (see `init(file:owner:)`).
    public convenience init(path: String) throws {
        let file: MappedFile
        do { file = try MappedFile(path: path) } catch { throw BundleError.io("cannot read \(path): \(error)") }
        do {
            try self.init(file: file.bytes, owner: file)
        } catch let error as BundleError {
            throw BundleError(error.kind, "\(path): \(error.message)")
        }
    }

    /// The packed GGUF's header, parsed and checked against the tensor-data length.
    public func parseGGUF() throws -> GGUFFile {
        let header = try ggufHeader()
        do {
            return try header.withUnsafeBytes { try GGUFFile.parse($0, tensorDataLength: tensorDataLength) }
        } catch {
            throw BundleError.corrupt("the packed GGUF header does not parse: \(error)")
        }
    }
}

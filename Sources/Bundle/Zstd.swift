// zstd compression and decompression of whole frames, with fixed parameters so output is
// reproducible, and with the decompressed size always known and checked in advance.
import CZstd

/// One-shot zstd frames.
public enum Zstd {
    /// Compresses `source` into one frame at `level` (single-threaded, content size and checksum
    /// recorded in the frame).
    public static func compress(_ source: UnsafeRawBufferPointer, level: Int32) throws -> [UInt8] {
        guard let context = ZSTD_createCCtx() else { throw BundleError.io("zstd: cannot create a compression context") }
        defer { ZSTD_freeCCtx(context) }
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 1)
        let bound = ZSTD_compressBound(source.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            ZSTD_compress2(context, out.baseAddress, out.count, source.baseAddress, source.count)
        }
        guard ZSTD_isError(written) == 0 else { throw BundleError.io("zstd: \(String(cString: ZSTD_getErrorName(written)))") }
        output.removeSubrange(written...)
        return output
    }

    /// Decompresses one frame of exactly `rawLength` bytes into `destination` (which holds at
    /// least `rawLength` bytes). `what` names the data in errors.
    public static func decompress(_ frame: UnsafeRawBufferPointer, rawLength: Int, into destination: UnsafeMutableRawPointer, what: String) throws {
        let declared = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
        guard declared == UInt64(rawLength) else {
            throw BundleError.corrupt("\(what): zstd frame declares \(Int64(bitPattern: declared)) bytes, expected \(rawLength)")
        }
        guard let context = ZSTD_createDCtx() else { throw BundleError.io("zstd: cannot create a decompression context") }
        defer { ZSTD_freeDCtx(context) }
        let written = ZSTD_decompressDCtx(context, destination, rawLength, frame.baseAddress, frame.count)
        guard ZSTD_isError(written) == 0 else {
            throw BundleError.corrupt("\(what): zstd frame is corrupt (\(String(cString: ZSTD_getErrorName(written))))")
        }
        guard written == rawLength else { throw BundleError.corrupt("\(what): zstd frame gave \(written) bytes, expected \(rawLength)") }
    }

    /// Decompresses one frame of exactly `rawLength` bytes into a new array.
    public static func decompress(_ frame: UnsafeRawBufferPointer, rawLength: Int, what: String) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: rawLength)
        try output.withUnsafeMutableBytes { out in
            guard let base = out.baseAddress else { return }
            try decompress(frame, rawLength: rawLength, into: base, what: what)
        }
        return output
    }
}

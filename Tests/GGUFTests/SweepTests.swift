// Exhaustive small-fixture sweeps: every truncation must be rejected, and every single-bit flip in
// the header must be rejected or give a structurally valid file (never a crash).

import GGUF
import Testing

@Suite struct SweepTests {
    @Test func everyTruncationIsRejected() {
        let bytes = makeFixture().bytes
        var accepted: [Int] = []
        var otherErrors: [Int] = []
        for length in 0..<bytes.count {
            do {
                _ = try GGUFFile.parse(Array(bytes[..<length]))
                accepted.append(length)
            } catch let error as GGUFError {
                if error.description.contains("\n") || !error.description.hasPrefix("GGUF: ") { otherErrors.append(length) }
            } catch {
                otherErrors.append(length)
            }
        }
        #expect(accepted.isEmpty, "truncations accepted: \(accepted)")
        #expect(otherErrors.isEmpty, "truncations with a malformed error: \(otherErrors)")
        #expect(throws: Never.self) { try GGUFFile.parse(bytes) }
    }

    @Test func everyHeaderBitFlipIsRejectedOrValid() throws {
        let bytes = makeFixture().bytes
        let original = try GGUFFile.parse(bytes)
        var accepted = 0
        var rejected = 0
        for index in 0..<original.dataOffset {
            for bit in 0..<8 {
                var flipped = bytes
                flipped[index] ^= UInt8(1) << bit
                do {
                    let file = try GGUFFile.parse(flipped)
                    accepted += 1
                    expectStructurallyValid(file, fileSize: flipped.count)
                } catch let error as GGUFError {
                    rejected += 1
                    #expect(!error.description.contains("\n") && error.description.hasPrefix("GGUF: "))
                } catch {
                    Issue.record("flip of bit \(bit) at \(index) threw \(error)")
                }
            }
        }
        // Both outcomes occur: flips in string bytes and padding are harmless, flips in sizes are not.
        #expect(accepted > 0 && rejected > 0)
    }

    @Test func headerAloneWithTensorDataLength() throws {
        let bytes = makeFixture().bytes
        let file = try GGUFFile.parse(bytes)
        let header = Array(bytes[..<file.dataOffset])
        let apart = try GGUFFile.parse(header, tensorDataLength: file.dataSize)
        #expect(apart.tensors == file.tensors && apart.dataSize == file.dataSize)
        expectRejected(header, tensorDataLength: file.dataSize - 1,
                       "tensor 'c' data [128, 160) extends past end of tensor data (159 bytes)")
        expectRejected(header, "tensor 'a'", "extends past end of file (\(file.dataOffset) bytes)")
    }
}

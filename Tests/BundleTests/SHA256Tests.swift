// SHA-256 against NIST vectors and the default model's published hash, on both block functions.
import Foundation
import Testing
import Bundle

@Suite struct SHA256Tests {
    static let backends: [SHA256.Backend] = [.portable, .automatic]

    @Test(arguments: backends) func nistVectors(backend: SHA256.Backend) {
        #expect(SHA256.hash(Array("abc".utf8), backend: backend).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash([UInt8](), backend: backend).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8), backend: backend).hex
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test(arguments: backends) func millionA(backend: SHA256.Backend) {
        let a = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        // Fed in uneven pieces to exercise the buffering.
        var sha = SHA256(backend: backend)
        var offset = 0
        var step = 1
        while offset < a.count {
            let end = min(a.count, offset + step)
            a[offset..<end].withUnsafeBytes { sha.update($0) }
            offset = end
            step = step * 3 % 1000 + 1
        }
        #expect(sha.finalize().hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func backendsAgreeOnEveryLengthAroundBlockBoundaries() {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in 0...300 {
            let slice = Array(data[0..<length])
            #expect(SHA256.hash(slice, backend: .portable) == SHA256.hash(slice, backend: .automatic), "length \(length)")
        }
    }

    @Test func reportsTheSHAExtensionsWhenTheCPUHasThem() throws {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let hasSHA = cpuinfo.split(separator: "\n").contains { $0.hasPrefix("flags") && $0.split(separator: " ").contains("sha_ni") }
        #expect(SHA256.cpuHasSHAExtensions == hasSHA)
        #expect(SHA256(backend: .automatic).usesSHAExtensions == hasSHA)
        #expect(!SHA256(backend: .portable).usesSHAExtensions)
    }

    @Test func hexRoundTrip() throws {
        let digest = SHA256.hash(Array("abc".utf8))
        #expect(SHA256Digest(hex: digest.hex) == digest)
        #expect(SHA256Digest(hex: digest.hex.uppercased()) == digest)
        #expect(SHA256Digest(hex: "xyz") == nil)
    }

    @Test func defaultModelFile() throws {
        let path = "/root/.cache/llmpack/models/gemma-3-270m-q4_k_m.gguf"
        guard let data = FileManager.default.contents(atPath: path) else { return }   // model not downloaded
        for backend in Self.backends {
            let digest = data.withUnsafeBytes { SHA256.hash($0, backend: backend) }
            #expect(digest.hex == "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818")
        }
    }
}

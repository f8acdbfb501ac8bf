// Float vector helpers against double-precision references, on every ISA.

import Kernels
import Testing

@Suite("Vector helpers")
struct VectorTests {
    @Test("dot and axpy", arguments: isas)
    func dotAndAxpy(isa: Kernels.ISA) {
        var rng = SeededRandom(seed: 8000)
        for count in [0, 1, 7, 8, 31, 33, 640, 1001] {
            let a = Kernels_randomActivations(count, &rng), b = Kernels_randomActivations(count, &rng)
            var want = 0.0, magnitude = 0.0
            for i in 0..<count { want += Double(a[i]) * Double(b[i]); magnitude += abs(Double(a[i]) * Double(b[i])) }
            let got = Kernels.dot(a, b, count: count, isa: isa)
            #expect(abs(Double(got) - want) <= 1e-6 * magnitude + 1e-7, "dot of \(count) on \(isa)")

            var y = b
            Kernels.axpy(0.75, a, &y, count: count, isa: isa)
            let ok = (0..<count).allSatisfy { abs(y[$0] - (b[$0] + 0.75 * a[$0])) <= 1e-6 * (abs(b[$0]) + abs(a[$0])) }
            #expect(ok, "axpy of \(count) on \(isa)")
        }
    }
}

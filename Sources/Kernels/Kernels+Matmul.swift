// Kernels+Matmul: y = W x for one or many tokens, on quantized weights read in place.
//
// Two strategies. Row dots (token generation, small batches): the activations are quantized once
// per call into the weight type's 8-bit blocks, the output rows are split into chunks that the
// pool's threads take in turn, and each weight row is streamed once and reused for up to
// CK_MAX_NTOK tokens. Packed panels (prompt processing): the activations become A8 groups, and
// each thread decodes 16-row panels of the weights into a register-friendly byte layout once,
// then runs every token through them with byte multiply-adds (ck_gemm.h: VNNI on AVX-512,
// vpmaddubsw on AVX2).
//
// Several matrices that read the same input (a layer's Q, K and V; the FFN's gate and up) can be
// computed in one call: the input is quantized once and one fork/join covers them all.

import CKernels
import GGUF

extension Kernels {
    /// How `matmul` computes a product.
    public enum MatmulStrategy: Sendable, CaseIterable {
        /// The fastest for the shape and ISA (what models use).
        case automatic
        /// One weight row at a time against up to 8 tokens (every type and ISA).
        case rowDots
        /// Packed 16-row panels against every token (quantized types; fast on AVX2 and AVX-512,
        /// and the portable version is there so that tests can compare them).
        case packedPanels
    }

    /// Fewest tokens for which the packed path beats row dots (panel packing is paid once per
    /// call and must be spread over enough tokens). scripts/bench-kernels.sh, one thread: on AVX2
    /// the crossover lies between 16 and 32 tokens for every packed type (at 32, Q4_K 55 vs 47,
    /// Q6_K 50 vs 45, Q8_0 42 vs 36 GMAC/s; at 128 tokens 85 / 71 / 53 against 47 / 48 / 35); the
    /// same threshold serves AVX-512.
    static let packedMinimumTokens = 32

    /// Whether `matmul` with `.automatic` uses packed panels for this type, token count and ISA:
    /// on AVX2 and AVX-512, for every type with a packed form, from `packedMinimumTokens` tokens.
    /// (The portable packed kernel is an oracle for tests, slower than the portable row dots.)
    public static func usesPackedPanels(_ type: GGMLType, tokens: Int, isa: ISA? = nil) -> Bool {
        (isa ?? activeISA) >= .avx2 && tokens >= packedMinimumTokens && ck_gemm_block(type.rawValue) != 0
    }

    /// y[t * w.rows + r] = sum over c of W[r, c] * x[t * w.cols + c], for t in 0..<tokens.
    ///
    /// `x` holds `tokens` rows of `w.cols` floats, `y` room for `tokens` rows of `w.rows` floats.
    /// `isa` overrides `activeISA` (it must be supported by this CPU); `strategy` forces a path
    /// (tests and benchmarks; `.packedPanels` falls back to row dots for float weights).
    public static func matmul(_ w: WeightMatrix, _ x: UnsafePointer<Float>, tokens: Int,
                              _ y: UnsafeMutablePointer<Float>, pool: ThreadPool, isa: ISA? = nil,
                              strategy: MatmulStrategy = .automatic) {
        matmul([(w, y)], x, tokens: tokens, pool: pool, isa: isa, strategy: strategy)
    }

    /// Several products of the same input: for each (w, y), y = W x as in `matmul(_:_:tokens:_:pool:)`.
    /// Every matrix must have the same number of columns. Matrices whose types want the same
    /// activation format share one quantization of `x` and one fork/join.
    public static func matmul(_ products: [(weights: WeightMatrix, output: UnsafeMutablePointer<Float>)],
                              _ x: UnsafePointer<Float>, tokens: Int, pool: ThreadPool, isa: ISA? = nil,
                              strategy: MatmulStrategy = .automatic) {
        let isa = isa ?? activeISA
        precondition(isa.isSupported, "Kernels.matmul: this CPU cannot run \(isa.rawValue) kernels")
        guard let first = products.first else { return }
        let cols = first.weights.cols
        for (w, _) in products {
            let traits = requireTraits(w.type)
            precondition(w.cols == cols, "Kernels.matmul: products of one input need equal column counts")
            precondition(w.cols % traits.blockSize == 0,
                         "Kernels.matmul: \(w.cols) columns is not a whole number of \(w.type.name) blocks")
        }
        guard tokens > 0 else { return }

        // Matrices in runs that can share one quantized input.
        var jobs: [Job] = []
        for (w, y) in products where w.rows > 0 {
            let packed = switch strategy {
            case .automatic: usesPackedPanels(w.type, tokens: tokens, isa: isa)
            case .rowDots: false
            case .packedPanels: ck_gemm_block(w.type.rawValue) != 0
            }
            let job = Job(w: w, y: y, packed: packed, pool: pool, tokens: tokens)
            if let last = jobs.last, !last.sharesInput(with: job) {
                run(jobs, x, tokens: tokens, pool: pool, isa: isa)
                jobs.removeAll(keepingCapacity: true)
            }
            jobs.append(job)
        }
        if !jobs.isEmpty { run(jobs, x, tokens: tokens, pool: pool, isa: isa) }
    }

    /// One matrix of a call, cut into pieces (row chunks or panels) that threads take in turn.
    private struct Job {
        let w: WeightMatrix
        let y: UnsafeMutablePointer<Float>
        let packed: Bool
        let traits: QuantTraits
        /// Rows per piece.
        let pieceRows: Int
        var pieces: Int { (w.rows + pieceRows - 1) / pieceRows }

        init(w: WeightMatrix, y: UnsafeMutablePointer<Float>, packed: Bool, pool: ThreadPool, tokens: Int) {
            self.w = w
            self.y = y
            self.packed = packed
            traits = requireTraits(w.type)
            if packed {
                pieceRows = 16   // one panel
            } else {
                // One token (generation): a layer's matrices (a few hundred KiB) in one piece per
                // thread. A piece starts its weight stream cold (the one-token kernels prefetch
                // only within it) and costs an atomic hand-off; 128-row pieces made a layer's
                // products ~20 % slower at 2 threads. A large matrix (the vocabulary head) in
                // pieces of 512 KiB or more, at most 32 per thread, so that a thread whose core is
                // taken away holds up little work. Several tokens (streams decoded together, short
                // prompts): the kernels are bound by arithmetic rather than by the stream, and
                // pieces of 128 rows or more balance the threads better (4 server streams, 2.0x
                // -> 2.1x one).
                let threads = pool.threads
                let share = (w.rows + threads - 1) / threads
                let atMost32 = (share + 31) / 32   // rows for 32 pieces a thread
                let rows = tokens > 1 ? max(128, atMost32) : max(atMost32, min(share, (512 << 10) / w.rowBytes))
                pieceRows = threads == 1 ? w.rows : max(4, (rows + 3) / 4 * 4)
            }
        }

        /// One scale per 256 values for K-quants (as ggml's Q8_K), per 32 otherwise.
        var scaleBlock: Int32 { traits.blockSize == 256 ? 256 : 32 }

        func sharesInput(with other: Job) -> Bool {
            guard packed == other.packed else { return false }
            return packed ? scaleBlock == other.scaleBlock : traits.actIndex == other.traits.actIndex
        }

        func runPiece(_ piece: Int, activations: UnsafeRawPointer, actStride: Int, tokens: Int, isa: ISA) {
            let r0 = piece * pieceRows, r1 = min(w.rows, r0 + pieceRows)
            if packed {
                let done = ck_gemm_rows(isa.index, w.type.rawValue, w.data, w.rowBytes, Int64(w.cols), Int64(r0),
                                        Int64(r1), activations, Int64(tokens), y, Int64(w.rows))
                precondition(done != 0, "Kernels.matmul: out of memory for a weight panel")
            } else {
                ck_matmul_rows(isa.index, w.type.rawValue, w.data, w.rowBytes, Int64(w.cols), Int64(r0), Int64(r1),
                               activations, actStride, Int64(tokens), y, Int64(w.rows))
            }
        }
    }

    /// Jobs that share their input format: quantize x once, then every piece of every job.
    private static func run(_ jobs: [Job], _ x: UnsafePointer<Float>, tokens: Int, pool: ThreadPool, isa: ISA) {
        let lead = jobs[0], cols = lead.w.cols
        var scratch: UnsafeMutableRawPointer? = nil
        defer { scratch?.deallocate() }
        let activations: UnsafeRawPointer
        var actStride = 0
        if lead.packed {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: ck_a8_bytes(Int64(cols), Int64(tokens)),
                                                          alignment: 64)
            scratch = buffer
            let scaleBlock = lead.scaleBlock
            pool.parallelFor(tokens) { t in
                ck_quantize_a8(isa.index, x + t * cols, buffer, Int64(cols), Int64(t), scaleBlock)
            }
            activations = UnsafeRawPointer(buffer)
        } else if lead.traits.activation == .float {
            activations = UnsafeRawPointer(x)
            actStride = cols * MemoryLayout<Float>.stride
        } else {
            let act = lead.traits.actIndex
            actStride = ck_act_row_bytes(act, Int64(cols))
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: actStride * tokens, alignment: 64)
            scratch = buffer
            let quantize = ck_quantizer_get(isa.index, act)!
            if tokens >= 8 {
                pool.parallelFor(tokens) { t in quantize(x + t * cols, buffer + t * actStride, Int64(cols)) }
            } else {
                for t in 0..<tokens { quantize(x + t * cols, buffer + t * actStride, Int64(cols)) }
            }
            activations = UnsafeRawPointer(buffer)
        }

        if jobs.count == 1 {
            pool.parallelFor(lead.pieces) { p in
                lead.runPiece(p, activations: activations, actStride: actStride, tokens: tokens, isa: isa)
            }
            return
        }
        // Pieces of all jobs in one loop: piece i belongs to the job whose range holds it.
        var ends: [Int] = []
        var total = 0
        for job in jobs { total += job.pieces; ends.append(total) }
        jobs.withUnsafeBufferPointer { jobs in
            ends.withUnsafeBufferPointer { ends in
                pool.parallelFor(total) { i in
                    var j = 0
                    while i >= ends[j] { j += 1 }
                    let start = j == 0 ? 0 : ends[j - 1]
                    jobs[j].runPiece(i - start, activations: activations, actStride: actStride, tokens: tokens, isa: isa)
                }
            }
        }
    }
}

// Linear: a weight matrix with an optional bias, y = W·x (+ b), the one projection every block
// is made of (attention in and out, FFN, the vocabulary head).

import Kernels

/// A projection of `cols` input features to `rows` output features, with an optional bias.
struct Linear {
    let weight: WeightMatrix
    /// `rows` floats added to every output row, or nil.
    let bias: FloatBuffer?

    var rows: Int { weight.rows }
    var cols: Int { weight.cols }

    /// y[t·rows + r] = Σ_c W[r, c]·x[t·cols + c] (+ bias[r]) for t in 0..<tokens.
    func apply(_ x: UnsafePointer<Float>, tokens: Int, into y: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        Linear.apply([(self, y)], x, tokens: tokens, pool: pool)
    }

    /// Several projections of the same input in one call (Q/K/V, gate/up): the input is quantized
    /// once and the threads share out the rows of all of them.
    static func apply(_ products: [(Linear, UnsafeMutablePointer<Float>)], _ x: UnsafePointer<Float>, tokens: Int, pool: ThreadPool) {
        Kernels.matmul(products.map { (weights: $0.0.weight, output: $0.1) }, x, tokens: tokens, pool: pool)
        for (linear, y) in products {
            guard let bias = linear.bias else { continue }
            for t in 0..<tokens { Ops.add(bias.pointer, into: y + t * linear.rows, count: linear.rows) }
        }
    }
}

extension TensorLoader {
    /// `name.weight` as a `rows × cols` projection, with `name.bias` when the file has it
    /// (or must have it, when `biasRequired`).
    func linear(_ name: String, rows: Int, cols: Int, biasRequired: Bool = false) throws -> Linear {
        guard let linear = try optionalLinear(name, rows: rows, cols: cols, biasRequired: biasRequired) else {
            throw ModelError("missing tensor \(name).weight")
        }
        return linear
    }

    /// Like `linear`, but nil when the file has no `name.weight`.
    func optionalLinear(_ name: String, rows: Int, cols: Int, biasRequired: Bool = false) throws -> Linear? {
        guard let weight = try optionalMatrix("\(name).weight", rows: rows, cols: cols) else { return nil }
        let bias = try optionalVector("\(name).bias", count: rows)
        if biasRequired && bias == nil { throw ModelError("missing tensor \(name).bias") }
        return Linear(weight: weight, bias: bias.map(FloatBuffer.init))
    }

    /// Like `vector`, but nil when the file has no tensor `name`.
    func optionalVector(_ name: String, count: Int) throws -> [Float]? {
        guard gguf.tensor(named: name) != nil else { return nil }
        return try vector(name, count: count)
    }
}

// Sampler+Selection: the vocabulary-sized loops of sampling: maximum, argmax, softmax normalizer,
// top-k by partial selection (a k-entry heap, one pass), threshold gathering, and the top-p cut.
// Order among tokens is total: a higher logit first, and on equal logits the lower id first.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A token still in play during sampling.
struct Candidate: Sendable {
    var id: Int32
    var logit: Float
}

extension Candidate {
    /// True when `self` ranks below `other` (lower logit, or equal logit and higher id).
    @inline(__always)
    func ranksBelow(_ other: Candidate) -> Bool {
        logit < other.logit || (logit == other.logit && id > other.id)
    }
}

extension Sampler {
    /// The id of the first largest logit.
    static func argmax(_ logits: UnsafeMutableBufferPointer<Float>) -> Int32 {
        var best = 0
        var bestLogit = -Float.infinity
        for i in 0..<logits.count where logits[i] > bestLogit {
            best = i
            bestLogit = logits[i]
        }
        return Int32(best)
    }

    /// The largest logit (NaN entries are ignored; -infinity when there is none).
    static func maximum(_ logits: UnsafeMutableBufferPointer<Float>) -> Float {
        var best = -Float.infinity
        for value in logits where value > best { best = value }
        return best
    }

    /// Sum of exp(logit - shift) over all logits, accumulated in Double.
    static func sumOfExponentials(_ logits: UnsafeMutableBufferPointer<Float>, minus shift: Float) -> Double {
        var total = 0.0
        for value in logits { total += Double(expf(value - shift)) }
        return total
    }

    /// The `k` best tokens, best first, by one pass with a k-entry heap whose root is the worst kept.
    static func selectTop(_ k: Int, of logits: UnsafeMutableBufferPointer<Float>, into kept: inout [Candidate]) {
        let n = logits.count
        let k = min(k, n)
        kept.removeAll(keepingCapacity: true)
        kept.reserveCapacity(k)
        for i in 0..<k { kept.append(Candidate(id: Int32(i), logit: logits[i])) }
        kept.withUnsafeMutableBufferPointer { heap in
            for i in stride(from: k / 2 - 1, through: 0, by: -1) { siftDown(heap, from: i) }
            var worst = heap[0]
            var i = k
            while i < n {
                let value = logits[i]
                // On an equal logit the earlier id (already kept) ranks higher: skip.
                if value > worst.logit {
                    heap[0] = Candidate(id: Int32(i), logit: value)
                    siftDown(heap, from: 0)
                    worst = heap[0]
                }
                i += 1
            }
        }
        sortDescending(&kept)
    }

    /// Restores the heap (worst at the root) below `index`.
    @inline(__always)
    private static func siftDown(_ heap: UnsafeMutableBufferPointer<Candidate>, from index: Int) {
        let count = heap.count
        var parent = index
        while true {
            let left = 2 * parent + 1
            if left >= count { return }
            var child = left
            let right = left + 1
            if right < count && heap[right].ranksBelow(heap[left]) { child = right }
            if !heap[child].ranksBelow(heap[parent]) { return }
            heap.swapAt(parent, child)
            parent = child
        }
    }

    /// Every token whose logit is at least `threshold`, in id order.
    static func gather(_ logits: UnsafeMutableBufferPointer<Float>, atLeast threshold: Float, into kept: inout [Candidate]) {
        kept.removeAll(keepingCapacity: true)
        for i in 0..<logits.count where logits[i] >= threshold {
            kept.append(Candidate(id: Int32(i), logit: logits[i]))
        }
    }

    /// Sorts best first.
    static func sortDescending(_ kept: inout [Candidate]) {
        kept.sort { $1.ranksBelow($0) }
    }

    /// Top-p on a best-first list: keeps the shortest prefix whose probability (exp(logit - max) /
    /// normalizer) reaches `p`. Returns false, leaving the list whole, when the list never gets there.
    @discardableResult
    static func cutTopP(_ kept: inout [Candidate], p: Float, maxLogit: Float, normalizer: Double) -> Bool {
        let target = Double(p)
        var cumulative = 0.0
        for i in kept.indices {
            cumulative += Double(expf(kept[i].logit - maxLogit)) / normalizer
            if cumulative >= target {
                kept.removeSubrange((i + 1)...)
                return true
            }
        }
        return false
    }
}

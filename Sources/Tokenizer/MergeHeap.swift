// MergeHeap: the binary heap both tokenizers merge with. Each tokenizer's candidates say which of
// two comes first (SentencePiece: the higher score, BPE: the lower rank; ties: the leftmost), and
// the heap hands them out in that order.

/// A heap element with a strict "is handed out first" order.
protocol HeapOrdered {
    func comesBefore(_ other: Self) -> Bool
}

/// A binary heap whose `pop` returns the element that comes before all others.
struct MergeHeap<Element: HeapOrdered> {
    private var items: [Element] = []

    mutating func removeAll() {
        items.removeAll(keepingCapacity: true)
    }

    mutating func push(_ item: Element) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].comesBefore(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var best = parent
                if left < items.count, items[left].comesBefore(items[best]) { best = left }
                if right < items.count, items[right].comesBefore(items[best]) { best = right }
                if best == parent { break }
                items.swapAt(parent, best)
                parent = best
            }
        }
        return top
    }
}

/// Delta debugging (Zeller and Hildebrandt's ddmin): the smallest
/// subsequence of a failing sequence that still fails.
///
/// A divergence found after 14,212 random commands usually needs two or
/// three of them; this finds those, testing each candidate with a callback
/// (for the fuzzer, a replay on fresh connections). The result is
/// 1-minimal: removing any single element makes it pass, unless the budget
/// of tests ran out first.
public enum DiffShrinker {
    /// The shortest failing subsequence `ddmin` finds within `budget` calls
    /// of `fails` (which must be true for `items` itself). Order is kept.
    public static func minimize<Element>(_ items: [Element], budget: inout Int, fails: ([Element]) -> Bool) -> [Element] {
        var current = items
        var granularity = 2
        while current.count >= 2 && budget > 0 {
            let chunks = split(current, into: granularity)
            var reduced = false
            // Try each chunk alone, then each complement (all chunks but one).
            for chunk in chunks where budget > 0 {
                budget -= 1
                if fails(chunk) {
                    current = chunk
                    granularity = 2
                    reduced = true
                    break
                }
            }
            if !reduced && chunks.count > 2 {
                for index in chunks.indices where budget > 0 {
                    let complement = chunks.enumerated().filter { $0.offset != index }.flatMap(\.element)
                    budget -= 1
                    if fails(complement) {
                        current = complement
                        granularity = max(granularity - 1, 2)
                        reduced = true
                        break
                    }
                }
            }
            if !reduced {
                // Finest granularity reached: every single element is needed.
                if granularity >= current.count { break }
                granularity = min(current.count, granularity * 2)
            }
        }
        return current
    }

    /// `items` cut into `count` runs of nearly equal length (none empty).
    static func split<Element>(_ items: [Element], into count: Int) -> [[Element]] {
        let count = min(count, items.count)
        var chunks: [[Element]] = []
        var start = 0
        for index in 0..<count {
            let end = start + (items.count - start) / (count - index)
            chunks.append(Array(items[start..<end]))
            start = end
        }
        return chunks
    }
}

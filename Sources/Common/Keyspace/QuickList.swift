// @chapter 7
// TEMPORARY STUB: replaced by the packed implementation (branch quicklist).
public struct QuickList: Sendable {
    private var items: [[UInt8]] = []
    package init() {}
    package init(_ elements: some Sequence<[UInt8]>) { self.items = Array(elements) }
    package var count: Int { items.count }
    package var isEmpty: Bool { items.isEmpty }
    package mutating func pushFront(_ element: [UInt8]) { items.insert(element, at: 0) }
    package mutating func pushBack(_ element: [UInt8]) { items.append(element) }
    package mutating func popFront() -> [UInt8]? { items.isEmpty ? nil : items.removeFirst() }
    package mutating func popBack() -> [UInt8]? { items.popLast() }
    package func element(at index: Int) -> [UInt8]? { items.indices.contains(index) ? items[index] : nil }
    @discardableResult package mutating func replace(at index: Int, with element: [UInt8]) -> Bool {
        guard items.indices.contains(index) else { return false }
        items[index] = element; return true
    }
    package mutating func insert(_ element: [UInt8], before: Bool, pivot: [UInt8]) -> Bool {
        guard let i = items.firstIndex(of: pivot) else { return false }
        items.insert(element, at: before ? i : i + 1); return true
    }
    package mutating func remove(_ element: [UInt8], count: Int) -> Int {
        var removed = 0
        if count >= 0 {
            var i = 0
            while i < items.count { if items[i] == element && (count == 0 || removed < count) { items.remove(at: i); removed += 1 } else { i += 1 } }
        } else {
            var i = items.count - 1
            while i >= 0 { if items[i] == element && removed < -count { items.remove(at: i); removed += 1 }; i -= 1 }
        }
        return removed
    }
    package mutating func trim(keeping range: Range<Int>) { items = Array(items[range]) }
    package func forEach(in range: Range<Int>, _ body: (UnsafeRawBufferPointer) -> Void) {
        for i in range { items[i].withUnsafeBytes(body) }
    }
    package func elements(in range: Range<Int>) -> [[UInt8]] { Array(items[range]) }
    package func positions(of element: [UInt8], rank: Int, count: Int, maxLength: Int) -> [Int] {
        var result: [Int] = []
        var matches = 0
        let order: [Int] = rank > 0 ? Array(items.indices) : items.indices.reversed()
        for (scanned, i) in order.enumerated() {
            if maxLength != 0 && scanned >= maxLength { break }
            if items[i] == element {
                matches += 1
                if matches >= abs(rank) { result.append(i); if count != 0 && result.count >= count { break } }
            }
        }
        return result
    }
    package var allocatedBytes: Int { items.reduce(0) { $0 + $1.capacity + 32 } }
}

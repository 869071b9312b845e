import Common
import Testing

/// Bytes from text.
private func b(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The length of an element whose entry fills a chunk's budget exactly.
private let exactlyBudget = ListPack.budget - 2 * 2

/// Every element of `list`, head to tail.
private func contents(_ list: QuickList) -> [[UInt8]] { list.elements(in: 0..<list.count) }

/// Whether `list` holds exactly `model`, compared without copying the
/// list's elements (the randomized test calls this after every operation).
private func matches(_ list: QuickList, _ model: [[UInt8]]) -> Bool {
    guard list.count == model.count, list.isEmpty == model.isEmpty else { return false }
    var index = 0
    var same = true
    list.forEach(in: 0..<list.count) { bytes in
        if same { same = model[index].withUnsafeBytes { ListPack.bytesEqual($0, bytes) } }
        index += 1
    }
    return same && index == model.count
}

/// LPOS on an array, written the obvious way, for the tests to compare with.
private func modelPositions(_ model: [[UInt8]], _ element: [UInt8], rank: Int, count: Int, maxLength: Int) -> [Int] {
    var found: [Int] = []
    var skip = abs(rank) - 1
    var compared = 0
    let order: [Int] = rank > 0 ? Array(model.indices) : Array(model.indices.reversed())
    for index in order {
        if maxLength > 0 && compared == maxLength { break }
        compared += 1
        guard model[index] == element else { continue }
        if skip > 0 {
            skip -= 1
            continue
        }
        found.append(index)
        if found.count == count { break }
    }
    return found
}

/// Random elements for the model test: mostly short ones from a small pool,
/// so that LREM, LPOS and LINSERT find matches; some fresh short ones; and
/// rarely the sizes where the encoding or the chunking changes.
private struct Elements {
    var random: SplitMix64
    let pool: [[UInt8]]

    init(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        self.pool = (0..<16).map { _ in Elements.bytes(count: Int(random.next() % 21), using: &random) }
        self.random = random
    }

    /// `count` random bytes.
    static func bytes(count: Int, using random: inout SplitMix64) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    /// A number in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { Int(self.random.next() % UInt64(bound)) }

    /// The next element.
    mutating func next() -> [UInt8] {
        let roll = self.below(1000)
        switch roll {
        case 0:
            return Elements.bytes(count: 100_000, using: &self.random)
        case 1..<5:
            return Elements.bytes(count: 10_000 + self.below(5_000), using: &self.random)
        case 5..<12:
            let sizes = [127, 128, 16_383, 16_384, exactlyBudget, exactlyBudget + 1, 4_000]
            return Elements.bytes(count: sizes[self.below(sizes.count)], using: &self.random)
        case 12..<600:
            return self.pool[self.below(self.pool.count)]
        default:
            return Elements.bytes(count: self.below(21), using: &self.random)
        }
    }
}

@Suite("QuickList, the packed list behind stage 7")
struct QuickListTests {
    @Test("thousands of random operations agree with an array of arrays")
    func modelBased() {
        var elements = Elements(seed: 0x0007_5EED)
        var list = QuickList()
        var model: [[UInt8]] = []
        for step in 0..<12_000 {
            // Phases of growth and shrinking, so that the list reaches many
            // chunks and then gives them back.
            let growing = step % 4_000 < 2_000
            let roll = elements.below(100)
            var operation = ""
            switch roll {
            case 0..<20:
                let element = elements.next()
                operation = "pushFront \(element.count)"
                list.pushFront(element)
                model.insert(element, at: 0)
            case 20..<40:
                let element = elements.next()
                operation = "pushBack \(element.count)"
                list.pushBack(element)
                model.append(element)
            case 40..<45:
                // Like LPUSH or RPUSH with many arguments.
                let front = elements.below(2) == 0
                operation = "push many at the \(front ? "front" : "back")"
                for _ in 0..<(growing ? 120 : 5) {
                    let element = elements.next()
                    if front {
                        list.pushFront(element)
                        model.insert(element, at: 0)
                    } else {
                        list.pushBack(element)
                        model.append(element)
                    }
                }
            case 45..<60:
                let times = growing ? 1 : 8
                operation = "popFront x\(times)"
                for _ in 0..<times {
                    #expect(list.popFront() == (model.isEmpty ? nil : model.removeFirst()), "step \(step)")
                }
            case 60..<75:
                let times = growing ? 1 : 8
                operation = "popBack x\(times)"
                for _ in 0..<times {
                    #expect(list.popBack() == model.popLast(), "step \(step)")
                }
            case 75..<79:
                let index = elements.below(model.count + 2) - 1
                operation = "element(at: \(index))"
                #expect(list.element(at: index) == (model.indices.contains(index) ? model[index] : nil), "step \(step)")
            case 79..<83:
                let index = elements.below(model.count + 2) - 1
                let element = elements.next()
                operation = "replace(at: \(index)) with \(element.count)"
                let inRange = model.indices.contains(index)
                #expect(list.replace(at: index, with: element) == inRange, "step \(step)")
                if inRange { model[index] = element }
            case 83..<85 where !model.isEmpty:
                // A pivot made unique first, so that inserts land anywhere in
                // the list, full chunks included, not only near the head.
                let index = elements.below(model.count)
                let pivot = [0xFF] + Elements.bytes(count: 8, using: &elements.random)
                let element = elements.next()
                let before = elements.below(2) == 0
                operation = "insert \(element.count) \(before ? "before" : "after") index \(index)"
                list.replace(at: index, with: pivot)
                model[index] = pivot
                let inserted = list.insert(element, before: before, pivot: pivot)
                #expect(inserted, "step \(step)")
                model.insert(element, at: before ? index : index + 1)
            case 83..<87:
                let pivot = model.isEmpty || elements.below(5) == 0 ? elements.next() : model[elements.below(model.count)]
                let element = elements.next()
                let before = elements.below(2) == 0
                operation = "insert \(element.count) \(before ? "before" : "after") a pivot of \(pivot.count)"
                let found = model.firstIndex(of: pivot)
                #expect(list.insert(element, before: before, pivot: pivot) == (found != nil), "step \(step)")
                if let found { model.insert(element, at: before ? found : found + 1) }
            case 87..<90:
                let element = model.isEmpty || elements.below(4) == 0 ? elements.next() : model[elements.below(model.count)]
                let limit = elements.below(7) - 3
                operation = "remove \(element.count) bytes, count \(limit)"
                var expected = 0
                if limit >= 0 {
                    var kept: [[UInt8]] = []
                    for item in model {
                        if item == element && (limit == 0 || expected < limit) { expected += 1 } else { kept.append(item) }
                    }
                    model = kept
                } else {
                    var kept: [[UInt8]] = []
                    for item in model.reversed() {
                        if item == element && expected < -limit { expected += 1 } else { kept.append(item) }
                    }
                    model = kept.reversed()
                }
                #expect(list.remove(element, count: limit) == expected, "step \(step)")
            case 90..<91:
                // Trim often empties or halves the list: rarely, and out of
                // bounds sometimes, as trim clamps.
                let lower = elements.below(model.count / 2 + 2)
                let upper = lower + elements.below(model.count + 3)
                operation = "trim(keeping: \(lower)..<\(upper))"
                list.trim(keeping: lower..<upper)
                let clampedUpper = min(upper, model.count)
                model = lower < clampedUpper ? Array(model[lower..<clampedUpper]) : []
            case 91..<95:
                let lower = elements.below(model.count + 1)
                let upper = lower + elements.below(model.count - lower + 1)
                operation = "elements(in: \(lower)..<\(upper))"
                #expect(list.elements(in: lower..<upper) == Array(model[lower..<upper]), "step \(step)")
                var visited: [[UInt8]] = []
                list.forEach(in: lower..<upper) { visited.append(Array($0)) }
                #expect(visited == Array(model[lower..<upper]), "step \(step)")
            default:
                let element = model.isEmpty || elements.below(4) == 0 ? elements.next() : model[elements.below(model.count)]
                let rank = [-3, -2, -1, 1, 2, 3][elements.below(6)]
                let count = elements.below(4)
                let maxLength = elements.below(2) == 0 ? 0 : 1 + elements.below(model.count + 1)
                operation = "positions rank \(rank) count \(count) maxLength \(maxLength)"
                #expect(
                    list.positions(of: element, rank: rank, count: count, maxLength: maxLength)
                        == modelPositions(model, element, rank: rank, count: count, maxLength: maxLength),
                    "step \(step)")
            }
            // The layout first: reading a list whose chunks disagree with its
            // count could trap, and a trap would hide which step went wrong.
            let error = list.layoutError()
            #expect(error == nil, "step \(step), after \(operation)")
            if error != nil { return }
            let same = matches(list, model)
            #expect(same, "step \(step), after \(operation)")
            if !same { return }
        }
    }

    @Test("an empty list answers every call")
    func empty() {
        var list = QuickList()
        #expect(list.isEmpty && list.count == 0)
        #expect(list.popFront() == nil)
        #expect(list.popBack() == nil)
        #expect(list.element(at: 0) == nil)
        #expect(list.element(at: -1) == nil)
        let replaced = list.replace(at: 0, with: b("x"))
        #expect(!replaced)
        let inserted = list.insert(b("x"), before: true, pivot: b("y"))
        #expect(!inserted)
        #expect(list.remove(b("x"), count: 0) == 0)
        #expect(list.positions(of: b("x"), rank: 1, count: 0, maxLength: 0) == [])
        #expect(list.elements(in: 0..<0) == [])
        list.trim(keeping: 0..<10)
        #expect(list.isEmpty)
        #expect(list.allocatedBytes == 0, "an empty list owns no memory")
    }

    @Test("elements of zero bytes, and lengths where the encoding changes, read back from both ends",
          arguments: [0, 1, 127, 128, 16_383, 16_384, 100_000])
    func lengths(length: Int) {
        let element = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var list = QuickList([b("a"), element, b("z")])
        #expect(list.element(at: 1) == element)
        #expect(list.elements(in: 0..<3) == [b("a"), element, b("z")])
        #expect(list.popBack() == b("z"))
        #expect(list.popBack() == element)
        list.pushFront(element)
        #expect(list.popFront() == element)
        #expect(list.popFront() == b("a"))
        #expect(list.isEmpty)
    }

    @Test("a chunk fills to exactly its budget, and the next entry starts a new chunk")
    func exactBudget() {
        // 682 entries of 12 bytes and one of 8 fill 8192 bytes exactly.
        var list = QuickList()
        for _ in 0..<682 { list.pushBack(Array(repeating: 1, count: 10)) }
        list.pushBack(Array(repeating: 2, count: 6))
        #expect(list.chunkCount == 1)
        list.pushBack([])
        #expect(list.chunkCount == 2)
        #expect(list.layoutError() == nil)
    }

    @Test("an element whose entry is exactly the budget, or larger, lives alone in its chunk")
    func loneElements() {
        let exact = Array(repeating: UInt8(7), count: exactlyBudget)
        #expect(ListPack.entrySize(forLength: exact.count) == ListPack.budget)
        var list = QuickList([b("a")])
        list.pushBack(exact)
        list.pushBack(b("b"))
        #expect(list.chunkCount == 3)
        let large = Array(repeating: UInt8(9), count: 20_000)
        list.pushFront(large)
        #expect(list.chunkCount == 4)
        #expect(contents(list) == [large, b("a"), exact, b("b")])
        // Replacing the lone large element with a short one gives its memory back.
        let before = list.allocatedBytes
        list.replace(at: 0, with: b("short"))
        #expect(list.allocatedBytes < before - 10_000)
        #expect(list.layoutError() == nil)
    }

    @Test("popping the last element of a chunk drops the chunk, at either end")
    func popLastOfChunk() {
        var list = QuickList()
        for index in 0..<2_000 { list.pushBack(Array(repeating: UInt8(index % 256), count: 10)) }
        let chunks = list.chunkCount
        #expect(chunks == 3, "682 + 682 + 636")
        for _ in 0..<682 { _ = list.popFront() }
        #expect(list.chunkCount == chunks - 1)
        #expect(list.element(at: 0) == Array(repeating: UInt8(682 % 256), count: 10))
        for _ in 0..<636 { _ = list.popBack() }
        #expect(list.chunkCount == chunks - 2)
        #expect(list.count == 682)
        #expect(list.element(at: 681) == Array(repeating: UInt8(1363 % 256), count: 10))
        while list.popBack() != nil {}
        #expect(list.chunkCount == 0 && list.allocatedBytes == 0)
    }

    @Test("trim keeps a range, drops whole chunks, and an empty range empties the list")
    func trim() {
        var list = QuickList((0..<3_000).map { Array(String($0).utf8) })
        list.trim(keeping: 1_000..<1_010)
        #expect(contents(list) == (1_000..<1_010).map { Array(String($0).utf8) })
        #expect(list.chunkCount == 1)
        list.trim(keeping: 0..<100)
        #expect(list.count == 10, "a range past the end is clamped")
        list.trim(keeping: 5..<5)
        #expect(list.isEmpty && list.allocatedBytes == 0)
    }

    @Test("LPOS: rank, count and maxlen, as in Redis's documentation")
    func lpos() {
        let list = QuickList(["a", "b", "c", "1", "2", "3", "c", "c"].map(b))
        let c = b("c")
        #expect(list.positions(of: c, rank: 1, count: 1, maxLength: 0) == [2])
        #expect(list.positions(of: c, rank: 2, count: 1, maxLength: 0) == [6])
        #expect(list.positions(of: c, rank: -1, count: 1, maxLength: 0) == [7])
        #expect(list.positions(of: c, rank: 1, count: 2, maxLength: 0) == [2, 6])
        #expect(list.positions(of: c, rank: -1, count: 2, maxLength: 0) == [7, 6])
        #expect(list.positions(of: c, rank: 1, count: 0, maxLength: 0) == [2, 6, 7])
        #expect(list.positions(of: c, rank: 2, count: 0, maxLength: 0) == [6, 7])
        #expect(list.positions(of: c, rank: 1, count: 0, maxLength: 3) == [2])
        #expect(list.positions(of: c, rank: 1, count: 0, maxLength: 2) == [])
        #expect(list.positions(of: c, rank: -1, count: 0, maxLength: 2) == [7, 6])
        #expect(list.positions(of: c, rank: 4, count: 1, maxLength: 0) == [])
        #expect(list.positions(of: c, rank: Int.min, count: 0, maxLength: 0) == [], "no overflow on the largest rank")
        #expect(list.positions(of: b("x"), rank: 1, count: 0, maxLength: 0) == [])
    }

    @Test("LPOS across many chunks counts indexes from the head in both directions")
    func lposAcrossChunks() {
        var list = QuickList()
        for index in 0..<10_000 { list.pushBack(index % 1_000 == 0 ? b("needle") : b("hay \(index)")) }
        #expect(list.chunkCount > 5)
        let all = Array(stride(from: 0, to: 10_000, by: 1_000))
        #expect(list.positions(of: b("needle"), rank: 1, count: 0, maxLength: 0) == all)
        #expect(list.positions(of: b("needle"), rank: -1, count: 0, maxLength: 0) == all.reversed())
        #expect(list.positions(of: b("needle"), rank: -3, count: 2, maxLength: 0) == [7_000, 6_000])
        #expect(list.positions(of: b("needle"), rank: 1, count: 0, maxLength: 2_001) == [0, 1_000, 2_000])
    }

    @Test("LINSERT into a full chunk splits it; LSET to a large element moves it out")
    func middleEdits() {
        var list = QuickList((0..<1_000).map { Array(String($0).utf8) })
        var model = contents(list)
        let insertedLarge = list.insert(Array(repeating: 5, count: 3_000), before: true, pivot: b("300"))
        #expect(insertedLarge)
        model.insert(Array(repeating: 5, count: 3_000), at: 300)
        let insertedLast = list.insert(b("after"), before: false, pivot: b("999"))
        #expect(insertedLast)
        model.append(b("after"))
        let replaced = list.replace(at: 500, with: Array(repeating: 6, count: 50_000))
        #expect(replaced)
        model[500] = Array(repeating: 6, count: 50_000)
        #expect(contents(list) == model)
        #expect(list.layoutError() == nil)
    }

    @Test("LINSERT next to a full chunk uses a neighbour with room, or a chunk of its own")
    func insertAtChunkEdges() {
        // 512 entries of 16 bytes fill a chunk's 8192 bytes exactly.
        let element = { (byte: UInt8) in [UInt8](repeating: byte, count: 14) }
        var list = QuickList()
        for byte: UInt8 in [1, 2] {
            for _ in 0..<512 { list.pushBack(element(byte)) }
        }
        for _ in 0..<10 { list.pushBack(element(3)) }
        #expect(list.chunkCount == 3)
        // Room in the first chunk; the second stays full.
        #expect(list.remove(element(1), count: 5) == 5)
        let beforeFull = list.insert(b("x"), before: true, pivot: element(2))
        #expect(beforeFull)
        #expect(list.element(at: 507) == b("x"), "appended to the first chunk")
        // After the last element of the full second chunk: the third has room.
        list.replace(at: 1_019, with: Array("pivot-b-------".utf8))
        let afterFull = list.insert(b("y"), before: false, pivot: Array("pivot-b-------".utf8))
        #expect(afterFull)
        #expect(list.element(at: 1_020) == b("y"), "prepended to the third chunk")
        #expect(list.chunkCount == 3, "no chunk was split")
        // Before the head of a full first chunk: a new chunk at the head.
        var full = QuickList(Array(repeating: element(4), count: 512))
        let atHead = full.insert(b("head"), before: true, pivot: element(4))
        #expect(atHead)
        #expect(full.chunkCount == 2 && full.element(at: 0) == b("head"))
        // A large element near the end of a full chunk fits only the right half.
        var split = QuickList((0..<512).map { [UInt8](repeating: UInt8($0 % 256), count: 13) + [UInt8($0 / 256)] })
        let large = [UInt8](repeating: 9, count: 4_000)
        let nearEnd = split.insert(large, before: true, pivot: [UInt8](repeating: 244, count: 13) + [1])
        #expect(nearEnd)
        #expect(split.chunkCount == 2 && split.element(at: 500) == large)
        for list in [list, full, split] { #expect(list.layoutError() == nil) }
    }

    @Test("LREM that empties most chunks merges the rest and gives the memory back")
    func removeShrinks() {
        var list = QuickList()
        for index in 0..<100_000 { list.pushBack(index % 100 == 0 ? b("keep \(index)") : b("drop")) }
        let big = list.allocatedBytes
        #expect(list.remove(b("drop"), count: 0) == 99_000)
        #expect(list.count == 1_000)
        #expect(list.chunkCount <= 2, "1,000 short elements fit in two chunks")
        #expect(list.allocatedBytes < big / 20)
        #expect(list.element(at: 999) == b("keep 99900"))
        #expect(list.layoutError() == nil)
    }

    @Test("a copy is a value: changing it leaves the original alone")
    func valueSemantics() {
        let original = QuickList((0..<2_000).map { Array(String($0).utf8) })
        var copy = original
        copy.pushFront(b("new"))
        _ = copy.popBack()
        copy.replace(at: 1_000, with: b("changed"))
        #expect(original.count == 2_000)
        #expect(original.element(at: 0) == b("0"))
        #expect(original.element(at: 1_999) == b("1999"))
        #expect(original.element(at: 999) == b("999"))
        #expect(copy.element(at: 1_000) == b("changed"))
    }

    @Test("a million ten-byte elements cost at most 16 MB, not a heap object each",
          arguments: [true, false])
    func memory(atBack: Bool) {
        var list = QuickList()
        let element = Array("0123456789".utf8)
        for _ in 0..<1_000_000 {
            if atBack { list.pushBack(element) } else { list.pushFront(element) }
        }
        let perElement = Double(list.allocatedBytes) / 1_000_000
        #expect(list.allocatedBytes <= 16_000_000, "\(perElement) bytes per element")
        #expect(list.element(at: 765_432) == element)
    }
}

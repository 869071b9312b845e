// @chapter 7
/// A Redis list: a sequence of binary-safe strings, changed at both ends in
/// O(1), stored as a chain of packed chunks.
///
/// Redis calls this design a quicklist. A plain linked list costs a node
/// per element; one packed buffer for the whole list would make a push to
/// the front move the entire list. The quicklist sits between the two: the
/// elements are packed into chunks of about 8 KB (`ListPack`), and the
/// chunks are kept in order. A push or a pop touches one chunk at one end;
/// an edit in the middle moves at most one chunk's bytes. A million
/// ten-byte elements cost about 12 MB, against about 72 MB for `[[UInt8]]`.
///
/// Redis links its chunks in a doubly linked list. Here they sit in a ring
/// buffer (`ChunkRing`): a new chunk at either end is O(1) too, and walking
/// to an index reads chunk counts from one contiguous table.
///
/// A value type, like every value in the store: copying a list copies one
/// reference (to the chunk table), and the first change to a copy copies
/// the table and then only the chunks it touches.
public struct QuickList: Sendable {
    /// The chunks, head to tail. None is ever empty.
    private var chunks = ChunkRing()
    /// How many elements the list holds.
    package private(set) var count = 0

    /// An empty list. It owns no memory until the first push.
    package init() {}

    /// A list of `elements`, head to tail.
    package init(_ elements: some Sequence<[UInt8]>) {
        for element in elements { self.pushBack(element) }
    }

    /// Whether the list has no elements (Redis deletes such a key).
    package var isEmpty: Bool { self.count == 0 }

    /// Bytes the list holds on the heap: every chunk's buffer at its
    /// capacity, with its array header, and the chunk table. On Linux an
    /// array's capacity is what malloc really gave it (Swift asks for the
    /// usable size), so malloc's rounding is counted too.
    package var allocatedBytes: Int {
        var total = self.chunks.allocatedBytes
        for chunk in 0..<self.chunks.count { total += self.chunks[chunk].allocatedBytes }
        return total
    }

    /// How many chunks the list has (for tests of the layout).
    package var chunkCount: Int { self.chunks.count }

    // MARK: - Both ends

    /// The capacity of a chunk started to hold an entry of `size` bytes.
    /// A list's first chunk starts at the entry's size and doubles as it
    /// fills: most lists are short, and a million keys holding a
    /// three-element list must not reserve 8 KB each. A chunk started
    /// because the end chunk is full reserves the whole budget at once, as
    /// it will most likely be filled. A large element gets exactly its size.
    private func capacityOfNewChunk(entrySize size: Int) -> Int {
        self.isEmpty || size > ListPack.budget ? size : ListPack.budget
    }

    /// Adds `element` at the head (LPUSH). When the head chunk is full the
    /// element starts a new chunk in front of it, rather than growing the
    /// head chunk past the budget: the budget is what bounds every edit.
    package mutating func pushFront(_ element: [UInt8]) {
        let size = ListPack.entrySize(forLength: element.count)
        if !self.chunks.isEmpty && self.chunks[0].canAccept(entrySize: size) {
            self.chunks[0].pushFront(element)
        } else {
            var chunk = ListPack(capacity: self.capacityOfNewChunk(entrySize: size))
            chunk.pushFront(element)
            self.chunks.prepend(chunk)
        }
        self.count += 1
    }

    /// Adds `element` at the tail (RPUSH).
    package mutating func pushBack(_ element: [UInt8]) {
        let size = ListPack.entrySize(forLength: element.count)
        let last = self.chunks.count - 1
        if last >= 0 && self.chunks[last].canAccept(entrySize: size) {
            self.chunks[last].pushBack(element)
        } else {
            var chunk = ListPack(capacity: self.capacityOfNewChunk(entrySize: size))
            chunk.pushBack(element)
            self.chunks.append(chunk)
        }
        self.count += 1
    }

    // snippet: quicklist-pop
    /// Removes and returns the head element (LPOP), or nil if the list is empty.
    package mutating func popFront() -> [UInt8]? {
        guard !self.isEmpty else { return nil }
        let element = self.chunks[0].popFront()
        // An emptied chunk goes at once: a list used as a queue would
        // otherwise leave a trail of empty chunks behind its head. One that
        // is only thinner gives memory back as it shrinks, instead of
        // holding 8 KB for its last few elements.
        if self.chunks[0].isEmpty {
            self.chunks.removeFirst()
        } else {
            self.chunks[0].releaseSlack()
        }
        self.count -= 1
        return element
    }

    /// Removes and returns the tail element (RPOP), or nil if the list is empty.
    package mutating func popBack() -> [UInt8]? {
        guard !self.isEmpty else { return nil }
        let last = self.chunks.count - 1
        let element = self.chunks[last].popBack()
        if self.chunks[last].isEmpty {
            self.chunks.removeLast()
        } else {
            self.chunks[last].releaseSlack()
        }
        self.count -= 1
        return element
    }
    // end-snippet

    // MARK: - By index

    /// The chunk holding element `index`, and the element's index in it.
    /// Whole chunks are skipped by their counts, from whichever end of the
    /// list is nearer, so LINDEX -1 on a long list reads one chunk.
    private func locate(_ index: Int) -> (chunk: Int, index: Int) {
        // Reading a chunk's count touches only the table, not the chunk's
        // buffer: a million ten-byte elements are 1,467 chunks, so at most
        // about 730 counts to add up from the nearer end.
        if index < self.count / 2 {
            var remaining = index
            var chunk = 0
            while remaining >= self.chunks[chunk].count {
                remaining -= self.chunks[chunk].count
                chunk += 1
            }
            return (chunk, remaining)
        }
        // Counted from the tail: element `count - 1` is 0 elements from it.
        var remaining = self.count - 1 - index
        var chunk = self.chunks.count - 1
        while remaining >= self.chunks[chunk].count {
            remaining -= self.chunks[chunk].count
            chunk -= 1
        }
        return (chunk, self.chunks[chunk].count - 1 - remaining)
    }

    /// The element at `index`, 0 being the head (LINDEX after the command
    /// turned a negative index around), or nil when out of range.
    package func element(at index: Int) -> [UInt8]? {
        guard index >= 0 && index < self.count else { return nil }
        let (chunk, inChunk) = self.locate(index)
        // A copy of the chunk is a reference to its buffer, not its bytes.
        let pack = self.chunks[chunk]
        return pack.element(at: pack.offset(ofEntry: inChunk))
    }

    /// Replaces the element at `index` (LSET). Returns false when `index`
    /// is out of range.
    @discardableResult
    package mutating func replace(at index: Int, with element: [UInt8]) -> Bool {
        guard index >= 0 && index < self.count else { return false }
        let (chunk, inChunk) = self.locate(index)
        let offset = self.chunks[chunk].offset(ofEntry: inChunk)
        let oldSize = self.chunks[chunk].offset(after: offset) - offset
        let newSize = ListPack.entrySize(forLength: element.count)
        // A chunk of one element may take an element of any size, as a
        // new chunk would.
        if self.chunks[chunk].count == 1 || self.chunks[chunk].usedBytes - oldSize + newSize <= ListPack.budget {
            self.chunks[chunk].replaceEntry(at: offset, with: element)
            self.chunks[chunk].releaseSlack()
            return true
        }
        // Too big for this chunk: remove the old element, then insert the
        // new one in its place as LINSERT would, splitting if it must.
        let relative = offset - self.chunks[chunk].start
        self.chunks[chunk].removeEntries(offset..<offset + oldSize, count: 1)
        self.count -= 1
        self.insert(element, chunk: chunk, index: inChunk, offset: self.chunks[chunk].start + relative)
        return true
    }

    // MARK: - In the middle

    /// Inserts `element` before the first element equal to `pivot`, or
    /// after it, searching head to tail (LINSERT). Returns false if no
    /// element equals `pivot`.
    package mutating func insert(_ element: [UInt8], before: Bool, pivot: [UInt8]) -> Bool {
        for chunk in 0..<self.chunks.count {
            guard let match = self.chunks[chunk].firstMatch(pivot) else { continue }
            // "After the pivot" is "before the entry that follows it", which
            // may be the end of the chunk: `insert` decides where that goes.
            if before {
                self.insert(element, chunk: chunk, index: match.index, offset: match.offset)
            } else {
                self.insert(element, chunk: chunk, index: match.index + 1, offset: match.next)
            }
            return true
        }
        return false
    }

    /// Inserts `element` so that it becomes entry `index` of chunk `chunk`,
    /// at byte `offset` of that chunk. `index` may be the chunk's count
    /// (after its last entry).
    ///
    /// A full chunk is split at the insertion point rather than grown past
    /// the budget, so that no chunk ever costs more than 8 KB to edit. The
    /// element then joins whichever half has room, or gets a chunk of its
    /// own if it is large.
    private mutating func insert(_ element: [UInt8], chunk: Int, index: Int, offset: Int) {
        let size = ListPack.entrySize(forLength: element.count)
        self.count += 1
        if self.chunks[chunk].canAccept(entrySize: size) {
            self.chunks[chunk].insert(element, at: offset)
            return
        }
        // At the edge of a full chunk, a neighbour with room takes it: no split.
        let atEnd = index == self.chunks[chunk].count
        if index == 0 && chunk > 0 && self.chunks[chunk - 1].canAccept(entrySize: size) {
            self.chunks[chunk - 1].pushBack(element)
            return
        }
        if atEnd && chunk + 1 < self.chunks.count && self.chunks[chunk + 1].canAccept(entrySize: size) {
            self.chunks[chunk + 1].pushFront(element)
            return
        }
        var position = atEnd ? chunk + 1 : chunk
        if index > 0 && !atEnd {
            let right = self.chunks[chunk].split(at: offset, index: index)
            self.chunks.insert(right, at: chunk + 1)
            if self.chunks[chunk].canAccept(entrySize: size) {
                self.chunks[chunk].pushBack(element)
                return
            }
            if self.chunks[chunk + 1].canAccept(entrySize: size) {
                self.chunks[chunk + 1].pushFront(element)
                return
            }
            position = chunk + 1
        }
        // A chunk in the middle rarely fills up, so it starts at its
        // element's size and doubles only if it does.
        var alone = ListPack(capacity: size)
        alone.pushBack(element)
        self.chunks.insert(alone, at: position)
    }

    /// Removes elements equal to `element` (LREM): up to `count` of them
    /// from the head when `count` > 0, up to -`count` from the tail when
    /// `count` < 0, all when 0. Returns how many it removed.
    package mutating func remove(_ element: [UInt8], count limit: Int) -> Int {
        // Each chunk removes its matches in one pass; `remaining` carries
        // the limit on to the next chunk in the direction of the scan.
        let fromTail = limit < 0
        // `Int.min.magnitude` is not an Int; any limit that large means "all".
        var remaining = limit == 0 || limit == Int.min ? Int.max : abs(limit)
        var removed = 0
        var chunk = fromTail ? self.chunks.count - 1 : 0
        // The chunks that lost elements lie between these two.
        var lowest = Int.max
        var highest = Int.min
        while remaining > 0 && chunk >= 0 && chunk < self.chunks.count {
            let gone = self.chunks[chunk].removeAll(equalTo: element, limit: remaining, fromBack: fromTail)
            if gone > 0 {
                lowest = min(lowest, chunk)
                highest = max(highest, chunk)
            }
            removed += gone
            remaining -= gone
            chunk += fromTail ? -1 : 1
        }
        self.count -= removed
        // Only the chunks that lost elements can have become empty or small
        // enough to merge: the others are left as they were.
        if removed > 0 { self.tidy(lowest..<highest + 1) }
        return removed
    }

    /// Keeps only the elements in `range` (LTRIM, after the command
    /// normalized its indexes); the parts of `range` outside the list are
    /// ignored, and an empty `range` empties the list. Whole chunks are
    /// dropped without reading them.
    package mutating func trim(keeping range: Range<Int>) {
        let lower = max(0, range.lowerBound)
        let upper = min(self.count, range.upperBound)
        guard lower < upper else {
            // Nothing kept: every buffer and the table go at once.
            self.chunks.removeAll()
            self.count = 0
            return
        }
        // The tail first: the head's indexes stay valid while it goes.
        self.removeLast(self.count - upper)
        self.removeFirst(lower)
    }

    /// Removes the first `removed` elements. Whole chunks go by their
    /// counts, without a walk over their entries; only the chunk where the
    /// kept range begins is cut inside.
    private mutating func removeFirst(_ removed: Int) {
        var remaining = removed
        self.count -= removed
        while remaining > 0 {
            let first = self.chunks[0].count
            if first <= remaining {
                self.chunks.removeFirst()
                remaining -= first
            } else {
                self.chunks[0].removeFirst(remaining)
                self.chunks[0].releaseSlack()
                remaining = 0
            }
        }
    }

    /// Removes the last `removed` elements, as `removeFirst` does from the
    /// other end.
    private mutating func removeLast(_ removed: Int) {
        var remaining = removed
        self.count -= removed
        while remaining > 0 {
            let last = self.chunks.count - 1
            let tail = self.chunks[last].count
            if tail <= remaining {
                self.chunks.removeLast()
                remaining -= tail
            } else {
                self.chunks[last].removeLast(remaining)
                self.chunks[last].releaseSlack()
                remaining = 0
            }
        }
    }

    /// After removals in the chunks `range`: drops the emptied chunks and
    /// merges neighbours whose entries fit in one budget, in one pass. A
    /// list that grew to many chunks and was then thinned out by LREM goes
    /// back to as few chunks as its elements need.
    private mutating func tidy(_ range: Range<Int>) {
        // The chunks that stay are packed toward the front of the range
        // (`write`), as `Array.removeAll(where:)` does with elements: one
        // pass, however many chunks go, where removing them one at a time
        // would shift the table once per chunk.
        var write = range.lowerBound
        for read in range {
            if self.chunks[read].isEmpty { continue }
            if write > range.lowerBound
                && self.chunks[write - 1].usedBytes + self.chunks[read].usedBytes <= ListPack.budget {
                let merged = self.chunks.take(read)
                self.chunks[write - 1].append(contentsOf: merged)
            } else {
                if write != read { self.chunks.swapAt(write, read) }
                write += 1
            }
        }
        // The kept chunks may have lost most of their entries.
        for chunk in range.lowerBound..<write { self.chunks[chunk].releaseSlack() }
        // What is left after `write` is empty slots: close the gap.
        self.chunks.removeSubrange(write..<range.upperBound)
    }

    /// What is wrong with the list's layout, or nil: no chunk empty, every
    /// chunk well formed (`ListPack.layoutError`), the counts adding up to
    /// `count`. For tests, which call it after every operation.
    package func layoutError() -> String? {
        var total = 0
        for chunk in 0..<self.chunks.count {
            if let error = self.chunks[chunk].layoutError() { return "chunk \(chunk) of \(self.chunks.count): \(error)" }
            total += self.chunks[chunk].count
        }
        return total == self.count ? nil : "the chunks hold \(total) elements, count is \(self.count)"
    }

    // MARK: - Reading

    /// Calls `body` with the bytes of each element in `range` (valid
    /// indexes), head to tail. The bytes point into the chunk: nothing is
    /// allocated per element, which is what LRANGE encodes its reply from.
    /// They are only valid during the call.
    package func forEach(in range: Range<Int>, _ body: (UnsafeRawBufferPointer) -> Void) {
        precondition(range.lowerBound >= 0 && range.upperBound <= self.count, "range out of bounds")
        guard !range.isEmpty else { return }
        // One locate for the first element; from there the walk goes entry
        // by entry and chunk by chunk, so LRANGE 0 599 is one locate and 600
        // steps, not 600 locates.
        let first = self.locate(range.lowerBound)
        var chunk = first.chunk
        var offset = self.chunks[chunk].offset(ofEntry: first.index)
        var remaining = range.count
        while true {
            remaining -= self.chunks[chunk].forEach(from: offset, limit: remaining, body)
            if remaining == 0 { return }
            // Every chunk after the first is read from its first entry.
            chunk += 1
            offset = self.chunks[chunk].start
        }
    }

    /// Copies of the elements in `range` (valid indexes), head to tail.
    package func elements(in range: Range<Int>) -> [[UInt8]] {
        var elements: [[UInt8]] = []
        elements.reserveCapacity(range.count)
        self.forEach(in: range) { elements.append([UInt8]($0)) }
        return elements
    }

    /// The indexes of elements equal to `element` (LPOS). `rank` >= 1 scans
    /// from the head and skips the first `rank` - 1 matches; `rank` <= -1
    /// scans from the tail and skips -`rank` - 1. At most `count` indexes
    /// are returned (0: all), and at most `maxLength` elements compared
    /// (0: no limit). Indexes count from the head, in the order found.
    package func positions(of element: [UInt8], rank: Int, count: Int, maxLength: Int) -> [Int] {
        precondition(rank != 0 && count >= 0 && maxLength >= 0, "the command validates RANK, COUNT and MAXLEN")
        let fromTail = rank < 0
        // `magnitude`, because -Int.min does not fit in an Int.
        var skip = rank.magnitude - 1
        var found: [Int] = []
        var compared = 0
        var index = fromTail ? self.count - 1 : 0
        // The counters live outside the per-chunk walks: MAXLEN and COUNT
        // apply to the list, and returning false from the closure ends the
        // chunk's walk and then the list's.
        element.withUnsafeBytes { needle in
            var chunk = fromTail ? self.chunks.count - 1 : 0
            while chunk >= 0 && chunk < self.chunks.count {
                let goOn = self.chunks[chunk].visit(fromBack: fromTail) { candidate in
                    if maxLength > 0 && compared == maxLength { return false }
                    compared += 1
                    if ListPack.bytesEqual(candidate, needle) {
                        if skip > 0 {
                            skip -= 1
                        } else {
                            found.append(index)
                            if found.count == count { return false }
                        }
                    }
                    index += fromTail ? -1 : 1
                    return true
                }
                if !goOn { return }
                chunk += fromTail ? -1 : 1
            }
        }
        return found
    }
}

/// A double-ended queue of chunks: a ring buffer over an array whose length
/// is a power of two, so an index wraps around with a mask.
///
/// A new chunk at the head only moves `head` back one slot; in an `Array`
/// it would be an insert at 0, moving every chunk of the list.
struct ChunkRing: Sendable {
    /// The slots. Those outside the ring hold an empty chunk, which owns no
    /// memory (an empty array is a shared singleton).
    private var slots: [ListPack] = []
    /// The slot of the first chunk.
    private var head = 0
    /// How many chunks the ring holds.
    private(set) var count = 0

    /// Whether the ring holds no chunk.
    var isEmpty: Bool { self.count == 0 }

    /// The bytes of the slot table, with its array header.
    var allocatedBytes: Int {
        self.slots.capacity == 0 ? 0 : ListPack.arrayHeaderBytes + self.slots.capacity * MemoryLayout<ListPack>.stride
    }

    /// The slot of chunk `index`.
    @inline(__always)
    private func slot(_ index: Int) -> Int {
        (self.head &+ index) & (self.slots.count &- 1)
    }

    /// Chunk `index`, 0 being the head. Changed in place through `_modify`:
    /// with only a setter, `ring[i].pushBack(x)` would copy the chunk out,
    /// find its buffer shared, and copy all 8 KB before every push. (The
    /// underscore marks `_modify` as not yet a stable language feature; it
    /// is what the standard library's own collections use.)
    subscript(index: Int) -> ListPack {
        get { self.slots[self.slot(index)] }
        _modify {
            let slot = self.slot(index)
            yield &self.slots[slot]
        }
    }

    // snippet: quicklist-push
    /// Adds `chunk` before the first chunk, in O(1): the head steps back
    /// one slot, wrapping from slot 0 to the last slot.
    mutating func prepend(_ chunk: consuming ListPack) {
        // A full table doubles, so that growing costs O(1) per chunk on
        // average, as an array's append does.
        if self.count == self.slots.count { self.resize(to: max(1, 2 * self.slots.count)) }
        // From slot 0, -1 masked with `slots.count - 1` is the last slot.
        self.head = (self.head &- 1) & (self.slots.count - 1)
        self.slots[self.head] = chunk
        self.count += 1
    }

    /// Adds `chunk` after the last chunk, in O(1).
    mutating func append(_ chunk: consuming ListPack) {
        if self.count == self.slots.count { self.resize(to: max(1, 2 * self.slots.count)) }
        self.slots[self.slot(self.count)] = chunk
        self.count += 1
    }
    // end-snippet

    /// Removes the first chunk, freeing its buffer. The slot gets an empty
    /// chunk rather than keeping the old one until it is reused: otherwise
    /// the slot's reference would keep up to 8 KB alive for nothing.
    mutating func removeFirst() {
        self.slots[self.head] = ListPack()
        self.head = (self.head + 1) & (self.slots.count - 1)
        self.count -= 1
        self.shrinkIfSparse()
    }

    /// Removes the last chunk, freeing its buffer.
    mutating func removeLast() {
        self.slots[self.slot(self.count - 1)] = ListPack()
        self.count -= 1
        self.shrinkIfSparse()
    }

    /// Inserts `chunk` so that it becomes chunk `index`, moving the chunks
    /// after it one slot on. O(chunks), like the edit in the middle it serves.
    mutating func insert(_ chunk: consuming ListPack, at index: Int) {
        // At the head no chunk needs to move.
        if index == 0 {
            self.prepend(chunk)
            return
        }
        if self.count == self.slots.count { self.resize(to: max(1, 2 * self.slots.count)) }
        var moving = self.count
        while moving > index {
            // Swapping moves the chunks' references without retaining them.
            self.slots.swapAt(self.slot(moving), self.slot(moving - 1))
            moving -= 1
        }
        self.slots[self.slot(index)] = chunk
        self.count += 1
    }

    /// Swaps chunks `i` and `j`.
    mutating func swapAt(_ i: Int, _ j: Int) {
        self.slots.swapAt(self.slot(i), self.slot(j))
    }

    /// Chunk `index`, left empty in its slot. Emptying the slot means the
    /// caller holds the only reference, so the buffer is freed as soon as
    /// the caller is done with it (`QuickList.tidy` merges it, then drops it).
    mutating func take(_ index: Int) -> ListPack {
        let slot = self.slot(index)
        let chunk = self.slots[slot]
        self.slots[slot] = ListPack()
        return chunk
    }

    /// Removes the chunks in `range`, which the caller has emptied, moving
    /// the chunks after them down.
    mutating func removeSubrange(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        for index in range.lowerBound..<(self.count - range.count) {
            self.slots.swapAt(self.slot(index), self.slot(index + range.count))
        }
        for index in (self.count - range.count)..<self.count { self.slots[self.slot(index)] = ListPack() }
        self.count -= range.count
        self.shrinkIfSparse()
    }

    /// Removes every chunk and the table.
    mutating func removeAll() {
        self.slots = []
        self.head = 0
        self.count = 0
    }

    /// Halves the table while it is at most a quarter full, so that a list
    /// that was long and is now short gives its table back too, and frees
    /// it when the last chunk goes. A quarter, not a half: a list whose
    /// chunk count hovers around a power of two would otherwise grow and
    /// shrink its table on every other chunk.
    private mutating func shrinkIfSparse() {
        if self.count == 0 {
            self.removeAll()
            return
        }
        var capacity = self.slots.count
        while capacity > 8 && self.count * 4 <= capacity { capacity /= 2 }
        if capacity != self.slots.count { self.resize(to: capacity) }
    }

    /// Moves the chunks, in order, into a table of `capacity` slots.
    private mutating func resize(to capacity: Int) {
        // Not `Array(repeating:count:)`, which looks up generic metadata on
        // every call (see `ListPack.zeros`).
        var fresh = [ListPack](repeatElement(ListPack(), count: capacity))
        // Swapping moves each chunk without retaining it; the old table is
        // left holding empty chunks, and freeing it frees nothing else.
        for index in 0..<self.count {
            let slot = self.slot(index)
            swap(&fresh[index], &self.slots[slot])
        }
        self.slots = fresh
        self.head = 0
    }
}

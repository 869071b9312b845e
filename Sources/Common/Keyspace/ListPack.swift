// @chapter 7
/// One chunk of a `QuickList`: list elements packed back to back in a
/// single `[UInt8]`, and how many there are.
///
/// A list kept as `[[UInt8]]` costs one heap object per element: 32 bytes
/// of array header and malloc's rounding around every element, about 72
/// bytes for a ten-byte one. Packed into one buffer, a short element costs
/// its bytes plus two bytes of framing, and a whole chunk is one allocation.
///
/// Each entry is framed by its length on both sides (`listpack-entry`), so
/// the chunk can be walked from either end: a pop from the tail, or an
/// index near the tail, never walks the whole chunk from the front.
///
/// The array is a fixed arena: its count is the chunk's capacity, and the
/// entries sit in `bytes[start..<end]` with free room on both sides. A pop
/// only moves `start` or `end`, a push writes into the room at its end, so
/// neither end of a chunk moves the other entries. The array's own count
/// changes only when the chunk is reallocated: growing or shrinking an
/// array goes through the standard library's generic range replacement,
/// which cost more than writing the entry itself.
package struct ListPack: Sendable {
    /// The most entry bytes a chunk holds before a push starts a new one,
    /// as Redis's default `list-max-listpack-size -2`. Large enough that
    /// the per-chunk costs (header, table slot) vanish per element, small
    /// enough that an edit in the middle moves at most 8 KB.
    package static let budget = 8192

    /// The arena: room, the entries, room. The bytes in the room are never
    /// read: they are zeros or entries that were popped.
    private(set) var bytes: [UInt8] = []
    /// Where the first entry starts.
    private(set) var start = 0
    /// Where the last entry ends.
    private(set) var end = 0
    /// How many entries the chunk holds.
    package private(set) var count = 0

    /// An empty chunk that owns no memory.
    package init() {}

    /// An empty chunk with room for `capacity` entry bytes, allocated once
    /// so that filling it never reallocates.
    init(capacity: Int) {
        self.bytes = ListPack.zeros(capacity)
    }

    /// A new arena of `count` zero bytes. Not `Array(repeating:count:)`:
    /// that initializer reaches an unspecialized entry point of the
    /// standard library which looks up generic metadata on every call,
    /// about as costly as the allocation itself.
    @inline(__always)
    static func zeros(_ count: Int) -> [UInt8] {
        [UInt8](repeatElement(0, count: count))
    }

    /// The bytes the entries take, without the room around them.
    package var usedBytes: Int { self.end - self.start }

    /// The bytes the buffer holds on the heap, with the array's header:
    /// what the chunk really costs.
    var allocatedBytes: Int {
        self.bytes.capacity == 0 ? 0 : ListPack.arrayHeaderBytes + self.bytes.capacity
    }

    /// The header Swift puts before an array's elements (reference count,
    /// type, count, capacity).
    static let arrayHeaderBytes = 32

    /// Whether the chunk has no entries; the list drops such a chunk at once.
    var isEmpty: Bool { self.count == 0 }

    /// Whether an entry of `size` bytes may join this chunk. An empty chunk
    /// takes anything, which is how an element larger than the budget ends
    /// up alone in a chunk of its own; and no second entry ever fits beside it.
    @inline(__always)
    func canAccept(entrySize size: Int) -> Bool {
        self.count == 0 || self.usedBytes + size <= ListPack.budget
    }

    // MARK: - Entry encoding

    // snippet: listpack-entry
    // An entry is the element framed by its length on both sides:
    //
    //     "hello"          [05] h e l l o [05]
    //     300 bytes        [81 2C] ...300 bytes... [2C 81]
    //
    // Forward, a reader reads the prefix and skips the element; backward, it
    // reads the suffix from its last byte and skips back. The suffix is the
    // prefix reversed, so one decoder serves both directions.
    /// The size of the length field for an element of `length` bytes:
    /// 1 byte below 128, 2 bytes below 16 KB, 5 bytes beyond. Most list
    /// elements are short, so the common case pays one byte each side.
    @inline(__always)
    static func lengthFieldSize(_ length: Int) -> Int {
        length < 0x80 ? 1 : (length < 0x4000 ? 2 : 5)
    }

    /// The bytes an element of `length` takes in a chunk: the length field,
    /// the element, and the same field again, mirrored.
    @inline(__always)
    package static func entrySize(forLength length: Int) -> Int {
        length + 2 * ListPack.lengthFieldSize(length)
    }

    /// Writes the length field of `length` at `position`, its bytes going
    /// in direction `step`. The entry's prefix is written forward (+1) and
    /// its suffix backward (-1) from the entry's last byte, so the tag byte
    /// sits on the outer edge of both: a reader arriving from either side
    /// meets the tag first and then the same bytes in the same order.
    ///
    /// The tag: `0xxxxxxx` is the length itself; `10xxxxxx` holds the top
    /// 6 bits of a 14-bit length, the next byte the low 8; `11000000` is
    /// followed by a 32-bit length, least significant byte first.
    @inline(__always)
    static func writeLength(_ length: Int, into buffer: UnsafeMutableRawBufferPointer, at position: Int, step: Int) {
        switch ListPack.lengthFieldSize(length) {
        case 1:
            buffer[position] = UInt8(length)
        case 2:
            buffer[position] = 0x80 | UInt8(length >> 8)
            buffer[position + step] = UInt8(truncatingIfNeeded: length)
        default:
            // Redis caps a string at 512 MB; 4 GB leaves room to spare.
            precondition(length <= Int(UInt32.max), "a list element is limited to 4 GB")
            buffer[position] = 0xC0
            for byte in 1...4 {
                buffer[position + byte * step] = UInt8(truncatingIfNeeded: length >> (8 * (byte - 1)))
            }
        }
    }

    /// Reads the length field whose tag is at `position`, going in
    /// direction `step` (+1 for a prefix, -1 for a suffix). Returns the
    /// element's length and the field's size.
    @inline(__always)
    static func readLength(_ buffer: UnsafeRawBufferPointer, at position: Int, step: Int) -> (length: Int, field: Int) {
        let tag = buffer[position]
        if tag < 0x80 { return (Int(tag), 1) }
        if tag < 0xC0 { return (Int(tag & 0x3F) << 8 | Int(buffer[position + step]), 2) }
        var length = 0
        for byte in 1...4 {
            length |= Int(buffer[position + byte * step]) << (8 * (byte - 1))
        }
        return (length, 5)
    }

    /// Writes `element` as a whole entry at `offset`; the caller has made
    /// room for `entrySize(forLength: element.count)` bytes there.
    @inline(__always)
    static func writeEntry(_ element: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        let field = ListPack.lengthFieldSize(element.count)
        ListPack.writeLength(element.count, into: buffer, at: offset, step: 1)
        if let source = element.baseAddress, element.count > 0 {
            (buffer.baseAddress! + offset + field).copyMemory(from: source, byteCount: element.count)
        }
        ListPack.writeLength(element.count, into: buffer, at: offset + 2 * field + element.count - 1, step: -1)
    }
    // end-snippet

    /// The entry that starts at `offset`: where its element's bytes are, and
    /// where the next entry starts.
    @inline(__always)
    static func entry(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> (element: Range<Int>, next: Int) {
        let (length, field) = ListPack.readLength(buffer, at: offset, step: 1)
        let first = offset + field
        return (first..<first + length, first + length + field)
    }

    /// The entry that ends just before `end`: where its element's bytes
    /// are, and where the entry starts. `end - 1` is always the tag of the
    /// entry's suffix, which is what lets a chunk be walked backward.
    @inline(__always)
    static func entry(_ buffer: UnsafeRawBufferPointer, endingAt end: Int) -> (element: Range<Int>, start: Int) {
        let (length, field) = ListPack.readLength(buffer, at: end - 1, step: -1)
        let last = end - field
        return (last - length..<last, last - length - field)
    }

    /// Whether two byte ranges hold the same bytes, compared eight at a time
    /// (the standard library's `elementsEqual` goes byte by byte, and LREM
    /// or LPOS compare every element of the list).
    package static func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        // Most elements differ in length from the one searched for, and
        // that needs no byte compared at all.
        guard a.count == b.count else { return false }
        var index = 0
        // Entries start at any byte, hence unaligned loads (as fast as
        // aligned ones on x86-64 and arm64).
        while index + 8 <= a.count {
            if a.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                != b.loadUnaligned(fromByteOffset: index, as: UInt64.self) { return false }
            index += 8
        }
        while index < a.count {
            if a[index] != b[index] { return false }
            index += 1
        }
        return true
    }

    /// A new array holding a copy of `bytes`. Not with
    /// `Array(unsafeUninitializedCapacity:)`, which looks like the faster
    /// way but looks up generic metadata on every call (see `zeros`): that
    /// made a pop twice as slow.
    @inline(__always)
    static func copy(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](bytes)
    }

    /// Moves `count` bytes from `source` to `destination` within the arena
    /// (memmove: the two may overlap).
    @inline(__always)
    private mutating func move(from source: Int, to destination: Int, count: Int) {
        guard count > 0, source != destination else { return }
        self.bytes.withUnsafeMutableBytes { buffer in
            (buffer.baseAddress! + destination).copyMemory(from: buffer.baseAddress! + source, byteCount: count)
        }
    }

    /// Writes `element` as a whole entry at `offset`.
    @inline(__always)
    private mutating func write(_ element: [UInt8], at offset: Int) {
        self.bytes.withUnsafeMutableBytes { buffer in
            element.withUnsafeBytes { ListPack.writeEntry($0, into: buffer, at: offset) }
        }
    }

    // MARK: - Both ends

    /// Appends `element` as the last entry.
    mutating func pushBack(_ element: [UInt8]) {
        let size = ListPack.entrySize(forLength: element.count)
        self.makeRoomAtBack(size)
        self.write(element, at: self.end)
        self.end += size
        self.count += 1
    }

    /// Prepends `element` as the first entry.
    mutating func pushFront(_ element: [UInt8]) {
        let size = ListPack.entrySize(forLength: element.count)
        self.makeRoomAtFront(size)
        self.start -= size
        self.write(element, at: self.start)
        self.count += 1
    }

    /// Removes and returns the last entry's element. The chunk must not be
    /// empty. The entry's bytes become room: nothing moves.
    ///
    /// The copy is the one allocation of a pop, and it cannot be avoided:
    /// the element outlives the chunk's bytes, which the next push may
    /// overwrite.
    mutating func popBack() -> [UInt8] {
        let (element, entryStart) = self.bytes.withUnsafeBytes { buffer in
            let entry = ListPack.entry(buffer, endingAt: self.end)
            return (ListPack.copy(UnsafeRawBufferPointer(rebasing: buffer[entry.element])), entry.start)
        }
        self.end = entryStart
        self.count -= 1
        if self.count == 0 { self.clear() }
        return element
    }

    /// Removes and returns the first entry's element. The chunk must not be
    /// empty. The entry's bytes become room: nothing moves.
    mutating func popFront() -> [UInt8] {
        let (element, next) = self.bytes.withUnsafeBytes { buffer in
            let entry = ListPack.entry(buffer, at: self.start)
            return (ListPack.copy(UnsafeRawBufferPointer(rebasing: buffer[entry.element])), entry.next)
        }
        self.start = next
        self.count -= 1
        if self.count == 0 { self.clear() }
        return element
    }

    /// Forgets every entry, keeping the buffer. Both bounds go back to 0:
    /// whichever end the next push comes from, making room for it moves
    /// no bytes, as there are none.
    private mutating func clear() {
        self.start = 0
        self.end = 0
        self.count = 0
    }

    // MARK: - Room and slack

    /// The capacity to grow to when `needed` bytes of entries no longer fit:
    /// double, as an array would, but never past the budget, so that a full
    /// chunk is not left at twice its size. A lone large element gets
    /// exactly its size.
    private func grownCapacity(for needed: Int) -> Int {
        if needed > ListPack.budget { return needed }
        return min(ListPack.budget, max(needed, 2 * self.bytes.count))
    }

    /// Makes sure there are `size` bytes of room after the last entry.
    private mutating func makeRoomAtBack(_ size: Int) {
        if self.bytes.count - self.end >= size { return }
        let used = self.usedBytes
        if self.bytes.count >= used + size {
            // Enough room in all: slide the entries to the front once; the
            // pushes to the back that follow fill the room in O(1).
            self.move(from: self.start, to: 0, count: used)
            self.start = 0
            self.end = used
        } else {
            // Not enough room even in all of the arena: a bigger arena.
            self.reallocate(capacity: self.grownCapacity(for: used + size), roomAtFront: false)
        }
    }

    /// Makes sure there are `size` bytes of room before the first entry.
    private mutating func makeRoomAtFront(_ size: Int) {
        if self.start >= size { return }
        let used = self.usedBytes
        if self.bytes.count >= used + size {
            // The mirror of `makeRoomAtBack`: all the room goes to the front.
            // A chunk pushed at both ends in turn slides at every switch,
            // which moves at most 8 KB, as Redis does on every push to the
            // head of a listpack.
            self.move(from: self.start, to: self.bytes.count - used, count: used)
            self.start = self.bytes.count - used
            self.end = self.bytes.count
        } else {
            self.reallocate(capacity: self.grownCapacity(for: used + size), roomAtFront: true)
        }
    }

    /// Moves the entries into a new arena of `capacity` bytes, at its front
    /// or at its end, leaving the old arena's slack behind.
    private mutating func reallocate(capacity: Int, roomAtFront: Bool) {
        let used = self.usedBytes
        let newStart = roomAtFront ? capacity - used : 0
        // Zeros first, because an array's elements must all be initialized;
        // the room is never read, so zeros are as good as anything.
        var fresh = ListPack.zeros(capacity)
        if used > 0 {
            fresh.withUnsafeMutableBytes { destination in
                self.bytes.withUnsafeBytes { source in
                    (destination.baseAddress! + newStart).copyMemory(from: source.baseAddress! + self.start, byteCount: used)
                }
            }
        }
        self.bytes = fresh
        self.start = newStart
        self.end = newStart + used
    }

    /// Gives memory back once the entries fill less than a quarter of the
    /// arena, keeping twice what they use so that the next pushes do not
    /// reallocate at once. Without this a chunk emptied by LREM or LTRIM,
    /// or a lone large element replaced by a short one, would keep its
    /// peak size for as long as the list lives.
    ///
    /// An arena left above the budget (a lone large element replaced by a
    /// shorter one) shrinks too. Below 1 KB of slack, or within one budget
    /// of a large element's size, a new arena is not worth its copy. A
    /// tight arena never meets the conditions again, so calling this after
    /// every pop costs two comparisons.
    mutating func releaseSlack() {
        let used = self.usedBytes
        let capacity = self.bytes.count
        let oversized = used > ListPack.budget ? capacity > used + ListPack.budget : capacity > ListPack.budget + 1024
        let sparse = capacity - used > 1024 && used * 4 < capacity
        guard oversized || sparse else { return }
        let tight = used > ListPack.budget ? used : min(ListPack.budget, 2 * used)
        self.reallocate(capacity: tight, roomAtFront: false)
    }

    // MARK: - Inside the chunk

    /// The offset of entry `index` (0 up to `count`, which gives the end),
    /// walking from whichever end of the chunk is nearer. Entries have no
    /// fixed size, so there is no way to jump; walking from the nearer end
    /// halves the walk, which is why the suffix exists.
    func offset(ofEntry index: Int) -> Int {
        self.bytes.withUnsafeBytes { buffer in
            if index <= self.count / 2 {
                var offset = self.start
                for _ in 0..<index { offset = ListPack.entry(buffer, at: offset).next }
                return offset
            }
            var offset = self.end
            for _ in 0..<(self.count - index) { offset = ListPack.entry(buffer, endingAt: offset).start }
            return offset
        }
    }

    /// The offset where the entry at `offset` ends (and the next begins).
    func offset(after offset: Int) -> Int {
        self.bytes.withUnsafeBytes { ListPack.entry($0, at: offset).next }
    }

    /// A copy of the element of the entry at `offset`.
    func element(at offset: Int) -> [UInt8] {
        self.bytes.withUnsafeBytes { buffer in
            ListPack.copy(UnsafeRawBufferPointer(rebasing: buffer[ListPack.entry(buffer, at: offset).element]))
        }
    }

    /// Calls `body` with the element of each entry from `offset` on, at most
    /// `limit` of them, and returns how many it visited, so that the caller
    /// knows how many to ask of the next chunk.
    func forEach(from offset: Int, limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> Int {
        self.bytes.withUnsafeBytes { buffer in
            var offset = offset
            var visited = 0
            while visited < limit && offset < self.end {
                let entry = ListPack.entry(buffer, at: offset)
                body(UnsafeRawBufferPointer(rebasing: buffer[entry.element]))
                offset = entry.next
                visited += 1
            }
            return visited
        }
    }

    /// Calls `body` with each element, front to back or back to front,
    /// until it returns false. Returns false if `body` stopped the walk.
    /// LPOS with a negative rank walks backward, reading suffixes, and
    /// never has to walk a chunk from its front to reach its tail.
    func visit(fromBack: Bool, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        self.bytes.withUnsafeBytes { buffer in
            if fromBack {
                var end = self.end
                while end > self.start {
                    let entry = ListPack.entry(buffer, endingAt: end)
                    if !body(UnsafeRawBufferPointer(rebasing: buffer[entry.element])) { return false }
                    end = entry.start
                }
            } else {
                var offset = self.start
                while offset < self.end {
                    let entry = ListPack.entry(buffer, at: offset)
                    if !body(UnsafeRawBufferPointer(rebasing: buffer[entry.element])) { return false }
                    offset = entry.next
                }
            }
            return true
        }
    }

    /// The first entry equal to `element`, from the front: its index in the
    /// chunk, its offset, and where it ends (LINSERT inserts at one or the
    /// other, and needs the index to decide whether that is the chunk's edge).
    func firstMatch(_ element: [UInt8]) -> (index: Int, offset: Int, next: Int)? {
        element.withUnsafeBytes { needle in
            self.bytes.withUnsafeBytes { buffer in
                var offset = self.start
                var index = 0
                while offset < self.end {
                    let entry = ListPack.entry(buffer, at: offset)
                    if ListPack.bytesEqual(UnsafeRawBufferPointer(rebasing: buffer[entry.element]), needle) {
                        return (index, offset, entry.next)
                    }
                    offset = entry.next
                    index += 1
                }
                return nil
            }
        }
    }

    /// Inserts `element` as a new entry at `offset`, an entry boundary,
    /// moving the shorter side of it when both sides have room: an insert
    /// near the head of a chunk moves a few bytes, not the whole chunk.
    mutating func insert(_ element: [UInt8], at offset: Int) {
        let size = ListPack.entrySize(forLength: element.count)
        let before = offset - self.start
        let after = self.end - offset
        if self.start < size && self.bytes.count - self.end < size {
            // Sliding or reallocating moves the entries, so the point is
            // kept relative to the first entry.
            self.makeRoomAtBack(size)
        }
        let roomAfter = self.bytes.count - self.end >= size
        if self.start >= size && (before <= after || !roomAfter) {
            // The entries before the point move down into the front room.
            self.move(from: self.start, to: self.start - size, count: before)
            self.start -= size
        } else {
            // The entries after the point move up into the back room.
            self.move(from: self.start + before, to: self.start + before + size, count: after)
            self.end += size
        }
        self.write(element, at: self.start + before)
        self.count += 1
    }

    /// Removes the `removed` entries that fill the bytes `range`, moving
    /// the shorter side of the hole. Afterwards the entry that followed the
    /// range sits at the same distance from `start` as the range did, which
    /// `replaceEntry` and `QuickList.replace` rely on.
    mutating func removeEntries(_ range: Range<Int>, count removed: Int) {
        let length = range.count
        if range.lowerBound - self.start < self.end - range.upperBound {
            // Fewer bytes before the hole: they move up, the front room grows.
            self.move(from: self.start, to: self.start + length, count: range.lowerBound - self.start)
            self.start += length
        } else {
            self.move(from: range.upperBound, to: range.lowerBound, count: self.end - range.upperBound)
            self.end -= length
        }
        self.count -= removed
        if self.count == 0 { self.clear() }
    }

    /// Removes the first `removed` entries (LTRIM, in the chunk where the
    /// kept range begins): the hole is at the front, so only `start` moves.
    mutating func removeFirst(_ removed: Int) {
        self.removeEntries(self.start..<self.offset(ofEntry: removed), count: removed)
    }

    /// Removes the last `removed` entries (LTRIM, in the chunk where the
    /// kept range ends): only `end` moves.
    mutating func removeLast(_ removed: Int) {
        self.removeEntries(self.offset(ofEntry: self.count - removed)..<self.end, count: removed)
    }

    /// Replaces the element of the entry at `offset`, in place when the new
    /// element has the same length (LSET of a fixed-size record or counter
    /// then moves no other entry).
    mutating func replaceEntry(at offset: Int, with element: [UInt8]) {
        let oldEnd = self.offset(after: offset)
        if oldEnd - offset == ListPack.entrySize(forLength: element.count) {
            self.write(element, at: offset)
            return
        }
        // Removing may move `start`; the place of the entry is kept
        // relative to it (see `removeEntries`).
        let relative = offset - self.start
        self.removeEntries(offset..<oldEnd, count: 1)
        self.insert(element, at: self.start + relative)
    }

    /// Splits the chunk before the entry at `offset`, which is entry number
    /// `index`: this chunk keeps the entries before it, and the ones from it
    /// on are returned as a new chunk in an arena of their exact size. The
    /// split happens in the middle of the list, where pushes do not land,
    /// so room reserved there would most likely stay empty.
    mutating func split(at offset: Int, index: Int) -> ListPack {
        var right = ListPack()
        right.bytes = [UInt8](self.bytes[offset..<self.end])
        right.end = right.bytes.count
        right.count = self.count - index
        self.end = offset
        self.count = index
        if self.count == 0 { self.clear() }
        self.releaseSlack()
        return right
    }

    /// Appends all of `other`'s entries after this chunk's: entries are
    /// position-independent, so merging two chunks is one copy.
    mutating func append(contentsOf other: ListPack) {
        let used = other.usedBytes
        self.makeRoomAtBack(used)
        let at = self.end
        self.bytes.withUnsafeMutableBytes { destination in
            other.bytes.withUnsafeBytes { source in
                (destination.baseAddress! + at).copyMemory(from: source.baseAddress! + other.start, byteCount: used)
            }
        }
        self.end += used
        self.count += other.count
    }

    /// Removes entries equal to `element`: up to `limit` of them, the ones
    /// nearest the front, or nearest the back when `fromBack` is set.
    /// Returns how many it removed. One pass moves each kept entry at most
    /// once, however many are removed.
    mutating func removeAll(equalTo element: [UInt8], limit: Int, fromBack: Bool) -> Int {
        guard limit > 0, !self.isEmpty else { return 0 }
        // A read-only scan first, for where the removals begin (`cutoff`):
        // the entries before it do not move. From the front that is the
        // first match; from the back, the `limit`-th match from the back,
        // after which every match goes. A chunk without a match is never
        // written to, so a chunk that a copy of the list shares is not
        // copied for nothing.
        var cutoff = -1
        var limit = limit
        element.withUnsafeBytes { needle in
            self.bytes.withUnsafeBytes { buffer in
                if fromBack {
                    var matches = 0
                    var end = self.end
                    while end > self.start && matches < limit {
                        let entry = ListPack.entry(buffer, endingAt: end)
                        if ListPack.bytesEqual(UnsafeRawBufferPointer(rebasing: buffer[entry.element]), needle) {
                            matches += 1
                            cutoff = entry.start
                        }
                        end = entry.start
                    }
                    limit = matches
                } else {
                    var offset = self.start
                    while offset < self.end {
                        let entry = ListPack.entry(buffer, at: offset)
                        if ListPack.bytesEqual(UnsafeRawBufferPointer(rebasing: buffer[entry.element]), needle) {
                            cutoff = offset
                            return
                        }
                        offset = entry.next
                    }
                }
            }
        }
        guard cutoff >= 0 else { return 0 }
        // Then the entries from `cutoff` on are compacted in place: `read`
        // walks every entry, `write` is where the next kept one goes.
        var removed = 0
        let oldEnd = self.end
        let newEnd = element.withUnsafeBytes { needle in
            self.bytes.withUnsafeMutableBytes { buffer in
                var read = cutoff
                var write = cutoff
                while read < oldEnd {
                    let entry = ListPack.entry(UnsafeRawBufferPointer(buffer), at: read)
                    let size = entry.next - read
                    if removed < limit && ListPack.bytesEqual(UnsafeRawBufferPointer(rebasing: buffer[entry.element]), needle) {
                        removed += 1
                    } else {
                        if write != read {
                            (buffer.baseAddress! + write).copyMemory(from: buffer.baseAddress! + read, byteCount: size)
                        }
                        write += size
                    }
                    read = entry.next
                }
                return write
            }
        }
        self.end = newEnd
        self.count -= removed
        if self.count == 0 { self.clear() }
        return removed
    }

    // MARK: - Checking

    /// What is wrong with the chunk's layout, or nil: its entries must
    /// tile `start..<end` exactly, walked from either end, and number
    /// `count`; only a lone entry may exceed the budget, and the arena may
    /// only exceed it around such an entry. For tests.
    func layoutError() -> String? {
        // A list never keeps an empty chunk: an empty list owns no memory.
        if self.count == 0 { return "an empty chunk was kept" }
        return self.bytes.withUnsafeBytes { buffer -> String? in
            var forward = 0
            var offset = self.start
            while offset < self.end {
                offset = ListPack.entry(buffer, at: offset).next
                forward += 1
            }
            if offset != self.end || forward != self.count {
                return "walking forward found \(forward) entries ending at \(offset), not \(self.end); count is \(self.count)"
            }
            var backward = 0
            var end = self.end
            while end > self.start {
                end = ListPack.entry(buffer, endingAt: end).start
                backward += 1
            }
            if end != self.start || backward != self.count {
                return "walking backward found \(backward) entries ending at \(end), start is \(self.start)"
            }
            // The budget is what bounds the cost of every edit, and the 16 MB
            // test of a million elements relies on it.
            let used = self.usedBytes
            if used > ListPack.budget {
                if self.count != 1 { return "\(self.count) entries in \(used) bytes, over the budget" }
                if self.bytes.count > used + ListPack.budget { return "an arena of \(self.bytes.count) for one entry of \(used) bytes" }
            } else if self.bytes.count > ListPack.budget + 1024 {
                return "an arena of \(self.bytes.count) for \(used) bytes, over the budget"
            }
            return nil
        }
    }
}

// @chapter 7
/// How Redis reads a list index: 0 is the head, -1 the tail, -2 the one
/// before it. LRANGE and LTRIM take two of them, both inclusive, and clamp
/// instead of failing: `LRANGE k 0 1000` is the whole of a short list.
enum ListIndexes {
    // snippet: list-range
    /// The positions from `start` through `stop` (inclusive, negative
    /// counting from the tail) of a list of `count` elements, clamped to
    /// the list; empty when start is past stop or past the end.
    static func range(start: Int, stop: Int, count: Int) -> Range<Int> {
        var start = start < 0 ? count + start : start
        var stop = stop < 0 ? count + stop : stop
        start = max(start, 0)
        guard start <= stop, start < count else { return 0..<0 }
        stop = min(stop, count - 1)
        return start..<(stop + 1)
    }
    // end-snippet

    /// One index: negative counts from the tail. Nil when outside the list.
    static func position(_ index: Int, count: Int) -> Int? {
        let position = index < 0 ? count + index : index
        return (0..<count).contains(position) ? position : nil
    }

    /// Parses an index argument.
    static func parse(_ bytes: [UInt8]) throws(CommandError) -> Int {
        guard let index = RequestParser.parseInteger(bytes) else { throw .notAnInteger }
        return index
    }
}

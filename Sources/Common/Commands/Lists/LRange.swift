// @chapter 7
/// `LRANGE key start stop`: the elements from `start` through `stop`,
/// both inclusive, negative indexes counting from the tail; clamped to the
/// list, so it never fails on a range (see `ListIndexes`). `*0` if there
/// is no list.
public struct LRange: Command {
    public static let name = "lrange"
    public static let arity = 4
    public static let flags: CommandFlags = [.readOnly]

    /// The list.
    package var key: [UInt8]
    /// The first and last index asked for, as given.
    package var start: Int, stop: Int

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.key = arguments[1]
        self.start = try ListIndexes.parse(arguments[2])
        self.stop = try ListIndexes.parse(arguments[3])
    }

    // snippet: lrange-apply
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        // The reply is encoded under the lock, straight from the chunks:
        // one buffer, instead of one array per element (LRANGE of 600
        // elements is one of redis-benchmark's tests).
        let reply = try context.store.withDatabase { database throws(CommandError) -> [UInt8] in
            guard let list = try database.list(of: self.key) else { return RESPValue.emptyArrayBytes }
            return LRange.encode(list, ListIndexes.range(start: self.start, stop: self.stop, count: list.count))
        }
        return .encoded(reply)
    }
    // end-snippet

    /// `range` of `list` as a RESP array of bulk strings.
    static func encode(_ list: QuickList, _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + range.count * 16)
        out.append(UInt8(ascii: "*"))
        out.appendDecimal(range.count)
        out.appendCRLF()
        list.forEach(in: range) { element in
            out.append(UInt8(ascii: "$"))
            out.appendDecimal(element.count)
            out.appendCRLF()
            out.append(contentsOf: element)
            out.appendCRLF()
        }
        return out
    }
}

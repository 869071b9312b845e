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

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        // The elements are copied out under the lock, and encoded after.
        let elements = try context.store.withDatabase { database throws(CommandError) -> [[UInt8]] in
            guard let list = try database.list(of: self.key) else { return [] }
            return list.elements(in: ListIndexes.range(start: self.start, stop: self.stop, count: list.count))
        }
        return .reply(.array(elements.map { .bulkString($0) }))
    }
}

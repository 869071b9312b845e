// @chapter 7
/// `LTRIM key start stop`: keeps only the elements LRANGE would return;
/// a range that selects nothing deletes the list. Always `+OK`.
///
/// With LPUSH it makes a capped list (`LPUSH log x`, `LTRIM log 0 99`).
public struct LTrim: Command {
    public static let name = "ltrim"
    public static let arity = 4
    public static let flags: CommandFlags = [.write]

    /// The list.
    package var key: [UInt8]
    /// The first and last index to keep, as given.
    package var start: Int, stop: Int

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.key = arguments[1]
        self.start = try ListIndexes.parse(arguments[2])
        self.stop = try ListIndexes.parse(arguments[3])
    }

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try context.store.withDatabase { database throws(CommandError) in
            try database.modifyList(self.key) { list in
                list.trim(keeping: ListIndexes.range(start: self.start, stop: self.stop, count: list.count))
            }
        }
        return .reply(.ok)
    }
}

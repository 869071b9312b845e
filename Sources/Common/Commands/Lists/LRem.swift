// @chapter 7
/// `LREM key count element`: removes elements equal to `element`: the
/// first `count` from the head if count > 0, the last `-count` from the
/// tail if count < 0, all of them if 0. Replies how many went.
public struct LRem: Command {
    public static let name = "lrem"
    public static let arity = 4
    public static let flags: CommandFlags = [.write]

    /// The list.
    package var key: [UInt8]
    /// How many, and from which end (see above).
    package var count: Int
    /// What to remove.
    package var element: [UInt8]

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.key = arguments[1]
        guard let count = RequestParser.parseInteger(arguments[2]) else { throw .notAnInteger }
        self.count = count
        self.element = arguments[3]
    }

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let removed = try context.store.withDatabase { database throws(CommandError) -> Int? in
            // Nothing to remove is no change: the list is not even opened for
            // writing, so that a WATCH on it (chapter 8) is not disturbed.
            guard let list = try database.list(of: self.key),
                  !list.positions(of: self.element, rank: 1, count: 1, maxLength: 0).isEmpty else { return 0 }
            return try database.modifyList(self.key) { $0.remove(self.element, count: self.count) }
        }
        return .reply(.integer(removed ?? 0))
    }
}

// @chapter 7
/// `LINSERT key BEFORE|AFTER pivot element`: inserts next to the first
/// element equal to `pivot`, from the head. Replies the new length, `:-1`
/// if there is no such pivot, `:0` if there is no list.
public struct LInsert: Command {
    public static let name = "linsert"
    public static let arity = 5
    public static let flags: CommandFlags = [.write]

    /// The list.
    package var key: [UInt8]
    /// True for BEFORE, false for AFTER.
    package var before: Bool
    /// The element to insert next to.
    package var pivot: [UInt8]
    /// The element inserted.
    package var element: [UInt8]

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.key = arguments[1]
        if arguments[2].equalsIgnoringASCIICase("before") {
            self.before = true
        } else if arguments[2].equalsIgnoringASCIICase("after") {
            self.before = false
        } else {
            throw .syntaxError
        }
        self.pivot = arguments[3]
        self.element = arguments[4]
    }

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let length = try context.store.withDatabase { database throws(CommandError) -> Int? in
            // No pivot, no change: the list is left unopened (see LREM).
            guard let list = try database.list(of: self.key) else { return nil }
            guard !list.positions(of: self.pivot, rank: 1, count: 1, maxLength: 0).isEmpty else { return -1 }
            return try database.modifyList(self.key) { list in
                list.insert(self.element, before: self.before, pivot: self.pivot) ? list.count : -1
            }
        }
        return .reply(.integer(length ?? 0))
    }
}

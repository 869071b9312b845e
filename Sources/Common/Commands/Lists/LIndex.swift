// @chapter 7
/// `LINDEX key index`: the element at `index` (negative from the tail),
/// or a null bulk string when there is none.
///
/// A list is reached from its ends, so this walks chunk by chunk: O(n),
/// as in Redis.
public struct LIndex: Command {
    public static let name = "lindex"
    public static let arity = 3
    public static let flags: CommandFlags = [.readOnly]

    /// The list.
    package var key: [UInt8]
    /// The index, as given (its parse error comes after the type check, as
    /// in Redis, so it is kept raw).
    package var index: [UInt8]

    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
        self.index = arguments[2]
    }

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let element = try context.store.withDatabase { database throws(CommandError) -> [UInt8]? in
            guard let list = try database.list(of: self.key) else { return nil }
            let index = try ListIndexes.parse(self.index)
            return ListIndexes.position(index, count: list.count).flatMap { list.element(at: $0) }
        }
        return .reply(element.map { .bulkString($0) } ?? .nullBulkString)
    }
}

// @chapter 7
/// `LPOP key [count]` and `RPOP key [count]`: remove and return elements
/// from one end.
///
/// Without a count: the element, or a null bulk string if there is no
/// list. With one: an array of up to `count` elements in popping order, a
/// null *array* if there is no list, and `*0` for a count of 0.
public struct PopRequest: Sendable, Equatable {
    /// The list.
    package var key: [UInt8]
    /// Which end.
    package var end: ListEnd
    /// The count, if one was given.
    package var count: Int?

    /// Reads `arguments`: the key and an optional count.
    init(parsing arguments: [[UInt8]], end: ListEnd, name: String) throws(CommandError) {
        // The table checked "at least 2"; Redis also refuses more than 3.
        guard arguments.count <= 3 else { throw .wrongArity(name) }
        self.key = arguments[1]
        self.end = end
        if arguments.count == 3 {
            self.count = try parseNonNegative(arguments[2], else: .mustBePositive)
        }
    }

    /// Pops and replies.
    func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let popped = try context.store.withDatabase { database throws(CommandError) in
            try database.pop(self.key, at: self.end, count: self.count ?? 1)
        }
        if self.count == nil {
            return .reply(popped?.first.map { .bulkString($0) } ?? .nullBulkString)
        }
        return .reply(popped.map { .array($0.map { .bulkString($0) }) } ?? .nullArray)
    }
}

/// Parses a count that must be a whole number not below zero; any other
/// text is `error` (Redis gives one message for both mistakes).
func parseNonNegative(_ bytes: [UInt8], else error: CommandError) throws(CommandError) -> Int {
    guard let number = RequestParser.parseInteger(bytes), number >= 0 else { throw error }
    return number
}

/// `LPOP key [count]`: pop from the head.
public struct LPop: Command {
    public static let name = "lpop"
    public static let arity = -2
    public static let flags: CommandFlags = [.write]
    let request: PopRequest
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = try PopRequest(parsing: arguments, end: .left, name: Self.name)
    }
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

/// `RPOP key [count]`: pop from the tail.
public struct RPop: Command {
    public static let name = "rpop"
    public static let arity = -2
    public static let flags: CommandFlags = [.write]
    let request: PopRequest
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = try PopRequest(parsing: arguments, end: .right, name: Self.name)
    }
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

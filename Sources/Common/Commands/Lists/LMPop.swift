// @chapter 7
/// `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]`: pops up to
/// `count` (default 1) elements from the first of the keys that has a
/// list. Replies `[key, [elements]]`, or a null array if none has one.
public struct LMPopRequest: Sendable, Equatable {
    /// The keys, in order: the first with a list wins.
    package var keys: [[UInt8]]
    /// Which end.
    package var end: ListEnd
    /// How many elements at most.
    package var count: Int

    /// Reads `numkeys key... LEFT|RIGHT [COUNT count]` from
    /// `arguments[first...]` (LMPOP's start at 1, BLMPOP's at 2, after
    /// the timeout), with Redis's error texts, in Redis's order.
    init(parsing arguments: [[UInt8]], from first: Int) throws(CommandError) {
        guard let keyCount = RequestParser.parseInteger(arguments[first]), keyCount > 0 else {
            throw CommandError("ERR numkeys should be greater than 0")
        }
        // Where LEFT|RIGHT should be; past the end if numkeys lies (checked
        // before adding, so that a huge numkeys cannot overflow).
        guard keyCount < arguments.count, first + 1 + keyCount < arguments.count else { throw .syntaxError }
        let endIndex = first + 1 + keyCount
        self.keys = Array(arguments[(first + 1)..<endIndex])
        self.end = try ListEnd(parsing: arguments[endIndex])
        var count: Int?
        var index = endIndex + 1
        while index < arguments.count {
            // COUNT once, with a value; anything else is a syntax error.
            guard count == nil, arguments[index].equalsIgnoringASCIICase("count"), index + 1 < arguments.count else {
                throw .syntaxError
            }
            guard let number = RequestParser.parseInteger(arguments[index + 1]), number > 0 else {
                throw CommandError("ERR count should be greater than 0")
            }
            count = number
            index += 2
        }
        self.count = count ?? 1
    }

    /// Pops from the first key with a list: `[key, [elements]]`, or nil.
    func pop(in database: inout Database) throws(CommandError) -> RESPValue? {
        for key in self.keys {
            if let elements = try database.pop(key, at: self.end, count: self.count) {
                return .array([.bulkString(key), .array(elements.map { .bulkString($0) })])
            }
        }
        return nil
    }
}

/// `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]`.
public struct LMPop: Command {
    public static let name = "lmpop"
    public static let arity = -4
    public static let flags: CommandFlags = [.write]
    let request: LMPopRequest
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = try LMPopRequest(parsing: arguments, from: 1)
    }
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let reply = try context.store.withDatabase { database throws(CommandError) in
            try self.request.pop(in: &database)
        }
        return .reply(reply ?? .nullArray)
    }
}

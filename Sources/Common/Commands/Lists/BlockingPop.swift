// @chapter 7
/// `BLPOP key [key ...] timeout` and `BRPOP`: LPOP and RPOP that wait.
///
/// If one of the keys has a list (the first, in argument order), pop from
/// it at once and reply `[key, element]`. Otherwise wait, holding no
/// thread, until a push makes one appear; a client that waited longest on
/// that key is served first. After `timeout` seconds (0: never) the reply
/// is a null array (`*-1`; `_` in RESP3).
public struct BlockingPopRequest: Sendable {
    /// The keys, in order.
    package var keys: [[UInt8]]
    /// Which end.
    package var end: ListEnd
    /// How long to wait; nil for ever.
    package var timeout: Duration?

    /// Reads `key... timeout`.
    init(parsing arguments: [[UInt8]], end: ListEnd) throws(CommandError) {
        self.timeout = try BlockingTimeout.parse(arguments[arguments.count - 1])
        self.keys = Array(arguments[1..<(arguments.count - 1)])
        self.end = end
    }

    // snippet: blpop-apply
    /// Pops now, or blocks.
    func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try context.store.withDatabase { [context] database throws(CommandError) -> Outcome in
            for key in self.keys {
                if let element = try database.pop(key, at: self.end, count: 1)?.first {
                    return .reply(.array([.bulkString(key), .bulkString(element)]))
                }
            }
            return context.block(on: self.keys, to: .pop(self.end), timeout: self.timeout, in: &database)
        }
    }
    // end-snippet
}

/// `BLPOP key [key ...] timeout`.
public struct BLPop: Command {
    public static let name = "blpop"
    public static let arity = -3
    public static let flags: CommandFlags = [.write, .blocking]
    let request: BlockingPopRequest
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = try BlockingPopRequest(parsing: arguments, end: .left)
    }
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

/// `BRPOP key [key ...] timeout`.
public struct BRPop: Command {
    public static let name = "brpop"
    public static let arity = -3
    public static let flags: CommandFlags = [.write, .blocking]
    let request: BlockingPopRequest
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = try BlockingPopRequest(parsing: arguments, end: .right)
    }
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

/// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout` and
/// `BRPOPLPUSH source destination timeout`: LMOVE that waits for `source`.
/// The reply is the element; on timeout a null array.
public struct BlockingMoveRequest: Sendable {
    /// The move itself.
    package var move: LMoveRequest
    /// How long to wait; nil for ever.
    package var timeout: Duration?

    /// Moves now, or blocks on `source`.
    func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let move = self.move
        return try context.store.withDatabase { [context] database throws(CommandError) -> Outcome in
            if try database.list(of: move.source) != nil {
                let element = try database.move(from: move.source, move.from, to: move.destination, move.to)
                return .reply(element.map { .bulkString($0) } ?? .nullBulkString)
            }
            // Not allowed to wait: Redis answers a null *bulk* here (the
            // timeout's reply is a null array).
            return context.block(on: [move.source], to: .move(move.from, destination: move.destination, move.to),
                                 timeout: self.timeout, in: &database, otherwise: .nullBulkString)
        }
    }
}

/// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`.
public struct BLMove: Command {
    public static let name = "blmove"
    public static let arity = 6
    public static let flags: CommandFlags = [.write, .blocking]
    let request: BlockingMoveRequest
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        let move = LMoveRequest(source: arguments[1], destination: arguments[2],
                                from: try ListEnd(parsing: arguments[3]), to: try ListEnd(parsing: arguments[4]))
        self.request = BlockingMoveRequest(move: move, timeout: try BlockingTimeout.parse(arguments[5]))
    }
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

/// `BRPOPLPUSH source destination timeout`.
public struct BRPopLPush: Command {
    public static let name = "brpoplpush"
    public static let arity = 4
    public static let flags: CommandFlags = [.write, .blocking]
    let request: BlockingMoveRequest
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        let move = LMoveRequest(source: arguments[1], destination: arguments[2], from: .right, to: .left)
        self.request = BlockingMoveRequest(move: move, timeout: try BlockingTimeout.parse(arguments[3]))
    }
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

/// `BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]`: LMPOP
/// that waits. On timeout a null array.
public struct BLMPop: Command {
    public static let name = "blmpop"
    public static let arity = -5
    public static let flags: CommandFlags = [.write, .blocking]
    let request: LMPopRequest
    let timeout: Duration?
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        // Redis checks numkeys, the end and COUNT before the timeout.
        self.request = try LMPopRequest(parsing: arguments, from: 2)
        self.timeout = try BlockingTimeout.parse(arguments[1])
    }
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try context.store.withDatabase { [context] database throws(CommandError) -> Outcome in
            if let reply = try self.request.pop(in: &database) { return .reply(reply) }
            return context.block(on: self.request.keys, to: .popMany(self.request.end, count: self.request.count),
                                 timeout: self.timeout, in: &database)
        }
    }
}

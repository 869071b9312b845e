// @chapter 7
/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`: pops from one end of
/// `source` and pushes onto one end of `destination`, atomically; replies
/// the element, or a null if `source` has no list. The same key on both
/// sides rotates the list. `RPOPLPUSH source destination` is
/// `LMOVE source destination RIGHT LEFT`.
///
/// Atomic matters here: the element is never in neither list, which is
/// what makes LMOVE a reliable queue (a worker's "in progress" list).
public struct LMoveRequest: Sendable, Equatable {
    /// Where the element comes from.
    package var source: [UInt8]
    /// Where it goes.
    package var destination: [UInt8]
    /// The end of `source` it is popped from.
    package var from: ListEnd
    /// The end of `destination` it is pushed to.
    package var to: ListEnd

    /// Moves, and replies the element.
    func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let element = try context.store.withDatabase { database throws(CommandError) in
            try database.move(from: self.source, self.from, to: self.destination, self.to)
        }
        return .reply(element.map { .bulkString($0) } ?? .nullBulkString)
    }
}

/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`.
public struct LMove: Command {
    public static let name = "lmove"
    public static let arity = 5
    public static let flags: CommandFlags = [.write]
    let request: LMoveRequest
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = LMoveRequest(source: arguments[1], destination: arguments[2],
                                    from: try ListEnd(parsing: arguments[3]), to: try ListEnd(parsing: arguments[4]))
    }
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

/// `RPOPLPUSH source destination`: LMOVE from the tail to the head.
public struct RPopLPush: Command {
    public static let name = "rpoplpush"
    public static let arity = 3
    public static let flags: CommandFlags = [.write]
    let request: LMoveRequest
    public init(parsing arguments: [[UInt8]]) {
        self.request = LMoveRequest(source: arguments[1], destination: arguments[2], from: .right, to: .left)
    }
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

// @chapter 7
/// `LPUSH key element [element ...]`, `RPUSH`, and their `X` forms
/// (`LPUSHX`, `RPUSHX`, which push only onto a list that exists).
///
/// Each element goes to the end in turn, so `LPUSH k a b c` leaves
/// `c b a`. The reply is the list's length right after the push: clients
/// blocked on the key are served after that, so they are not counted out.
public struct PushRequest: Sendable, Equatable {
    /// The list.
    package var key: [UInt8]
    /// The elements, in the order given: a slice of the arguments, not a
    /// copy (a copy would cost an allocation on every push).
    package var elements: ArraySlice<[UInt8]>
    /// Which end they go to.
    package var end: ListEnd
    /// `LPUSHX`, `RPUSHX`: do nothing (and reply `:0`) if there is no list.
    package var onlyIfExists: Bool

    /// Reads `arguments`; the command's arity (at least 3) was checked.
    init(parsing arguments: [[UInt8]], end: ListEnd, onlyIfExists: Bool) {
        self.key = arguments[1]
        self.elements = arguments[2...]
        self.end = end
        self.onlyIfExists = onlyIfExists
    }

    // snippet: push-apply
    /// Pushes, and replies the new length.
    func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let length = try context.store.withDatabase { database throws(CommandError) in
            try database.modifyList(self.key, creating: !self.onlyIfExists) { list in
                for element in self.elements { list.push(element, at: self.end) }
                return list.count
            }
        }
        return .reply(.integer(length ?? 0))
    }
    // end-snippet
}

/// `LPUSH key element [element ...]`: push at the head.
public struct LPush: Command {
    public static let name = "lpush"
    public static let arity = -3
    public static let flags: CommandFlags = [.write]
    let request: PushRequest
    public init(parsing arguments: [[UInt8]]) {
        self.request = PushRequest(parsing: arguments, end: .left, onlyIfExists: false)
    }
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

/// `RPUSH key element [element ...]`: push at the tail.
public struct RPush: Command {
    public static let name = "rpush"
    public static let arity = -3
    public static let flags: CommandFlags = [.write]
    let request: PushRequest
    public init(parsing arguments: [[UInt8]]) {
        self.request = PushRequest(parsing: arguments, end: .right, onlyIfExists: false)
    }
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

/// `LPUSHX key element [element ...]`: push at the head of an existing list.
public struct LPushX: Command {
    public static let name = "lpushx"
    public static let arity = -3
    public static let flags: CommandFlags = [.write]
    let request: PushRequest
    public init(parsing arguments: [[UInt8]]) {
        self.request = PushRequest(parsing: arguments, end: .left, onlyIfExists: true)
    }
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

/// `RPUSHX key element [element ...]`: push at the tail of an existing list.
public struct RPushX: Command {
    public static let name = "rpushx"
    public static let arity = -3
    public static let flags: CommandFlags = [.write]
    let request: PushRequest
    public init(parsing arguments: [[UInt8]]) {
        self.request = PushRequest(parsing: arguments, end: .right, onlyIfExists: true)
    }
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

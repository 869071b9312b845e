// @chapter 8
/// `MULTI`: starts a transaction. From here on, each command the client
/// sends is queued and answered `+QUEUED` (by `CommandTable`), until EXEC
/// runs them all at once or DISCARD drops them.
public struct Multi: Command {
    public static let name = "multi"
    public static let arity = 1
    public static let flags: CommandFlags = [.notQueued]

    public init(parsing arguments: [[UInt8]]) {}

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        // Refused, but the open transaction goes on (Redis does not poison it).
        guard context.session.queuedCommands == nil else { throw CommandError("ERR MULTI calls can not be nested") }
        context.session.queuedCommands = TransactionQueue()
        context.session.transactionFailed = false
        return .reply(.ok)
    }
}

/// `DISCARD`: drops the queued commands and the watches.
public struct Discard: Command {
    public static let name = "discard"
    public static let arity = 1
    public static let flags: CommandFlags = [.notQueued]

    public init(parsing arguments: [[UInt8]]) {}

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        guard context.session.queuedCommands != nil else { throw CommandError("ERR DISCARD without MULTI") }
        context.endTransaction()
        return .reply(.ok)
    }
}

extension CommandContext {
    /// Leaves MULTI (after EXEC or DISCARD): the queue, the poison flag
    /// and the watches go.
    mutating func endTransaction() {
        self.session.queuedCommands = nil
        self.session.transactionFailed = false
        self.unwatchAll()
    }

    /// Forgets this client's watches, in the keyspace too.
    mutating func unwatchAll() {
        guard !self.session.watches.isEmpty else { return }
        let watches = self.session.watches
        self.session.watches = []
        self.store.withDatabase { $0.unwatch(watches) }
    }
}

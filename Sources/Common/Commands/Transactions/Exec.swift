// @chapter 8
/// `EXEC`: runs the queued commands as one, and replies with the array of
/// their replies.
///
/// Three answers: `-EXECABORT ...` if a command was refused while
/// queueing (nothing runs); a null array if a watched key changed (nothing
/// runs); otherwise every command runs, and one that fails puts its error
/// in its own slot while the others still run: Redis has no rollback.
public struct Exec: Command {
    public static let name = "exec"
    public static let arity = 1
    public static let flags: CommandFlags = [.notQueued]

    public init(parsing arguments: [[UInt8]]) {}

    static let aborted = CommandError("EXECABORT Transaction discarded because of previous errors.")

    /// EXEC itself refused (`EXEC x`): the transaction, if any, is
    /// discarded, and the reply says why, as Redis's `execCommandAbort`.
    static func refused(because error: CommandError, in context: inout CommandContext) -> RESPValue {
        context.endTransaction()
        var text = Array("EXECABORT Transaction discarded because of: ".utf8)
        text += error.message.starts(with: Array("ERR ".utf8)) ? Array(error.message.dropFirst(4)) : error.message
        return .error(text)
    }

    // snippet: exec-apply
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        guard let queued = context.session.queuedCommands else { throw CommandError("ERR EXEC without MULTI") }
        let failed = context.session.transactionFailed
        let watches = context.session.watches
        // Out of MULTI first: the queued commands must run, not be queued.
        context.session.queuedCommands = nil
        context.session.transactionFailed = false
        context.session.watches = []
        guard !failed else {
            context.store.withDatabase { $0.unwatch(watches) }
            throw Exec.aborted
        }
        return context.store.withExclusiveAccess { () -> Outcome in
            // From here to the last command, no other client runs.
            let changed = context.store.withDatabase { database in
                defer { database.unwatch(watches) }
                return watches.contains { database.hasChanged($0) }
            }
            if changed { return .reply(.nullArray) }
            // A blocking command inside a transaction does not wait.
            context.mayBlock = false
            defer { context.mayBlock = true }
            // @chapter 9 {
            context.runningTransaction = true
            defer { context.runningTransaction = false }
            // @}
            var replies: [UInt8] = []
            // Room for short replies (integers, +OK) without regrowing.
            replies.reserveCapacity(16 + 16 * queued.count)
            replies.append(UInt8(ascii: "*"))
            replies.appendDecimal(queued.count)
            replies.appendCRLF()
            // snippet: exec-drain
            queued.run(in: &context) { outcome, context in
                // @before 9 {
                // outcome.encode(into: &replies, version: context.session.version)
                // @}
                // @chapter 9 {
                // A message this command sent to this very client (a PUBLISH
                // to a channel it subscribed to) goes before its reply, inside
                // EXEC's array, as in Redis.
                context.outbox?.drain(into: &replies)
                outcome.encode(into: &replies, version: context.session.version)
                // @}
            }
            // end-snippet
            return .encoded(replies)
        }
    }
    // end-snippet
}

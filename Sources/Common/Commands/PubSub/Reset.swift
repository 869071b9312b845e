// @chapter 9
/// `RESET`: the connection as it was when it opened, without reconnecting.
/// It leaves MULTI, forgets watches, leaves every channel and pattern,
/// goes back to RESP2 and drops the client's name; replies `+RESET`.
/// Allowed in subscribed mode: it is one way out of it.
public struct Reset: Command {
    public static let name = "reset"
    public static let arity = 1
    public static let flags: CommandFlags = [.allowedWhileSubscribed, .notQueued]

    public init(parsing arguments: [[UInt8]]) {}

    public func apply(to context: inout CommandContext) -> Outcome {
        context.endTransaction()
        if context.session.subscriptionCount > 0 {
            context.unsubscribeAll()
            context.outbox?.restoreDefaultLimits()
        }
        context.session.version = .resp2
        context.session.name = nil
        return .reply(Reset.reply)
    }

    static let reply = RESPValue.simpleString(text: "RESET")
}

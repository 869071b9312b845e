// @chapter 2
/// `PING [message]`: the "are you there?" command.
///
/// Without an argument the reply is the simple string `+PONG\r\n`; with one,
/// the message comes back as a bulk string (`PING hi` → `$2\r\nhi\r\n`).
/// More than one argument is an arity error.
///
/// Every command in the course has this shape (see `Command`): its name
/// and arity, `init(parsing:)` that checks the arguments and keeps what the
/// command needs, then `apply(to:)` that produces the reply. Keeping the
/// two apart means a malformed command never half-runs.
public struct Ping: Command, Equatable {
    public static let name = "ping"
    /// At least the name; the table checks that, and `init` the upper bound.
    public static let arity = -1
    public static let flags: CommandFlags = [.allowedWhileSubscribed] // @chapter 9

    /// The optional message to echo back.
    package var message: [UInt8]?

    /// Parses `PING [message]`. `arguments[0]` is the command name.
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        switch arguments.count {
        case 1: self.message = nil
        case 2: self.message = arguments[1]
        default: throw .wrongArity(Ping.name)
        }
    }

    /// The reply: `+PONG` or the message as a bulk string.
    public func apply(to context: inout CommandContext) -> Outcome {
        // @chapter 9 {
        // snippet: subscribed-ping
        // A RESP2 subscriber's replies look like messages: `[pong, message]`.
        if context.session.isSubscribed && context.session.version == .resp2 {
            return .reply(.array([.bulkString(Ping.pongWord), .bulkString(self.message ?? [])]))
        }
        // end-snippet
        // @}
        if let message = self.message {
            return .reply(.bulkString(message))
        }
        return .reply(Ping.pong)
    }

    /// `+PONG\r\n`, built once.
    static let pong = RESPValue.simpleString(text: "PONG")
    static let pongWord = Array("pong".utf8) // @chapter 9
}

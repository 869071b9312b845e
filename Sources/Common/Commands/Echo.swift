// @chapter 3
/// `ECHO message`: replies with the message, as a bulk string.
///
/// The message is binary-safe: it may hold spaces, CR LF, NUL bytes or a
/// megabyte of anything, because a bulk string carries its length up front
/// instead of relying on a terminator.
public struct Echo: Command, Equatable {
    public static let name = "echo"
    /// Exactly one argument after the name.
    public static let arity = 2

    /// The bytes to send back.
    package var message: [UInt8]

    /// Parses `ECHO message` (the table has checked the count).
    public init(parsing arguments: [[UInt8]]) {
        self.message = arguments[1]
    }

    /// The reply: the message as a bulk string.
    public func apply(to context: inout CommandContext) -> Outcome {
        .reply(.bulkString(self.message))
    }
}

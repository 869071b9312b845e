/// `ECHO message`: replies with the message, as a bulk string.
///
/// The message is binary-safe: it may hold spaces, CR LF, NUL bytes or a
/// megabyte of anything, because a bulk string carries its length up front
/// instead of relying on a terminator.
public struct Echo: Sendable, Equatable {
    /// The bytes to send back.
    public var message: [UInt8]

    /// Parses `ECHO message`: exactly one argument.
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        guard arguments.count == 2 else { throw .wrongArity("echo") }
        self.message = arguments[1]
    }

    /// The reply: the message as a bulk string.
    public func apply() -> RESPValue {
        .bulkString(self.message)
    }
}

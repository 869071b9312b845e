// @chapter 9
/// `QUIT`: replies `+OK`, then closes the connection. Allowed in
/// subscribed mode, where it is the polite way for a listener to leave.
public struct Quit: Command {
    public static let name = "quit"
    public static let arity = -1
    public static let flags: CommandFlags = [.allowedWhileSubscribed]

    public init(parsing arguments: [[UInt8]]) {}

    public func apply(to context: inout CommandContext) -> Outcome {
        // Everything before it has been sent by now; the OK goes last.
        .takeOver { connection in
            try? await connection.write(RESPValue.ok.encoded)
        }
    }
}

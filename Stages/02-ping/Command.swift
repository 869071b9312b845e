import Common

// snippet: command
/// The commands stage 2 understands: only PING.
///
/// Each stage has one such enum. `parse` picks the command by name and checks
/// its arguments; `apply` runs it. Later stages add cases, one per command.
enum Command {
    /// `PING [message]`.
    case ping(Ping)

    /// Picks the command named by `arguments[0]`, case-insensitively.
    static func parse(_ arguments: [[UInt8]]) throws(CommandError) -> Command {
        if arguments[0].equalsIgnoringASCIICase("PING") {
            return .ping(try Ping(parsing: arguments))
        }
        throw .unknownCommand(arguments)
    }

    /// Runs the command and returns its reply.
    func apply() -> RESPValue {
        switch self {
        case .ping(let ping): return ping.apply()
        }
    }

    /// The reply to one request: the command's result, or its error.
    static func respond(to arguments: [[UInt8]]) -> RESPValue {
        do {
            return try Command.parse(arguments).apply()
        } catch {
            return error.reply
        }
    }
}
// end-snippet

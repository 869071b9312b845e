import Common

// snippet: command
/// The commands stage 4 understands: PING and ECHO, as in stage 3.
///
/// `parse` picks the command by name and checks its arguments; `apply` runs
/// it. A name we do not know gets Redis's "unknown command" error, and the
/// connection stays open.
enum Command {
    /// `PING [message]`.
    case ping(Ping)
    /// `ECHO message`.
    case echo(Echo)

    /// Picks the command named by `arguments[0]`, case-insensitively.
    static func parse(_ arguments: [[UInt8]]) throws(CommandError) -> Command {
        let name = arguments[0]
        if name.equalsIgnoringASCIICase("PING") { return .ping(try Ping(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("ECHO") { return .echo(try Echo(parsing: arguments)) }
        throw .unknownCommand(arguments)
    }

    /// Runs the command and returns its reply.
    func apply() -> RESPValue {
        switch self {
        case .ping(let ping): return ping.apply()
        case .echo(let echo): return echo.apply()
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

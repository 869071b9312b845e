import Common

// snippet: command
/// The commands stage 5 understands: stage 4's PING and ECHO, and the
/// key-value commands that read and write the shared store.
///
/// Every command keeps the shape of the earlier stages: `parse` checks the
/// arguments and builds the command, then `apply` runs it against the store.
enum Command {
    case ping(Ping)
    case echo(Echo)
    case set(SetCommand)
    case get(Get)
    case del(Del)
    case exists(Exists)
    case dbSize(DBSize)
    case flushAll(FlushAll)
    case type(TypeCommand)
    case configGet(ConfigGet)
    case hello(Hello)

    /// Picks the command named by `arguments[0]`, case-insensitively.
    static func parse(_ arguments: [[UInt8]]) throws(CommandError) -> Command {
        let name = arguments[0]
        if name.equalsIgnoringASCIICase("GET") { return .get(try Get(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("SET") { return .set(try SetCommand(parsing: arguments, grammar: .basic)) }
        if name.equalsIgnoringASCIICase("PING") { return .ping(try Ping(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("ECHO") { return .echo(try Echo(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("DEL") { return .del(try Del(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("EXISTS") { return .exists(try Exists(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("DBSIZE") { return .dbSize(try DBSize(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("FLUSHALL") { return .flushAll(try FlushAll(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("TYPE") { return .type(try TypeCommand(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("CONFIG") { return .configGet(try ConfigGet(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("HELLO") { return .hello(try Hello(parsing: arguments)) }
        throw .unknownCommand(arguments)
    }

    /// Runs the command against the shared store (or, for HELLO, the
    /// client's session) and returns its reply.
    func apply(to store: Store, session: inout ClientSession) -> RESPValue {
        switch self {
        case .ping(let command): return command.apply()
        case .echo(let command): return command.apply()
        case .set(let command): return command.apply(to: store)
        case .get(let command): return command.apply(to: store)
        case .del(let command): return command.apply(to: store)
        case .exists(let command): return command.apply(to: store)
        case .dbSize(let command): return command.apply(to: store)
        case .flushAll(let command): return command.apply(to: store)
        case .type(let command): return command.apply(to: store)
        case .configGet(let command): return command.apply(to: store)
        case .hello(let command): return command.apply(to: &session)
        }
    }

    /// The reply to one request: the command's result, or its error.
    static func respond(to arguments: [[UInt8]], store: Store, session: inout ClientSession) -> RESPValue {
        do {
            return try Command.parse(arguments).apply(to: store, session: &session)
        } catch {
            return error.reply
        }
    }
}
// end-snippet

import Common

// snippet: command
/// The commands stage 6 understands: stage 5's, with SET's expiry options
/// (EX, PX, EXAT, PXAT, KEEPTTL) and the commands that read and change a
/// key's time to live.
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
    case expire(Expire)
    case persist(Persist)
    case ttl(TTL)

    /// Picks the command named by `arguments[0]`, case-insensitively.
    static func parse(_ arguments: [[UInt8]]) throws(CommandError) -> Command {
        let name = arguments[0]
        if name.equalsIgnoringASCIICase("GET") { return .get(try Get(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("SET") { return .set(try SetCommand(parsing: arguments, grammar: .withExpiry)) }
        if name.equalsIgnoringASCIICase("PING") { return .ping(try Ping(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("ECHO") { return .echo(try Echo(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("DEL") { return .del(try Del(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("EXISTS") { return .exists(try Exists(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("DBSIZE") { return .dbSize(try DBSize(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("FLUSHALL") { return .flushAll(try FlushAll(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("TYPE") { return .type(try TypeCommand(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("CONFIG") { return .configGet(try ConfigGet(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("HELLO") { return .hello(try Hello(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("EXPIRE") { return .expire(try Expire(parsing: arguments, unit: .seconds)) }
        if name.equalsIgnoringASCIICase("PEXPIRE") { return .expire(try Expire(parsing: arguments, unit: .milliseconds)) }
        if name.equalsIgnoringASCIICase("PERSIST") { return .persist(try Persist(parsing: arguments)) }
        if name.equalsIgnoringASCIICase("TTL") { return .ttl(try TTL(parsing: arguments, inMilliseconds: false)) }
        if name.equalsIgnoringASCIICase("PTTL") { return .ttl(try TTL(parsing: arguments, inMilliseconds: true)) }
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
        case .expire(let command): return command.apply(to: store)
        case .persist(let command): return command.apply(to: store)
        case .ttl(let command): return command.apply(to: store)
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

// @chapter 2
// snippet: command-protocol
/// One Redis command: its name, how many arguments it takes, what kind of
/// command it is, how it reads its arguments and what it does.
///
/// Every command of the course has this one shape, in two steps:
///
/// 1. `init(parsing:)` checks the arguments and keeps what the command
///    needs. It never touches the keyspace, so a malformed command never
///    half-runs, and parsing can be unit-tested and fuzzed on its own.
/// 2. `apply(to:)` runs it against a `CommandContext`: the client's
///    session and what the server shares.
///
/// A stage lists the command types it supports (`[Ping.self, Echo.self]`)
/// and a `CommandTable` does the rest: the name lookup, the arity check and
/// Redis's error texts, once for every command.
public protocol Command: Sendable {
    /// The name in lowercase, as Redis spells it in errors: `"get"`. (A
    /// container such as `CONFIG` is one command that reads its subcommand
    /// itself.)
    static var name: String { get }

    /// How many arguments, the name included, in Redis's convention: `2`
    /// means exactly two (`GET key`); `-2` means at least two (`DEL key ...`).
    static var arity: Int { get }

    /// What kind of command this is: what the dispatcher must know before
    /// running it (see `CommandFlags`).
    static var flags: CommandFlags { get }

    /// Reads the arguments (`arguments[0]` is the name, in the client's
    /// case). The table has already checked the arity; the command checks
    /// the rest, with Redis's error texts.
    init(parsing arguments: [[UInt8]]) throws(CommandError)

    /// Runs the command and says what the client gets back.
    func apply(to context: inout CommandContext) throws(CommandError) -> Outcome

    /// Parses, then applies: what the table calls. The default below is
    /// all any command needs; being a requirement, it is compiled once per
    /// command type, specialized, and the table reaches it in one call.
    static func run(_ arguments: [[UInt8]], in context: inout CommandContext) throws(CommandError) -> Outcome
}
// end-snippet

extension Command {
    /// Parses `arguments`, then applies the command to `context`.
    public static func run(_ arguments: [[UInt8]], in context: inout CommandContext) throws(CommandError) -> Outcome {
        try Self(parsing: arguments).apply(to: &context)
    }
}

// @chapter 8 {
/// A command with subcommands (`CONFIG GET`): the table checks the
/// subcommand and its arity before anything else, as Redis's lookup does,
/// so that a wrong one is refused even inside MULTI instead of queued.
package protocol ContainerCommand: Command {
    /// Throws Redis's error for an unknown subcommand or a wrong arity.
    static func checkSubcommand(_ arguments: [[UInt8]]) throws(CommandError)
}
// @}

extension Command {
    /// Most commands are plain: they run, answer once, and write nothing
    /// that replicas would need to see.
    public static var flags: CommandFlags { [] }
}

/// What the dispatcher must know about a command before running it, as
/// Redis's command table records it.
public struct CommandFlags: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// It changes the keyspace: a replica or an append-only file must see it.
    package static let write = CommandFlags(rawValue: 1 << 0)
    /// It only reads the keyspace.
    package static let readOnly = CommandFlags(rawValue: 1 << 1)
    /// It may run on a RESP2 connection in subscribed mode (PING,
    /// SUBSCRIBE, ...): every other command is refused there.
    package static let allowedWhileSubscribed = CommandFlags(rawValue: 1 << 2)
    /// It runs at once even inside MULTI instead of being queued (MULTI,
    /// EXEC, DISCARD, WATCH), or is refused there.
    package static let notQueued = CommandFlags(rawValue: 1 << 3)
    /// It may suspend the client until another client acts (BLPOP).
    package static let blocking = CommandFlags(rawValue: 1 << 4)
}

// snippet: outcome
/// What running a command gives the client.
///
/// Stages 1–6 need only `.reply`. The other cases are what the extension
/// stages need, and why the serve loop is more than "one reply per
/// request" (Tutorials/architecture.md):
///
/// - `.replies`: SUBSCRIBE a b c confirms each channel with its own reply;
/// - `.suspend`: BLPOP waits, holding no thread, until another client
///   pushes or the timeout passes; the client's later commands wait too;
/// - `.takeOver`: PSYNC turns the connection into a replication link, which
///   from then on belongs to the replication code, not to the serve loop.
///
/// Messages that *other* clients cause (PUBLISH, the replication stream)
/// are not outcomes: they arrive in the connection's `Outbox`.
public enum Outcome: Sendable {
    /// One reply, the usual case.
    case reply(RESPValue)
    /// Several replies, sent in order.
    case replies([RESPValue])
    // @chapter 7 {
    /// One reply already encoded for this client: LRANGE's array of bulk
    /// strings (the same in RESP2 and RESP3), written straight from the
    /// list's chunks instead of as one `RESPValue` (and one array) per
    /// element; from chapter 8, EXEC's array of its commands' replies.
    case encoded([UInt8])
    // @}
    // @chapter 4 {
    /// Wait without holding a thread, then go on with the outcome the wait
    /// ends with. None of the client's later commands runs until then.
    case suspend(any Suspension)
    /// Send what is pending, then give the connection to `handler`. The
    /// serve loop ends when the handler returns, and closes the connection.
    case takeOver(@Sendable (AsyncConnection) async -> Void)
    // @}
}
// end-snippet

// @chapter 4 {
// snippet: suspension
/// A client's wait for something another client does, such as BLPOP's
/// wait for a push (or its timeout).
///
/// While it lasts, the serve loop runs none of the client's later
/// commands, but keeps reading its socket: bytes it sends are kept for
/// later, and a hang-up ends the wait with `cancel()`. Whoever ends the
/// wait wakes the loop through the client's `Outbox`; the loop then takes
/// the outcome with `takeResult()`.
public protocol Suspension: AnyObject, Sendable {
    /// What the client gets now that the wait is over, or nil while it
    /// lasts. Returns the outcome once.
    func takeResult() -> Outcome?

    /// The client left (it hung up, or the server is shutting down): stop
    /// waiting, and take nothing on its behalf.
    func cancel()
}
// end-snippet
// @}

extension Outcome {
    /// Appends the replies of `.reply` and `.replies` to `out`, encoded in
    /// `version`. (The other outcomes are not bytes: the serve loop carries
    /// them out.)
    public func encode(into out: inout [UInt8], version: RESPVersion) {
        switch self {
        case .reply(let reply):
            reply.encode(into: &out, version: version)
        case .replies(let replies):
            for reply in replies { reply.encode(into: &out, version: version) }
        case .encoded(let bytes): // @chapter 7
            out += bytes // @chapter 7
        // @chapter 4 {
        case .suspend, .takeOver:
            break
        // @}
        }
    }
}

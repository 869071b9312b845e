// @chapter 5
/// `CONFIG GET parameter [parameter ...]`: the configuration parameters
/// this server really has, for tools that ask: redis-benchmark reads `save`
/// and `appendonly` at startup and warns when it cannot; monitoring tools
/// read `maxclients`.
///
/// We have no persistence, so `save` is empty and `appendonly` is `no`,
/// exactly what `redis-server --save '' --appendonly no` answers;
/// `maxclients` is what `--maxclients` set (10000 by default, as in Redis).
/// Other parameters are unknown and left out of the reply, as Redis does
/// for a name it does not know. Patterns (`CONFIG GET max*`) match our
/// three names.
public struct ConfigGet: Command, Equatable {
    /// The container command's name: `CONFIG` alone is an arity error for
    /// 'config'; a subcommand other than GET is unknown here.
    public static let name = "config"
    public static let arity = -2

    /// The parameter names or glob patterns asked for.
    package var parameters: [[UInt8]]

    /// Only `GET`, with at least one parameter.
    package static func checkSubcommand(_ arguments: [[UInt8]]) throws(CommandError) {
        guard arguments[1].equalsIgnoringASCIICase("GET") else {
            throw .unknownSubcommand(arguments[1], of: "CONFIG")
        }
        guard arguments.count >= 3 else { throw .wrongArity("config|get") }
    }

    // snippet: known
    /// The parameters we have, and their values on a server started with
    /// `options`.
    static func known(_ options: ServerOptions) -> [(name: [UInt8], value: [UInt8])] {
        [
            (Array("maxclients".utf8), Array(String(options.maxClients).utf8)),
            (Array("save".utf8), []),
            (Array("appendonly".utf8), Array("no".utf8)),
        ]
    }
    // end-snippet

    /// Parses `CONFIG GET ...`; other CONFIG subcommands are unknown here.
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        try ConfigGet.checkSubcommand(arguments)
        self.parameters = Array(arguments.dropFirst(2))
    }

    /// Pairs of name and value (a map: in RESP3 it is sent as one), each
    /// parameter once however often it is asked for. A name asked for
    /// exactly comes back as it was typed (`CONFIG GET SAVE` answers
    /// `SAVE`), one matched by a pattern in lowercase, as in Redis 7.
    ///
    /// The pairs come in the order asked. Redis collects them in a hash
    /// table whose seed is random per process, so its order changes from
    /// one run to the next: a client must not depend on it.
    public func apply(to context: inout CommandContext) -> Outcome {
        let known = ConfigGet.known(context.server.options)
        var reply: [RESPValue] = []
        var seen: [[UInt8]] = []
        for parameter in self.parameters {
            let isPattern = parameter.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
            for (name, value) in known where !seen.contains(name) {
                let matches = isPattern
                    ? GlobPattern.matches(pattern: parameter, name, ignoringCase: true)
                    : parameter.equalsIgnoringASCIICase(name)
                if matches {
                    seen.append(name)
                    reply.append(.bulkString(isPattern ? name : parameter))
                    reply.append(.bulkString(value))
                }
            }
        }
        return .reply(.map(reply))
    }
}

// @chapter 8 {

/// Checked by the table too, so that `MULTI` / `CONFIG GETX` poisons the
/// transaction instead of queueing a command that would fail in EXEC.
extension ConfigGet: ContainerCommand {}
// @}

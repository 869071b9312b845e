// @chapter 5
/// `HELLO [protover [AUTH username password] [SETNAME clientname]]`: the
/// handshake of modern clients. It picks the protocol version (2 or 3) and
/// replies with a map describing the server.
///
/// redis-py 8 opens every connection with `HELLO 3`, so a server without
/// HELLO cannot serve it. We have no passwords: like a Redis whose default
/// user has none, `AUTH default <anything>` is accepted.
public struct Hello: Command, Equatable {
    public static let name = "hello"
    public static let arity = -1

    /// The protocol asked for, or nil to keep the current one.
    package var version: RESPVersion?
    /// The name given with SETNAME, if any.
    public var name: [UInt8]?

    /// The Redis version whose behaviour these servers follow, reported to
    /// clients (which use it to choose features).
    package static let redisVersion = "7.0.15"

    /// Parses HELLO's arguments, with Redis 7's error texts.
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        if arguments.count >= 2 {
            guard let number = RequestParser.parseInteger(arguments[1]) else {
                throw CommandError("ERR Protocol version is not an integer or out of range")
            }
            guard let version = RESPVersion(rawValue: number) else {
                throw CommandError("NOPROTO unsupported protocol version")
            }
            self.version = version
        }
        var index = 2
        while index < arguments.count {
            let option = arguments[index]
            let remaining = arguments.count - 1 - index
            if option.equalsIgnoringASCIICase("AUTH") && remaining >= 2 {
                // User names are case-sensitive: `DEFAULT` is not the default
                // user (a finding of `stage-tester --diff`).
                guard arguments[index + 1] == Array("default".utf8) else {
                    throw CommandError("WRONGPASS invalid username-password pair or user is disabled.")
                }
                index += 2
            } else if option.equalsIgnoringASCIICase("SETNAME") && remaining >= 1 {
                let name = arguments[index + 1]
                // Names are printable ASCII without spaces, as in Redis.
                guard name.allSatisfy({ (33...126).contains($0) }) else {
                    throw CommandError("ERR Client names cannot contain spaces, newlines or special characters.")
                }
                self.name = name
                index += 1
            } else {
                throw CommandError(bytes: Array("ERR Syntax error in HELLO option '".utf8) + option.upToNul + [UInt8(ascii: "'")])
            }
            index += 1
        }
    }

    /// Switches the connection's protocol and describes the server. The
    /// reply is encoded in the *new* protocol: a map in RESP3.
    public func apply(to context: inout CommandContext) -> Outcome {
        if let version = self.version {
            context.session.version = version
            // @chapter 9 {
            // A subscriber's next messages are framed in the new protocol.
            if context.session.subscriptionCount > 0 {
                context.server.pubsub.changeVersion(of: context.session.id, to: version)
            }
            // @}
        }
        if let name = self.name { context.session.name = name }
        let session = context.session
        return .reply(.map([
            .bulkString(text: "server"), .bulkString(text: "redis"),
            .bulkString(text: "version"), .bulkString(text: Hello.redisVersion),
            .bulkString(text: "proto"), .integer(session.version.rawValue),
            .bulkString(text: "id"), .integer(session.id),
            .bulkString(text: "mode"), .bulkString(text: "standalone"),
            .bulkString(text: "role"), .bulkString(text: "master"),
            .bulkString(text: "modules"), .array([]),
        ]))
    }
}

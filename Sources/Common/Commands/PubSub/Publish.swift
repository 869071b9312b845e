// @chapter 9
/// `PUBLISH channel message`: hands `message` to every subscriber of the
/// channel and of every matching pattern, and replies how many got it.
///
/// The message is not sent here: it is queued in each subscriber's
/// outbox, and each subscriber's own task writes it. A subscriber too far
/// behind is disconnected by its outbox's limits; the publisher goes on.
public struct Publish: Command {
    public static let name = "publish"
    public static let arity = 3

    /// Where, and what.
    package var channel: [UInt8]
    package var message: [UInt8]

    public init(parsing arguments: [[UInt8]]) {
        self.channel = arguments[1]
        self.message = arguments[2]
    }

    // snippet: publish-apply
    public func apply(to context: inout CommandContext) -> Outcome {
        // Under the keyspace lock too: a PUBLISH then never runs in the
        // middle of another client's EXEC, which would see the message
        // land between two of its commands.
        let hub = context.server.pubsub
        let receivers = context.store.withDatabase { _ in hub.publish(self.message, to: self.channel) }
        return .reply(.integer(receivers))
    }
    // end-snippet
}

/// `PUBSUB CHANNELS [pattern]`, `PUBSUB NUMSUB [channel ...]`, `PUBSUB
/// NUMPAT` and `PUBSUB HELP`: what the hub knows, for tools and tests.
/// (`SHARDCHANNELS` and `SHARDNUMSUB` answer as a server with no shard
/// channels: there are none without a cluster.)
public struct PubSubIntrospection: ContainerCommand {
    public static let name = "pubsub"
    public static let arity = -2

    /// One of the questions.
    package enum Question: Sendable, Equatable {
        case channels(pattern: [UInt8]?, shard: Bool)
        case subscriberCounts([[UInt8]], shard: Bool)
        case patternCount
        case help
    }

    package var question: Question

    /// Each subcommand and its arity, in Redis's convention.
    private static let subcommands: [(name: StaticString, arity: Int)] = [
        ("channels", -2), ("numsub", -2), ("numpat", 2), ("shardchannels", -2), ("shardnumsub", -2), ("help", 2),
    ]

    /// Redis's table knows PUBSUB's subcommands and their arities: these
    /// errors come before anything else, and poison a transaction.
    package static func checkSubcommand(_ arguments: [[UInt8]]) throws(CommandError) {
        guard let subcommand = subcommands.first(where: { arguments[1].equalsIgnoringASCIICase($0.name) }) else {
            throw .unknownSubcommand(arguments[1], of: "PUBSUB")
        }
        let arity = subcommand.arity
        if (arity > 0 && arguments.count != arity) || arguments.count < -arity {
            throw .wrongArity("pubsub|\(subcommand.name)")
        }
    }

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        try Self.checkSubcommand(arguments)
        let subcommand = arguments[1]
        let shard = subcommand.count > 5 && Array(subcommand.prefix(5)).equalsIgnoringASCIICase("SHARD")
        if subcommand.equalsIgnoringASCIICase("CHANNELS") || subcommand.equalsIgnoringASCIICase("SHARDCHANNELS") {
            // "At least 2" in the table, so this one is PUBSUB's own error,
            // which names the subcommand as typed.
            guard arguments.count <= 3 else {
                throw CommandError(bytes: Array("ERR unknown subcommand or wrong number of arguments for '".utf8)
                    + subcommand.prefix(128) + Array("'. Try PUBSUB HELP.".utf8))
            }
            self.question = .channels(pattern: arguments.count == 3 ? arguments[2] : nil, shard: shard)
        } else if subcommand.equalsIgnoringASCIICase("NUMSUB") || subcommand.equalsIgnoringASCIICase("SHARDNUMSUB") {
            self.question = .subscriberCounts(Array(arguments.dropFirst(2)), shard: shard)
        } else if subcommand.equalsIgnoringASCIICase("NUMPAT") {
            self.question = .patternCount
        } else {
            self.question = .help
        }
    }

    public func apply(to context: inout CommandContext) -> Outcome {
        let hub = context.server.pubsub
        switch self.question {
        case .channels(let pattern, let shard):
            guard !shard else { return .reply(.array([])) }
            return .reply(.array(hub.activeChannels(matching: pattern).map { .bulkString($0) }))
        case .subscriberCounts(let channels, let shard):
            let counts = shard ? channels.map { _ in 0 } : hub.subscriberCounts(channels)
            // A flat list of pairs; Redis 7.0 sends the same array in RESP3.
            return .reply(.array(zip(channels, counts).flatMap { [RESPValue.bulkString($0), .integer($1)] }))
        case .patternCount:
            return .reply(.integer(hub.patternCount))
        case .help:
            return .reply(.array(PubSubIntrospection.helpLines.map { .simpleString(text: $0) }))
        }
    }

    /// Redis 7.0.15's text, line for line.
    static let helpLines = [
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    ]
}

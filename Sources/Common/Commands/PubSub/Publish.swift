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

/// `PUBSUB CHANNELS [pattern]`, `PUBSUB NUMSUB [channel ...]` and
/// `PUBSUB NUMPAT`: what the hub knows, for tools and tests.
public struct PubSubIntrospection: Command {
    public static let name = "pubsub"
    public static let arity = -2

    /// One of the three questions.
    package enum Question: Sendable, Equatable {
        case channels(pattern: [UInt8]?)
        case subscriberCounts([[UInt8]])
        case patternCount
    }

    package var question: Question

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        let subcommand = arguments[1]
        if subcommand.equalsIgnoringASCIICase("CHANNELS") {
            // Its arity in Redis's table is "at least 2", so this one is
            // PUBSUB's own error, which names the subcommand as typed.
            guard arguments.count <= 3 else {
                throw CommandError(bytes: Array("ERR unknown subcommand or wrong number of arguments for '".utf8)
                    + subcommand.prefix(128) + Array("'. Try PUBSUB HELP.".utf8))
            }
            self.question = .channels(pattern: arguments.count == 3 ? arguments[2] : nil)
        } else if subcommand.equalsIgnoringASCIICase("NUMSUB") {
            self.question = .subscriberCounts(Array(arguments.dropFirst(2)))
        } else if subcommand.equalsIgnoringASCIICase("NUMPAT") {
            guard arguments.count == 2 else { throw .wrongArity("pubsub|numpat") }
            self.question = .patternCount
        } else {
            throw .unknownSubcommand(subcommand, of: "PUBSUB")
        }
    }

    public func apply(to context: inout CommandContext) -> Outcome {
        let hub = context.server.pubsub
        switch self.question {
        case .channels(let pattern):
            return .reply(.array(hub.activeChannels(matching: pattern).map { .bulkString($0) }))
        case .subscriberCounts(let channels):
            let counts = hub.subscriberCounts(channels)
            // A flat list of pairs in RESP2; Redis 7.0 replies the same
            // flat array in RESP3 too.
            return .reply(.array(zip(channels, counts).flatMap { [RESPValue.bulkString($0), .integer($1)] }))
        case .patternCount:
            return .reply(.integer(hub.patternCount))
        }
    }
}

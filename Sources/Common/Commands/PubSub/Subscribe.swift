// @chapter 9
/// `SUBSCRIBE channel [channel ...]` and `PSUBSCRIBE pattern [pattern ...]`:
/// listen for PUBLISHed messages, on channels by name or by glob pattern.
///
/// Each name gets its own reply, `[subscribe, name, count]`, count being
/// the client's channels and patterns so far. From the first subscription
/// on, a RESP2 connection is in subscribed mode: only the pub/sub
/// commands, PING, QUIT and RESET run (`CommandTable`). A RESP3 connection
/// may keep sending any command: its messages come as push frames, which a
/// client can tell from replies.
struct SubscribeRequest: Sendable, Equatable {
    /// The channels or patterns, in order.
    var names: [[UInt8]]
    /// Which of the two.
    var kind: PubSubHub.Kind

    // snippet: subscribe-apply
    /// Subscribes, and leaves the replies in the outbox (or, inside EXEC,
    /// returns them as the command's part of EXEC's reply).
    func apply(to context: inout CommandContext) -> Outcome {
        let outbox = context.outbox ?? Outbox.detached
        // Inside EXEC the replies belong in EXEC's array; elsewhere they go
        // through the outbox, ahead of any message that follows.
        let deliver = !context.runningTransaction && context.outbox != nil
        let (replies, count) = context.server.pubsub.subscribe(
            self.names, kind: self.kind, client: context.session.id, outbox: outbox,
            version: context.session.version, deliver: deliver)
        if context.session.subscriptionCount == 0 {
            // A subscriber from now on: it gets the pub/sub output limits.
            outbox.applyLimits(context.server.options.pubsubLimits)
        }
        context.session.subscriptionCount = count
        return .replies(replies)
    }
    // end-snippet
}

/// `SUBSCRIBE channel [channel ...]`.
public struct Subscribe: Command {
    public static let name = "subscribe"
    public static let arity = -2
    public static let flags: CommandFlags = [.allowedWhileSubscribed]
    let request: SubscribeRequest
    public init(parsing arguments: [[UInt8]]) {
        self.request = SubscribeRequest(names: Array(arguments.dropFirst()), kind: .channel)
    }
    public func apply(to context: inout CommandContext) -> Outcome {
        self.request.apply(to: &context)
    }
}

/// `PSUBSCRIBE pattern [pattern ...]`: `news.*` receives what is published
/// to `news.it` and `news.fr`, as `[pmessage, pattern, channel, message]`.
public struct PSubscribe: Command {
    public static let name = "psubscribe"
    public static let arity = -2
    public static let flags: CommandFlags = [.allowedWhileSubscribed]
    let request: SubscribeRequest
    public init(parsing arguments: [[UInt8]]) {
        self.request = SubscribeRequest(names: Array(arguments.dropFirst()), kind: .pattern)
    }
    public func apply(to context: inout CommandContext) -> Outcome {
        self.request.apply(to: &context)
    }
}

/// `UNSUBSCRIBE [channel ...]` and `PUNSUBSCRIBE [pattern ...]`: stop
/// listening to these, or to all of them when none is named.
struct UnsubscribeRequest: Sendable, Equatable {
    /// The channels or patterns; empty for all.
    var names: [[UInt8]]
    /// Which of the two.
    var kind: PubSubHub.Kind

    /// Unsubscribes; the last one out leaves subscribed mode.
    func apply(to context: inout CommandContext) -> Outcome {
        let (replies, count) = context.server.pubsub.unsubscribe(self.names, kind: self.kind, client: context.session.id)
        if count == 0 && context.session.subscriptionCount > 0 {
            context.outbox?.restoreDefaultLimits()
        }
        context.session.subscriptionCount = count
        return .replies(replies)
    }
}

/// `UNSUBSCRIBE [channel ...]`.
public struct Unsubscribe: Command {
    public static let name = "unsubscribe"
    public static let arity = -1
    public static let flags: CommandFlags = [.allowedWhileSubscribed]
    let request: UnsubscribeRequest
    public init(parsing arguments: [[UInt8]]) {
        self.request = UnsubscribeRequest(names: Array(arguments.dropFirst()), kind: .channel)
    }
    public func apply(to context: inout CommandContext) -> Outcome {
        self.request.apply(to: &context)
    }
}

/// `PUNSUBSCRIBE [pattern ...]`. A pattern is left by its exact text:
/// `PUNSUBSCRIBE news.*` does not leave `news.i*`.
public struct PUnsubscribe: Command {
    public static let name = "punsubscribe"
    public static let arity = -1
    public static let flags: CommandFlags = [.allowedWhileSubscribed]
    let request: UnsubscribeRequest
    public init(parsing arguments: [[UInt8]]) {
        self.request = UnsubscribeRequest(names: Array(arguments.dropFirst()), kind: .pattern)
    }
    public func apply(to context: inout CommandContext) -> Outcome {
        self.request.apply(to: &context)
    }
}

extension CommandContext {
    /// Leaves every channel and pattern: the client disconnected.
    mutating func unsubscribeAll() {
        guard self.session.subscriptionCount > 0 else { return }
        self.server.pubsub.removeClient(self.session.id)
        self.session.subscriptionCount = 0
    }
}

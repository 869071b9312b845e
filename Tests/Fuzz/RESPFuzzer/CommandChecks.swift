@testable import Common

/// Runs every parsed command through a `CommandTable` of the newest stage's
/// commands (the list in its `Stages/NN-name/main.swift`) against a store on
/// a manual clock, as one client connection would.
///
/// Invariants:
/// - no command crashes, whatever its arguments (overflowing TTLs included);
/// - every reply, encoded in the connection's protocol (RESP2, or RESP3
///   after `HELLO 3`), parses back with `ReplyParser` to the same value, and
///   an error reply starts with an uppercase code (`ERR`, `WRONGPASS`...);
/// - only a blocking pop may wait instead of replying (`.suspend`);
/// - the store stays consistent: a key has a value exactly when it has an
///   expiry state, a live key's deadline is not in the past, and the
///   store's key counts match what the keys themselves say;
/// - with stage 7's lists: no list is ever empty (its last element gone,
///   the key is gone), LLEN and LRANGE 0 -1 agree, and a key of another
///   type answers WRONGTYPE;
/// - with stage 9's pub/sub: SUBSCRIBE and its kin answer one reply per
///   name (one for UNSUBSCRIBE with none), each ending in the count that
///   the session then holds; PUBLISH delivers to this client at most once
///   per channel and pattern it has; and once it leaves everything, the
///   hub keeps no channel and no pattern.
enum CommandChecks {
    /// Stage 6's commands, as `Stages/06-expiry/main.swift` lists them.
    static let stage6: [any Command.Type] = [
        Ping.self, Echo.self,
        SetCommand.self, Get.self, Del.self, Exists.self, DBSize.self, FlushAll.self, TypeCommand.self,
        ConfigGet.self, Hello.self,
        Expire.self, PExpire.self, ExpireAt.self, PExpireAt.self, Persist.self,
        TTL.self, PTTL.self, ExpireTime.self, PExpireTime.self,
    ]

    /// Stage 7's list commands, as `Stages/07-lists/main.swift` lists them.
    static let stage7: [any Command.Type] = [
        LPush.self, RPush.self, LPushX.self, RPushX.self, LPop.self, RPop.self, LLen.self, LRange.self,
        LIndex.self, LSet.self, LInsert.self, LRem.self, LTrim.self, LPos.self, LMove.self, RPopLPush.self,
        LMPop.self, BLPop.self, BRPop.self, BLMove.self, BRPopLPush.self, BLMPop.self,
    ]

    /// Stage 8's transaction commands (its string commands join `stage8`
    /// too). EXEC runs queued commands through the context's table.
    ///
    /// SETRANGE is left out: one input (`SETRANGE k 536870911 x`) would make
    /// the fuzzer allocate 512 MB, and thousands of inputs a second would
    /// spend the run in memset; its limits have unit and gate tests.
    static let stage8: [any Command.Type] = [
        Incr.self, Decr.self, IncrBy.self, DecrBy.self, IncrByFloat.self,
        Append.self, StrLen.self, GetRange.self,
        MGet.self, MSet.self, MSetNX.self,
        GetSet.self, GetDel.self, GetEx.self, SetNX.self, SetEx.self, PSetEx.self,
        Multi.self, Exec.self, Discard.self, Watch.self, Unwatch.self,
    ]

    /// Stage 9's pub/sub commands. QUIT is left out: it hands the
    /// connection over (`Outcome.takeOver`) to write its +OK and close,
    /// and the fuzzer has no connection.
    static let stage9: [any Command.Type] = [
        Subscribe.self, Unsubscribe.self, PSubscribe.self, PUnsubscribe.self, Publish.self, PubSubIntrospection.self,
    ]

    /// The newest stage's commands.
    static let commands = CommandTable(stage6 + stage7 + stage8 + stage9)

    /// The commands that answer with one reply per name (`Outcome.replies`).
    static let subscriptionCommands: Set<[UInt8]> = Set(["SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE"].map { Array($0.utf8) })

    /// The commands that may wait for another client's push instead of
    /// replying (`Outcome.suspend`). The fuzzer has no other client and no
    /// event loop: it never resumes a wait, as if each timed out, and goes
    /// on with the next command.
    static let blocking: Set<[UInt8]> = Set(["BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BLMPOP"].map { Array($0.utf8) })

    /// Runs `requests` in order, then checks the whole store.
    static func run(_ requests: ParsedRequests, seed: UInt64) {
        let clock = ManualTimeSource()
        let store = Store(clock: clock)
        var context = CommandContext(server: ServerState(store: store))
        // Active expiry's random picks, the same for the same input.
        var random = SplitMix64(seed: seed)
        // Every argument seen: the only byte strings that can name a key.
        var names = Set<[UInt8]>()
        for command in requests.commands {
            switch commands.execute(command, in: &context) {
            case .reply(let reply):
                ReplyChecks.checkEncoding(of: reply, version: context.session.version, isServerReply: true,
                                          context: "the reply to \(ParsedRequests(commands: [command]).summary)")
            case .encoded(let bytes):
                invariant(decoded(bytes) != nil, "\(ParsedRequests(commands: [command]).summary) encoded \(shown(bytes)), not exactly one reply")
            case .replies(let replies):
                checkSubscriptionReplies(replies, to: command, context: context)
            case .suspend:
                let name = command.first.map { $0.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 } } ?? []
                invariant(blocking.contains(name), "\(ParsedRequests(commands: [command]).summary) waits, but only a blocking pop may")
            default:
                invariant(false, "\(ParsedRequests(commands: [command]).summary) did not give one reply")
                return
            }
            let arguments = command.dropFirst()
            names.formUnion(arguments)
            checkKeys(arguments.prefix(8), in: store, after: command)
            checkLists(arguments.prefix(8), context: context, after: command)
            // Time moves between commands by an amount the input chooses (8 ms
            // times the command's last byte, up to about 2 s), so that TTLs
            // both run out and do not; then active expiry takes a sample.
            clock.advance(by: Int64(command.last?.last ?? 0) * 8)
            _ = store.withDatabase { database in
                database.expireRandomKeys(count: 4, using: &random)
            }
        }
        if let error = requests.error {
            // The last words before the server hangs up must parse too.
            ReplyChecks.checkEncoding(of: error.reply, version: context.session.version, isServerReply: true,
                                      context: "the reply to protocol error \(error)")
        }
        checkStore(store, names: names)
        checkHubEmptiesOut(context: &context)
    }

    /// `command`'s name, uppercased.
    static func upperName(_ command: [[UInt8]]) -> [UInt8] {
        command.first.map { $0.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 } } ?? []
    }

    /// SUBSCRIBE and its kin: one reply per name (one for an UNSUBSCRIBE of
    /// everything), each a `[kind, name, count]` in the connection's
    /// protocol, the last count the one the session now holds.
    static func checkSubscriptionReplies(_ replies: [RESPValue], to command: [[UInt8]], context: CommandContext) {
        let summary = ParsedRequests(commands: [command]).summary
        invariant(subscriptionCommands.contains(upperName(command)), "\(summary) gave several replies, but only SUBSCRIBE and its kin may")
        // With no name, UNSUBSCRIBE answers for each channel it leaves, or once.
        invariant(command.count == 1 ? !replies.isEmpty : replies.count == command.count - 1,
                  "\(summary) gave \(replies.count) replies for \(command.count - 1) names")
        for reply in replies {
            ReplyChecks.checkEncoding(of: reply, version: context.session.version, isServerReply: true, context: "a reply to \(summary)")
        }
        guard case .push(let last)? = replies.last, last.count == 3, case .integer(let count) = last[2] else {
            invariant(false, "\(summary): the last reply is \(described(replies.last)), not [kind, name, count]")
            return
        }
        invariant(count == context.session.subscriptionCount,
                  "\(summary) ends with count \(count), but the session holds \(context.session.subscriptionCount)")
    }

    /// Leaves every channel and pattern, as a client that goes: the hub then
    /// lists no channel, counts no pattern, and PUBLISH reaches no one.
    static func checkHubEmptiesOut(context: inout CommandContext) {
        _ = commands.execute([Array("UNSUBSCRIBE".utf8)], in: &context)
        _ = commands.execute([Array("PUNSUBSCRIBE".utf8)], in: &context)
        guard context.session.queuedCommands == nil else { return } // queued in MULTI: nothing ran
        invariant(context.session.subscriptionCount == 0, "after UNSUBSCRIBE and PUNSUBSCRIBE, \(context.session.subscriptionCount) subscriptions are left")
        let hub = context.server.pubsub
        invariant(hub.activeChannels(matching: nil).isEmpty, "no one subscribes, yet the hub lists channels \(hub.activeChannels(matching: nil).map(shown))")
        invariant(hub.patternCount == 0, "no one subscribes, yet the hub counts \(hub.patternCount) patterns")
        invariant(hub.publish(Array("m".utf8), to: Array("ch".utf8)) == 0, "no one subscribes, yet PUBLISH reached someone")
    }

    /// A key's value and its expiry state agree, and a live key's deadline
    /// has not passed.
    static func checkKeys(_ keys: ArraySlice<[UInt8]>, in store: Store, after command: [[UInt8]]) {
        store.withDatabase { database in
            invariant(database.countWithExpiry <= database.count,
                      "\(database.countWithExpiry) keys with a TTL but \(database.count) keys, after \(ParsedRequests(commands: [command]).summary)")
            for key in keys {
                let expiry = database.expiry(of: key)
                let value = database.value(of: key)
                invariant((expiry == .missing) == (value == nil),
                          "key \(shown(key)) has expiry \(expiry) but value \(value.map(described) ?? "nil"), after \(ParsedRequests(commands: [command]).summary)")
                if case .at(let deadline) = expiry {
                    invariant(deadline >= database.now,
                              "key \(shown(key)) is alive with deadline \(deadline) < now \(database.now)")
                }
            }
        }
    }

    /// A value for a message: a string's bytes, or another type's name.
    static func described(_ value: Value) -> String {
        if case .string(let bytes) = value { return shown(bytes) }
        return "a \(value.typeName)"
    }

    /// A reply for a message, as its RESP2 bytes.
    static func described(_ reply: RESPValue?) -> String {
        reply.map { shown($0.encoded) } ?? "no single reply"
    }

    /// The one reply to `arguments` (the name, then its arguments), or nil.
    static func reply(to arguments: [[UInt8]], context: inout CommandContext) -> RESPValue? {
        switch commands.execute(arguments, in: &context) {
        case .reply(let reply): return reply
        case .encoded(let bytes): return decoded(bytes)
        default: return nil
        }
    }

    /// An `Outcome.encoded` reply (LRANGE's array, EXEC's) as a value, or
    /// nil if the bytes are not exactly one reply.
    static func decoded(_ bytes: [UInt8]) -> RESPValue? {
        var parser = ReplyParser()
        parser.append(bytes)
        guard let reply = try? parser.next(), parser.unparsedBytes.isEmpty else { return nil }
        return reply
    }

    /// Every list is non-empty (Redis deletes a list with its last
    /// element), LLEN and LRANGE 0 -1 agree on its length, and a key of
    /// another type answers WRONGTYPE; asked through the commands
    /// themselves, which read the key but change nothing.
    static func checkLists(_ keys: ArraySlice<[UInt8]>, context: CommandContext, after command: [[UInt8]]) {
        let after = ParsedRequests(commands: [command]).summary
        // The probes run on a copy of the connection outside MULTI and
        // subscribed mode: there they would be queued (into the fuzzed
        // transaction) or refused, and they must see the keys as they are.
        var probe = context
        probe.session.queuedCommands = nil
        probe.session.subscriptionCount = 0
        for key in keys {
            let type = context.server.store.withDatabase { database in database.value(of: key)?.typeName }
            let length = reply(to: [Array("LLEN".utf8), key], context: &probe)
            let range = reply(to: [Array("LRANGE".utf8), key, Array("0".utf8), Array("-1".utf8)], context: &probe)
            switch type {
            case "list":
                guard case .integer(let count) = length, case .array(let elements) = range else {
                    invariant(false, "list \(shown(key)): LLEN gave \(described(length)), LRANGE 0 -1 \(described(range)), after \(after)")
                    return
                }
                invariant(count > 0, "list \(shown(key)) is empty but still exists, after \(after)")
                invariant(elements.count == count, "list \(shown(key)): LLEN \(count) but LRANGE 0 -1 has \(elements.count) elements, after \(after)")
            case nil:
                invariant(length == .integer(0), "missing key \(shown(key)): LLEN gave \(described(length)), after \(after)")
            default:
                guard case .error(let text) = length else {
                    invariant(false, "\(type ?? "") key \(shown(key)): LLEN gave \(described(length)), not WRONGTYPE, after \(after)")
                    return
                }
                invariant(text.starts(with: Array("WRONGTYPE".utf8)), "\(type ?? "") key \(shown(key)): LLEN gave -\(shown(text)), after \(after)")
            }
        }
    }

    /// Looks up every name that could be a key (which also deletes the
    /// expired ones, as a read does), then checks that the store's counts
    /// agree: a key lost from the expiry table, or left in it after its key
    /// went, shows up here.
    static func checkStore(_ store: Store, names: Set<[UInt8]>) {
        store.withDatabase { database in
            var live = 0
            var withDeadline = 0
            for name in names {
                switch database.expiry(of: name) {
                case .missing: break
                case .never: live += 1
                case .at: live += 1; withDeadline += 1
                }
            }
            invariant(database.count == live, "the store counts \(database.count) keys, the keys themselves \(live)")
            invariant(database.countWithExpiry == withDeadline,
                      "the store counts \(database.countWithExpiry) keys with a TTL, the keys themselves \(withDeadline)")
        }
    }
}

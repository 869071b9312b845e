@testable import Common

/// Runs every parsed command through a `CommandTable` of stage 6's commands
/// (the list in `Stages/06-expiry/main.swift`) against a store on a manual
/// clock, as one client connection would.
///
/// Invariants:
/// - no command crashes, whatever its arguments (overflowing TTLs included);
/// - every reply, encoded in the connection's protocol (RESP2, or RESP3
///   after `HELLO 3`), parses back with `ReplyParser` to the same value, and
///   an error reply starts with an uppercase code (`ERR`, `WRONGPASS`...);
/// - the store stays consistent: a key has a value exactly when it has an
///   expiry state, a live key's deadline is not in the past, and the
///   store's key counts match what the keys themselves say.
enum CommandChecks {
    /// The newest stage's commands, as its manifest lists them.
    static let commands = CommandTable([
        Ping.self, Echo.self,
        SetCommand.self, Get.self, Del.self, Exists.self, DBSize.self, FlushAll.self, TypeCommand.self,
        ConfigGet.self, Hello.self,
        Expire.self, PExpire.self, ExpireAt.self, PExpireAt.self, Persist.self,
        TTL.self, PTTL.self, ExpireTime.self, PExpireTime.self,
    ])

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
            guard case .reply(let reply) = commands.execute(command, in: &context) else {
                invariant(false, "\(ParsedRequests(commands: [command]).summary) did not give one reply")
                return
            }
            ReplyChecks.checkEncoding(of: reply, version: context.session.version, isServerReply: true,
                                      context: "the reply to \(ParsedRequests(commands: [command]).summary)")
            let arguments = command.dropFirst()
            names.formUnion(arguments)
            checkKeys(arguments.prefix(8), in: store, after: command)
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
    }

    /// A key's value and its expiry state agree, and a live key's deadline
    /// has not passed.
    static func checkKeys(_ keys: ArraySlice<[UInt8]>, in store: Store, after command: [[UInt8]]) {
        store.withDatabase { database in
            invariant(database.countWithExpiry <= database.count,
                      "\(database.countWithExpiry) keys with a TTL but \(database.count) keys, after \(ParsedRequests(commands: [command]).summary)")
            for key in keys {
                let expiry = database.expiry(of: key)
                let value = (try? database.string(of: key)) ?? nil
                invariant((expiry == .missing) == (value == nil),
                          "key \(shown(key)) has expiry \(expiry) but value \(value.map { shown($0) } ?? "nil"), after \(ParsedRequests(commands: [command]).summary)")
                if case .at(let deadline) = expiry {
                    invariant(deadline >= database.now,
                              "key \(shown(key)) is alive with deadline \(deadline) < now \(database.now)")
                }
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

// @chapter 8
/// `WATCH key [key ...]`: EXEC will run only if none of these keys changed
/// in between (it answers a null array otherwise). Not inside MULTI.
public struct Watch: Command {
    public static let name = "watch"
    public static let arity = -2
    public static let flags: CommandFlags = [.notQueued]

    /// The keys.
    package var keys: [[UInt8]]

    public init(parsing arguments: [[UInt8]]) {
        self.keys = Array(arguments.dropFirst())
    }

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        guard context.session.queuedCommands == nil else { throw CommandError("ERR WATCH inside MULTI is not allowed") }
        let already = context.session.watches
        let added = context.store.withDatabase { database -> [Database.Watch] in
            var added: [Database.Watch] = []
            for key in self.keys where !(already + added).contains(where: { $0.key == Database.Key(key) }) {
                added.append(database.watch(key))
            }
            return added
        }
        context.session.watches += added
        return .reply(.ok)
    }
}

/// `UNWATCH`: forgets every watched key. (Inside MULTI it is queued, as in
/// Redis; EXEC has forgotten them by then anyway.)
public struct Unwatch: Command {
    public static let name = "unwatch"
    public static let arity = 1

    public init(parsing arguments: [[UInt8]]) {}

    public func apply(to context: inout CommandContext) -> Outcome {
        context.unwatchAll()
        return .reply(.ok)
    }
}

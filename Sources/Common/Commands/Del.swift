// @chapter 5
/// `DEL key [key ...]`: deletes keys; replies with how many existed.
public struct Del: Command, Equatable {
    public static let name = "del"
    public static let arity = -2
    public static let flags: CommandFlags = [.write]

    /// The keys to delete (a key named twice counts once).
    package var keys: [[UInt8]]

    /// Parses `DEL key [key ...]`.
    public init(parsing arguments: [[UInt8]]) {
        self.keys = Array(arguments.dropFirst())
    }

    /// Deletes the keys under one lock.
    public func apply(to context: inout CommandContext) -> Outcome {
        .reply(.integer(context.store.withDatabase { database in
            self.keys.reduce(0) { count, key in count + (database.remove(key) ? 1 : 0) }
        }))
    }
}

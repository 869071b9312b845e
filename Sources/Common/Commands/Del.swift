/// `DEL key [key ...]`: deletes keys; replies with how many existed.
public struct Del: Sendable, Equatable {
    /// The keys to delete (a key named twice counts once).
    public var keys: [[UInt8]]

    /// Parses `DEL key [key ...]`.
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        guard arguments.count >= 2 else { throw .wrongArity("del") }
        self.keys = Array(arguments.dropFirst())
    }

    /// Deletes the keys under one lock.
    public func apply(to store: Store) -> RESPValue {
        .integer(store.withDatabase { database in
            self.keys.reduce(0) { count, key in count + (database.remove(key) ? 1 : 0) }
        })
    }
}

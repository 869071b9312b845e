/// `EXISTS key [key ...]`: how many of the named keys exist.
///
/// A key named twice is counted twice, as in Redis: `EXISTS a a` is 2.
public struct Exists: Sendable, Equatable {
    /// The keys to look for.
    public var keys: [[UInt8]]

    /// Parses `EXISTS key [key ...]`.
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        guard arguments.count >= 2 else { throw .wrongArity("exists") }
        self.keys = Array(arguments.dropFirst())
    }

    /// Counts the keys that exist.
    public func apply(to store: Store) -> RESPValue {
        .integer(store.withDatabase { database in
            self.keys.reduce(0) { count, key in count + (database.contains(key) ? 1 : 0) }
        })
    }
}

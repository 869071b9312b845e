/// `DBSIZE`: the number of keys.
public struct DBSize: Sendable, Equatable {
    /// Parses `DBSIZE` (no arguments).
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        guard arguments.count == 1 else { throw .wrongArity("dbsize") }
    }

    /// Counts the keys.
    public func apply(to store: Store) -> RESPValue {
        .integer(store.withDatabase { $0.count })
    }
}

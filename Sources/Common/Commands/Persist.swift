/// `PERSIST key`: removes a key's TTL. Replies `:1` if it had one.
public struct Persist: Sendable, Equatable {
    /// The key.
    public var key: [UInt8]

    /// Parses `PERSIST key`.
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        guard arguments.count == 2 else { throw .wrongArity("persist") }
        self.key = arguments[1]
    }

    /// Removes the TTL.
    public func apply(to store: Store) -> RESPValue {
        .integer(store.withDatabase { $0.removeExpiry(self.key) } ? 1 : 0)
    }
}

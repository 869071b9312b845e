/// `GET key`: the value of a key, or the null bulk string `$-1\r\n`.
public struct Get: Sendable, Equatable {
    /// The key to read.
    public var key: [UInt8]

    /// Parses `GET key`.
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        guard arguments.count == 2 else { throw .wrongArity("get") }
        self.key = arguments[1]
    }

    /// Reads the key. An expired key reads as missing (passive expiry).
    public func apply(to store: Store) -> RESPValue {
        let value = store.withDatabase { $0.value(of: self.key) }
        return value.map { .bulkString($0) } ?? .nullBulkString
    }
}

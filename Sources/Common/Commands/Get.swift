// @chapter 5
/// `GET key`: the value of a key, or the null bulk string `$-1\r\n`.
public struct Get: Command, Equatable {
    public static let name = "get"
    public static let arity = 2
    public static let flags: CommandFlags = [.readOnly]

    /// The key to read.
    package var key: [UInt8]

    /// Parses `GET key`.
    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
    }

    /// Reads the key: `WRONGTYPE` if it holds something other than a string.
    // @chapter 6 {
    /// An expired key reads as missing (passive expiry).
    // @}
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let value = try context.store.withDatabase { database throws(CommandError) in
            try database.string(of: self.key)
        }
        return .reply(value.map { .bulkString($0) } ?? .nullBulkString)
    }
}

// @chapter 6
/// `PERSIST key`: removes a key's TTL. Replies `:1` if it had one.
public struct Persist: Command, Equatable {
    public static let name = "persist"
    public static let arity = 2
    public static let flags: CommandFlags = [.write]

    /// The key.
    package var key: [UInt8]

    /// Parses `PERSIST key`.
    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
    }

    /// Removes the TTL.
    public func apply(to context: inout CommandContext) -> Outcome {
        .reply(.integer(context.store.withDatabase { $0.removeExpiry(self.key) } ? 1 : 0))
    }
}

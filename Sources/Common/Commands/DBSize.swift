// @chapter 5
/// `DBSIZE`: the number of keys.
public struct DBSize: Command, Equatable {
    public static let name = "dbsize"
    public static let arity = 1
    public static let flags: CommandFlags = [.readOnly]

    /// Parses `DBSIZE` (no arguments).
    public init(parsing arguments: [[UInt8]]) {}

    /// Counts the keys.
    public func apply(to context: inout CommandContext) -> Outcome {
        .reply(.integer(context.store.withDatabase { $0.count }))
    }
}

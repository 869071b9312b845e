// @chapter 5
/// `EXISTS key [key ...]`: how many of the named keys exist.
///
/// A key named twice is counted twice, as in Redis: `EXISTS a a` is 2.
public struct Exists: Command, Equatable {
    public static let name = "exists"
    public static let arity = -2
    public static let flags: CommandFlags = [.readOnly]

    /// The keys to look for.
    package var keys: [[UInt8]]

    /// Parses `EXISTS key [key ...]`.
    public init(parsing arguments: [[UInt8]]) {
        self.keys = Array(arguments.dropFirst())
    }

    /// Counts the keys that exist.
    public func apply(to context: inout CommandContext) -> Outcome {
        .reply(.integer(context.store.withDatabase { database in
            self.keys.reduce(0) { count, key in count + (database.contains(key) ? 1 : 0) }
        }))
    }
}

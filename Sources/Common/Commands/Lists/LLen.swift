// @chapter 7
/// `LLEN key`: the length of the list, 0 if there is none.
public struct LLen: Command {
    public static let name = "llen"
    public static let arity = 2
    public static let flags: CommandFlags = [.readOnly]

    /// The list.
    package var key: [UInt8]

    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
    }

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let list = try context.store.withDatabase { database throws(CommandError) in try database.list(of: self.key) }
        return .reply(.integer(list?.count ?? 0))
    }
}

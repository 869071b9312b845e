/// `TYPE key`: `+string` for a key that exists, `+none` otherwise.
///
/// Named `TypeCommand` because `Type` has a meaning in Swift. Our store
/// holds strings only; Redis also has lists, sets, hashes and more.
public struct TypeCommand: Sendable, Equatable {
    /// The key to describe.
    public var key: [UInt8]

    /// Parses `TYPE key`.
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        guard arguments.count == 2 else { throw .wrongArity("type") }
        self.key = arguments[1]
    }

    /// `+string` or `+none`.
    public func apply(to store: Store) -> RESPValue {
        store.withDatabase { $0.contains(self.key) } ? TypeCommand.string : TypeCommand.none
    }

    private static let string = RESPValue.simpleString(text: "string")
    private static let none = RESPValue.simpleString(text: "none")
}

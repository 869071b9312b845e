// @chapter 5
/// `TYPE key`: `+string` for a key that exists, `+none` otherwise.
///
/// Named `TypeCommand` because `Type` has a meaning in Swift. The answer
/// is the value's tag (`Value.typeName`): each type a later stage adds
/// answers for itself.
public struct TypeCommand: Command, Equatable {
    public static let name = "type"
    public static let arity = 2
    public static let flags: CommandFlags = [.readOnly]

    /// The key to describe.
    package var key: [UInt8]

    /// Parses `TYPE key`.
    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
    }

    /// `+string`, `+none`, or another type's name.
    public func apply(to context: inout CommandContext) -> Outcome {
        let value = context.store.withDatabase { $0.value(of: self.key) }
        return .reply(.simpleString(text: value?.typeName ?? "none"))
    }
}

// @chapter 5
/// A value in the keyspace, tagged with its type.
///
/// Redis keys hold values of several types: strings, lists, hashes, sets,
/// sorted sets. A command that works on one type must refuse a key of
/// another with `WRONGTYPE`, and `TYPE` reports the tag. Stage 5 has only
/// strings; each extension stage adds a case (lists arrive in stage 7).
///
/// An enum whose payloads are one reference each (an array buffer, a
/// class) is as small as the reference itself: Swift keeps the tag in the
/// pointer's spare bits, so the tag costs a key nothing.
public enum Value: Sendable {
    /// A binary-safe string (what SET stores).
    case string([UInt8])
    // @chapter 7 {
    /// A list of binary-safe strings, packed into chunks (`QuickList`).
    /// `indirect` keeps it in a box of its own, so that the enum stays one
    /// pointer wide: a `QuickList` is four words, and without the box every
    /// key of the dictionary, strings too, would pay for them.
    indirect case list(QuickList)
    // @}

    /// The type's name, as `TYPE` replies it.
    public var typeName: String {
        switch self {
        case .string: return "string"
        case .list: return "list" // @chapter 7
        }
    }
}

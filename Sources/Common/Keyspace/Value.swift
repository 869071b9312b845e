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
    /// It lives in a box of its own, so that the enum stays one pointer
    /// wide: a `QuickList` is four words, and without the box every key of
    /// the dictionary, strings too, would pay for them. The box is a class
    /// of ours, not an `indirect` case: a push edits the list inside it in
    /// place, where an `indirect` box (immutable) would be unpacked and a
    /// new one allocated on every push.
    case list(ListBox)
    // @}

    /// The type's name, as `TYPE` replies it.
    public var typeName: String {
        switch self {
        case .string: return "string"
        case .list: return "list" // @chapter 7
        }
    }
}
// @chapter 7 {

/// The box around a list in the keyspace (see `Value.list`).
///
/// A reference type inside a value type: every copy of the `Value` shares
/// the one box. That is safe because values are only ever changed through
/// `Database.modifyList`, under the store's lock, and no command keeps a
/// `Value` past its lock; readers copy the `QuickList` out (cheap: its
/// chunks are shared until a write).
public final class ListBox: @unchecked Sendable {
    /// The list itself.
    var list: QuickList

    init(_ list: QuickList) { self.list = list }
}
// @}

import Synchronization

/// What the server remembers about one connection between its commands.
///
/// Most commands are about keys, not connections. A few change the
/// connection itself: `HELLO 3` switches it to RESP3, `HELLO ... SETNAME`
/// names it. That state lives here, inside the client's own task.
public struct ClientSession: Sendable {
    /// The protocol version replies are encoded with.
    public var version: RESPVersion = .resp2
    /// A number unique to this connection, as in Redis's `CLIENT ID`.
    public let id: Int
    /// The name given with `HELLO ... SETNAME`, if any.
    public var name: [UInt8]?

    /// A new session with the next connection id.
    public init() {
        self.id = ClientSession.nextID.add(1, ordering: .relaxed).newValue
    }

    /// The last id handed out.
    private static let nextID = Atomic<Int>(0)
}

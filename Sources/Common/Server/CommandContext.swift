// @chapter 2
/// What a command runs against: the client's own session, and what every
/// client of the server shares.
///
/// The serve loop makes one context per client and passes it `inout` to
/// each command, so a command may change its own client's session (HELLO
/// switches it to RESP3) but, through `server`, only shared state that
/// guards itself (the keyspace's Mutex).
public struct CommandContext: Sendable {
    /// This client's connection state.
    package var session: ClientSession
    /// What all clients share.
    public let server: ServerState
    /// Where other clients' tasks may send this client messages (chapter 4;
    /// nil on the blocking servers of stages 1–3).
    package let outbox: Outbox? // @chapter 4
    // @chapter 7 {
    /// False where a blocking command must not wait (inside a transaction,
    /// from chapter 8): BLPOP then answers as if it had timed out.
    package var mayBlock = true
    // @}
    // @chapter 9 {
    /// True while EXEC runs the queue: a queued SUBSCRIBE's replies belong
    /// in EXEC's array, not in the outbox.
    package var runningTransaction = false
    // @}

    /// A context for a new client of `server`.
    public init(
        session: ClientSession = ClientSession(),
        server: ServerState,
        outbox: Outbox? = nil, // @chapter 4
    ) {
        self.session = session
        self.server = server
        self.outbox = outbox // @chapter 4
    }
    // @chapter 5 {

    /// The keyspace every client reads and writes.
    package var store: Store { self.server.store }
    // @}
}

// snippet: server-state
/// What all clients of one server share: its options and, from chapter 5
/// on, the keyspace. One instance per server, made before the first client.
public final class ServerState: Sendable {
    /// The command line the server started with.
    public let options: ServerOptions
    /// The keys and values (chapter 5).
    package let store: Store // @chapter 5
    // @chapter 9 {
    /// Every channel's and pattern's subscribers.
    package let pubsub = PubSubHub()
    // @}

    /// The shared state of a server started with `options`.
    public init(
        options: ServerOptions = ServerOptions(),
        store: Store = Store(), // @chapter 5
    ) {
        self.options = options
        self.store = store // @chapter 5
    }
}
// end-snippet

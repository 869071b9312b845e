// @chapter 2
import Synchronization

/// What the server remembers about one connection between its commands.
///
/// Most commands are about keys, not connections. A few change the
/// connection itself: `HELLO 3` switches it to RESP3, `HELLO ... SETNAME`
/// names it, MULTI starts a queue, SUBSCRIBE changes what it may send.
/// That state lives here, inside the client's own task: no lock needed.
public struct ClientSession: Sendable {
    /// The protocol version replies are encoded with.
    package var version: RESPVersion = .resp2
    /// A number unique to this connection, as in Redis's `CLIENT ID`.
    package let id: Int
    /// The name given with `HELLO ... SETNAME`, if any.
    public var name: [UInt8]?
    // @chapter 8 {
    // snippet: session-transaction
    /// The commands queued since MULTI, or nil outside a transaction.
    package var queuedCommands: [QueuedCommand]?
    /// True once a command was refused while queueing (unknown, wrong
    /// arity): EXEC then runs nothing and answers EXECABORT.
    package var transactionFailed = false
    /// The keys this client WATCHes, each with the version it saw.
    package var watches: [Database.Watch] = []

    /// Inside MULTI, a command refused before it could be queued poisons
    /// the transaction, as in Redis: its error now, EXECABORT at EXEC.
    package mutating func refusedWhileQueueing() {
        if self.queuedCommands != nil { self.transactionFailed = true }
    }
    // end-snippet
    // @}
    // @chapter 9 {
    /// How many channels and patterns this client is subscribed to.
    package var subscriptionCount = 0
    /// True in subscribed mode, where RESP2 allows only a few commands.
    package var isSubscribed: Bool { self.subscriptionCount > 0 }
    // @}

    /// A new session with the next connection id.
    public init() {
        self.id = ClientSession.nextID.add(1, ordering: .relaxed).newValue
    }

    /// The last id handed out.
    private static let nextID = Atomic<Int>(0)
}
// @chapter 8 {

// snippet: queued-command
/// A command waiting in a transaction's queue: its raw arguments, and the
/// command they were found to name when they were queued. The name and
/// the number of arguments were checked then, so EXEC runs the command
/// without looking it up again, as Redis keeps each queued command's
/// table entry.
package struct QueuedCommand: Sendable {
    /// What the name named.
    let command: any Command.Type
    /// The request as it arrived, name first: parsed when EXEC runs it.
    let arguments: [[UInt8]]

    /// Parses the arguments and applies the command; an error is its reply.
    func run(in context: inout CommandContext) -> Outcome {
        do {
            return try self.command.run(self.arguments, in: &context)
        } catch {
            return .reply(error.reply)
        }
    }
}
// end-snippet
// @}

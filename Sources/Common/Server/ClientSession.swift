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
    package var queuedCommands: TransactionQueue?
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

// snippet: transaction-queue
/// The commands a transaction has queued, in order: for each, the
/// command its name was found to name, and its arguments. The name and
/// the number of arguments were checked when it was queued, so EXEC runs
/// the command without looking it up again, as Redis keeps each queued
/// command's table entry.
///
/// The arguments are copied into one buffer, not kept as the parser's
/// arrays. Kept, a queued `INCR counter` would cost three allocations
/// and three frees (its array and its two words), and would leave the
/// parser no arrays to refill for the next command (see
/// `storeArgument(_:at:)`). EXEC unpacks each command's arguments into one
/// array, refilled from command to command in the same way. A long
/// argument is kept as it came: a second copy of a big value would cost
/// more than its allocation saves.
package struct TransactionQueue: Sendable {
    /// Each command, with where its words end in `words`.
    private var commands: [(command: any Command.Type, wordsEnd: Int)] = []
    /// Each word: where its bytes end in `bytes`; or, for a long word,
    /// `-1 - i`, where `i` is its place in `longWords`.
    private var words: [Int] = []
    /// The short words, back to back.
    private var bytes: [UInt8] = []
    /// The words longer than `refillLimit`, as they came.
    private var longWords: [[UInt8]] = []

    /// An empty queue, with room for a typical transaction: queueing it
    /// does not grow the arrays again and again.
    init() {
        self.commands.reserveCapacity(16)
        self.words.reserveCapacity(64)
        self.bytes.reserveCapacity(1024)
    }

    /// How many commands are queued.
    package var count: Int { self.commands.count }

    /// Queues `command` with a copy of its `arguments`, name first.
    mutating func append(_ command: any Command.Type, arguments: [[UInt8]]) {
        for word in arguments {
            if word.count > [[UInt8]].refillLimit {
                self.words.append(-1 - self.longWords.count)
                self.longWords.append(word)
            } else {
                self.bytes.append(contentsOf: word)
                self.words.append(self.bytes.count)
            }
        }
        self.commands.append((command, self.words.count))
    }

    /// Runs the queued commands in order, each parsed from its arguments
    /// and applied, and hands each one's outcome to `body`. A command
    /// that fails to parse (a bad option, say) has its error as its
    /// outcome; the others still run.
    func run(in context: inout CommandContext, _ body: (Outcome, inout CommandContext) -> Void) {
        var arguments: [[UInt8]] = []
        var word = 0
        var start = 0
        self.bytes.withUnsafeBufferPointer { bytes in
            for queued in self.commands {
                var index = 0
                while word < queued.wordsEnd {
                    let end = self.words[word]
                    if end < 0 {
                        let long = self.longWords[-1 - end]
                        if index < arguments.count { arguments[index] = long } else { arguments.append(long) }
                    } else {
                        arguments.storeArgument(UnsafeBufferPointer(rebasing: bytes[start..<end]), at: index)
                        start = end
                    }
                    index += 1
                    word += 1
                }
                if arguments.count > index { arguments.removeLast(arguments.count - index) }
                let outcome: Outcome
                do throws(CommandError) {
                    outcome = try queued.command.run(arguments, in: &context)
                } catch {
                    outcome = .reply(error.reply)
                }
                body(outcome, &context)
            }
        }
    }
}
// end-snippet
// @}

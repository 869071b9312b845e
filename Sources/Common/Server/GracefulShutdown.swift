// @chapter 4
import Dispatch
import Synchronization

/// Graceful shutdown on Ctrl-C (SIGINT) or `kill` (SIGTERM), for the
/// servers that run on a `Reactor` (stages 4 and up).
///
/// Killing a server outright cuts off replies it has already computed and
/// leaves clients to find out from a reset connection. Instead, on a signal:
///
/// 1. the reactor begins its shutdown: the accept loop and every idle
///    client wake up and end (`accept` returns nil and closes the
///    listening socket; `read` returns 0 as if the client hung up);
/// 2. a client whose reply is still being written keeps its task until the
///    reply is out, then ends the same way;
/// 3. when the last client task has ended, the server calls `finish()`,
///    which prints one line; the stage's `main` then ends, with status 0.
///
/// A client that never reads its reply must not hold the server hostage,
/// so a deadline of 0.9 s (inside the one second this server promises to
/// exit within) ends the process anyway (`exitsAtDeadline`; a server inside
/// a test process instead waits for its clients).
///
/// Signals are received on a Dispatch queue, not in a C signal handler: a
/// C handler may only call async-signal-safe functions, and taking a lock
/// or printing is not among them.
final class GracefulShutdown: Sendable {
    /// The longest a shutdown waits for clients to finish their replies.
    static let deadline: DispatchTimeInterval = .milliseconds(900)

    /// The reactor whose tasks are told to end.
    private let reactor: Reactor
    /// The listener, for the number of clients still connected.
    private let listener: AsyncListener
    /// The signal that started the shutdown ("SIGINT"), once there is one.
    private let signalName = Lock<String?>(nil)
    /// Set by the first of `finish()` and the deadline: one line, one exit.
    private let finished = Atomic<Bool>(false)
    /// Clients connected when the signal came.
    private let clientsAtSignal = Atomic<Int>(0)
    /// The signal sources. Dispatch delivers signals only while they live.
    /// (A Mutex makes them Sendable: they are only ever touched in `init`.)
    private let sources: Mutex<[any DispatchSourceSignal]>
    /// Whether the deadline ends the process (a stage's binary).
    private let exitsAtDeadline: Bool

    /// A shutdown of the server that `reactor` and `listener` run. Keep it
    /// alive for as long as the server runs.
    init(reactor: Reactor, listener: AsyncListener, exitsAtDeadline: Bool) {
        self.reactor = reactor
        self.listener = listener
        self.exitsAtDeadline = exitsAtDeadline
        self.sources = Mutex([])
    }

    /// Begins the shutdown on the first SIGINT or SIGTERM.
    func handleSignals() {
        self.sources.withLock { sources in
            for stop in Platform.stopSignals {
                // The default action (die at once) must go, or Dispatch never sees it.
                Platform.ignoreSignal(stop.number)
                let source = DispatchSource.makeSignalSource(signal: stop.number, queue: .global())
                source.setEventHandler { [self] in self.begin(signal: stop.name) }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// The first signal begins the shutdown; a second one changes nothing
    /// (the deadline is already running).
    func begin(signal name: String) {
        let first = self.signalName.withLock { current -> Bool in
            guard current == nil else { return false }
            current = name
            return true
        }
        guard first else { return }
        self.clientsAtSignal.store(self.listener.clientCount, ordering: .relaxed)
        self.reactor.beginShutdown()
        guard self.exitsAtDeadline else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + GracefulShutdown.deadline) { [self] in
            self.finish()
            Platform.exit(0)
        }
    }

    /// Prints the one line that says how the shutdown went. Called by the
    /// server when its clients are done, or by the deadline; the second
    /// caller waits for the first to exit the process.
    func finish() {
        if self.finished.exchange(true, ordering: .acquiringAndReleasing) {
            guard self.exitsAtDeadline else { return }
            let never = DispatchSemaphore(value: 0)
            while true { never.wait() }
        }
        let name = self.signalName.withLock { $0 } ?? "request"
        let closed = self.clientsAtSignal.load(ordering: .relaxed)
        let left = self.listener.clientCount
        if left == 0 {
            log("\(name): stopped accepting, closed \(closed) client\(closed == 1 ? "" : "s"), bye.")
        } else {
            log("\(name): stopped accepting; \(left) of \(closed) clients did not take their replies within 0.9 s and were cut off; bye.")
        }
    }
}

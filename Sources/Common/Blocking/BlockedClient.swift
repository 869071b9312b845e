// @chapter 7
import Dispatch
import Synchronization

/// What a blocked client does with the first list that appears on one of
/// its keys: the rest of its command, postponed.
package enum BlockingOperation: Sendable {
    /// BLPOP, BRPOP: pop one element; the reply is `[key, element]`.
    case pop(ListEnd)
    /// BLMPOP: pop up to `count`; the reply is `[key, [elements]]`.
    case popMany(ListEnd, count: Int)
    /// BLMOVE, BRPOPLPUSH: move one element to `destination`; the reply is
    /// the element.
    case move(ListEnd, destination: [UInt8], ListEnd)
}

// snippet: blocked-client
/// A client waiting in BLPOP & co. for a list to appear on one of its
/// keys, or for its timeout.
///
/// No thread waits. The client's serve loop is parked in its socket read
/// (so it still notices a hang-up); the blocked client sits in the wait
/// queues of its keys, inside the keyspace. Three things can end the wait,
/// and the keyspace's lock decides which one comes first:
///
/// - a push: the pushing command, before it releases the lock, pops the
///   element *for* this client and leaves the reply here (`serve`);
/// - the timeout: a timer takes the lock and leaves a null reply;
/// - the client leaves (it hung up, or the server is shutting down): its
///   serve loop calls `cancel`, and nothing is popped for it.
///
/// Whichever comes first removes the client from every queue, so the other
/// two find it gone. The serve loop is then woken through the client's
/// outbox, takes the reply with `takeResult`, and goes on with the
/// commands the client pipelined behind the blocking one.
package final class BlockedClient: Suspension {
    /// The keys, in the order the command named them: the first that has
    /// a list is the one served.
    package let keys: [[UInt8]]
    /// What to do with that list.
    package let operation: BlockingOperation
    /// The keyspace whose queues hold this client.
    private let store: Store
    /// The client's outbox: only its wake-up is used.
    private let outbox: Outbox
    /// Where the wait stands; read by the serve loop, changed under the
    /// keyspace's lock.
    private let state = Mutex(State.waiting(timer: nil))

    /// Where a wait stands.
    private enum State {
        /// Still waiting, with the timer that will end the wait (if any).
        case waiting(timer: Timer?)
        /// Over: served or timed out; the reply waits for the serve loop.
        case done(RESPValue)
        /// Over and the reply taken, or cancelled.
        case finished
    }
    // end-snippet

    /// A Dispatch timer, which is thread-safe (Dispatch documents its
    /// sources as usable from any thread) but not marked `Sendable`.
    struct Timer: @unchecked Sendable {
        let source: any DispatchSourceTimer
    }

    /// A client that will wait on `keys` of `store` to do `operation`.
    package init(keys: [[UInt8]], operation: BlockingOperation, store: Store, outbox: Outbox) {
        self.keys = keys
        self.operation = operation
        self.store = store
        self.outbox = outbox
    }

    /// True while the client waits (and is in the queues).
    var isWaiting: Bool {
        self.state.withLock { state in
            if case .waiting = state { return true }
            return false
        }
    }

    /// Arms the timeout: at `deadline`, unless served first, the client
    /// gets a null array. Called once, right after the client is queued.
    ///
    /// The timer is a Dispatch timer, not a sleeping Swift task: the tasks
    /// of Swift's cooperative pool may all be busy (a test that blocks its
    /// thread, a slow command), and a timeout must not wait for one of them
    /// to be free. A leeway of one millisecond keeps it punctual.
    func startTimer(after timeout: Duration) {
        let timer = DispatchSource.makeTimerSource(queue: BlockedClient.timerQueue)
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        timer.schedule(deadline: .now() + .nanoseconds(Int(clamping: nanoseconds)), leeway: .milliseconds(1))
        timer.setEventHandler { [self] in
            self.store.withDatabase { database in
                guard self.isWaiting else { return }
                database.waiting.remove(self)
                self.finish(with: .nullArray)
            }
        }
        let armed = self.state.withLock { state -> Bool in
            guard case .waiting = state else { return false }
            state = .waiting(timer: Timer(source: timer))
            return true
        }
        if armed { timer.resume() }
    }

    /// Where every blocked client's timer fires: one serial queue, off
    /// Swift's cooperative pool.
    private static let timerQueue = DispatchQueue(label: "blocked-client-timeouts")

    /// Ends the wait with `reply` and wakes the serve loop. Called under
    /// the keyspace's lock, after the client left every queue.
    func finish(with reply: RESPValue) {
        let timer = self.state.withLock { state -> Timer? in
            guard case .waiting(let timer) = state else { return nil }
            state = .done(reply)
            return timer
        }
        timer?.source.cancel()
        self.outbox.wakeOwner()
    }

    /// The reply, once the wait is over; nil while it lasts.
    package func takeResult() -> Outcome? {
        self.state.withLock { state -> Outcome? in
            guard case .done(let reply) = state else { return nil }
            state = .finished
            return .reply(reply)
        }
    }

    // snippet: blocked-cancel
    /// The client left while waiting: take it out of the queues. If a push
    /// served it in the instant before (its reply not yet taken), give the
    /// popped elements back to the list they came from, so that no element
    /// goes to a client that will never read it.
    package func cancel() {
        self.store.withDatabase { database in
            let state = self.state.withLock { state -> State in
                defer { state = .finished }
                return state
            }
            switch state {
            case .waiting(let timer):
                timer?.source.cancel()
                database.waiting.remove(self)
            case .done(let reply):
                database.giveBack(reply, of: self.operation)
            case .finished:
                break
            }
        }
    }
    // end-snippet
}

// @chapter 4
import Foundation
import Synchronization

/// An event loop on its own thread that tells tasks when their sockets are
/// ready, and that can also *run* those tasks.
///
/// This is chapter 4's core, and the same idea as Go's netpoller:
///
/// 1. Sockets are non-blocking. A task calls `recv`; if no data is there the
///    call fails with `EAGAIN` instead of putting the thread to sleep.
/// 2. The task then suspends in `waitUntilReadable(fd)`, which stores its
///    continuation next to the descriptor. No thread is held.
/// 3. The reactor thread sleeps in `epoll_wait` (or `poll`) on all sockets.
///    When the kernel reports a socket ready, the reactor resumes the task
///    that waits on it, and the task calls `recv` again.
///
/// The reactor is also a `TaskExecutor`. Tasks started with it as their
/// executor preference run *on the reactor thread*, between two waits. A
/// wake-up then costs no hop to another thread: the reactor resumes the
/// task, runs it until it waits again, and goes back to `epoll_wait`. That
/// is the shape of Redis's own single-threaded loop, written as tasks.
public final class Reactor: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: state shared across threads sits in the Mutexes
    // and the Atomic below. Of the two `nonisolated(unsafe)` properties,
    // `local` is only touched on the reactor thread, and `threadID` is
    // written once, before `start()` returns, and only read after that.

    /// Which readiness API a reactor uses.
    public enum Backend: String, Sendable, CaseIterable {
        /// Linux's edge-triggered epoll: the fast one.
        case epoll
        /// Portable poll(2): the macOS backend, also testable on Linux.
        case poll

        /// The best backend on this platform: epoll on Linux, poll elsewhere.
        public static var platformDefault: Backend {
            #if os(Linux)
            return .epoll
            #else
            return .poll
            #endif
        }
    }

    /// Who waits on one descriptor, and what the kernel reported meanwhile.
    /// A continuation resumes with true when the kernel reported the
    /// descriptor ready (or a shutdown began), and with false when only the
    /// task's outbox woke it (`wakeReader`): then the socket itself is as
    /// empty as it was, and the task need not try a `recv` to find out.
    private struct Waiters {
        var reader: UnsafeContinuation<Bool, Never>?
        var writer: UnsafeContinuation<Bool, Never>?
        /// Readiness reported while nobody waited (edge-triggered backends
        /// report each change once, so it must not be forgotten).
        var readable = false
        var writable = false
        /// A `wakeReader` while nobody waited: the next read wait returns.
        var woken = false
    }

    /// The backend in use.
    package let backend: Backend
    /// The kernel interface. Used on the reactor thread only, except `wake()`.
    private let readiness: any ReadinessBackend
    /// Waiters, indexed by descriptor number.
    private let waiters = Lock<[Waiters]>([])
    /// Jobs enqueued from other threads, to run on the reactor thread.
    private let incoming = Lock<[UnownedJob]>([])
    /// True while the reactor thread is (about to be) blocked in the kernel:
    /// only then does an enqueue from another thread need to wake it.
    private let sleeping = Atomic<Bool>(false)
    /// Set once by `beginShutdown()`; from then on no read waits.
    private let shuttingDown = Atomic<Bool>(false)
    /// Jobs enqueued by the reactor thread itself: no lock needed.
    nonisolated(unsafe) private var local: [UnownedJob] = []
    /// The reactor thread's identity, set when it starts.
    nonisolated(unsafe) private var threadID: UInt = 0
    /// Where tasks preferring this executor run: `.reactorThread` (the
    /// default), or `.globalPool` to measure the design in which every
    /// wake-up hops to another thread (`REACTOR_TASKS=pool`).
    package let taskPlacement: TaskPlacement

    /// Where the tasks that prefer this executor run.
    public enum TaskPlacement: String, Sendable {
        /// On the reactor thread, between two waits: no thread hops.
        case reactorThread = "reactor"
        /// On Swift's global concurrent pool: each resume hops threads.
        case globalPool = "pool"
    }

    /// Creates a reactor; call `start()` to run its thread. (The stages
    /// take both choices from `ServerOptions`, which reads them from the
    /// environment: REACTOR_BACKEND and REACTOR_TASKS.)
    public init(backend: Backend = .platformDefault, taskPlacement: TaskPlacement = .reactorThread) {
        self.backend = backend
        self.taskPlacement = taskPlacement
        do {
            switch backend {
            case .poll:
                self.readiness = try PollBackend()
            case .epoll:
                #if os(Linux)
                self.readiness = try EpollBackend()
                #else
                fail("The epoll backend exists on Linux only; use REACTOR_BACKEND=poll.")
                #endif
            }
        } catch {
            fail("Could not create the \(backend) reactor: \(error)")
        }
    }

    /// Starts the reactor thread. It runs for the life of the process.
    package func start() {
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            self.threadID = Platform.currentThreadID()
            ready.signal()
            self.run()
        }
        thread.name = "reactor"
        thread.start()
        ready.wait()
    }

    /// True on the reactor thread.
    private var isOnReactorThread: Bool {
        Platform.currentThreadID() == self.threadID
    }

    // MARK: - Sockets

    /// Starts watching a new non-blocking descriptor.
    package func register(_ fd: Int32) throws {
        self.waiters.withLock { table in
            if Int(fd) >= table.count {
                table.append(contentsOf: repeatElement(Waiters(), count: Int(fd) + 1 - table.count + 64))
            }
            table[Int(fd)] = Waiters()
        }
        try self.readiness.register(fd)
    }

    /// Stops watching a descriptor; call before closing it. Nobody may be
    /// waiting on it (its only task is the one closing it).
    package func unregister(_ fd: Int32) {
        self.readiness.unregister(fd)
        self.waiters.withLock { table in
            if Int(fd) < table.count { table[Int(fd)] = Waiters() }
        }
    }

    /// Suspends the calling task until `fd` is readable (or hung up), or
    /// until `wakeReader(fd)`. Returns true in the first case, false when
    /// only `wakeReader` ended the wait (the socket may still be empty).
    @discardableResult
    package func waitUntilReadable(_ fd: Int32) async -> Bool {
        await self.wait(for: fd, reading: true)
    }

    /// Suspends the calling task until `fd` is writable (or failed).
    package func waitUntilWritable(_ fd: Int32) async {
        _ = await self.wait(for: fd, reading: false)
    }

    // snippet: wait
    /// Parks the task's continuation next to `fd`, unless the kernel already
    /// said the descriptor is ready, in which case the task goes on at once.
    private func wait(for fd: Int32, reading: Bool) async -> Bool {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Bool, Never>) in
            // nil: parked; else what the wait returns at once.
            let alreadyReady = self.waiters.withLock { table -> Bool? in
                if reading {
                    // Shutting down: readers wait no more (checked under the
                    // lock that `beginShutdown` takes, so no reader slips by).
                    if self.shuttingDown.load(ordering: .relaxed) { return true }
                    if table[Int(fd)].readable {
                        table[Int(fd)].readable = false
                        table[Int(fd)].woken = false
                        return true
                    }
                    if table[Int(fd)].woken { table[Int(fd)].woken = false; return false }
                    table[Int(fd)].reader = continuation
                } else {
                    if table[Int(fd)].writable { table[Int(fd)].writable = false; return true }
                    table[Int(fd)].writer = continuation
                }
                return nil
            }
            if let alreadyReady {
                continuation.resume(returning: alreadyReady)
            } else if self.readiness.needsInterestList && !self.isOnReactorThread {
                // poll() is watching an old list: make it start over with ours.
                self.readiness.wake()
            }
        }
    }
    // end-snippet

    /// Wakes the task waiting to read `fd`, if any, or else makes its next
    /// wait return at once: another task has sent it something to write
    /// (its `Outbox`). The wait returns false: the socket was not reported
    /// readable, so a subscriber woken for a message writes it without a
    /// `recv` that would only fail with EAGAIN.
    package func wakeReader(_ fd: Int32) {
        let reader = self.waiters.withLock { table -> UnsafeContinuation<Bool, Never>? in
            guard Int(fd) < table.count else { return nil }
            if let reader = table[Int(fd)].reader {
                table[Int(fd)].reader = nil
                return reader
            }
            table[Int(fd)].woken = true
            return nil
        }
        if let reader {
            reader.resume(returning: false)
        } else if self.readiness.needsInterestList && !self.isOnReactorThread {
            self.readiness.wake()
        }
    }

    // MARK: - Shutdown

    /// True once `beginShutdown()` has been called.
    package var isShuttingDown: Bool {
        self.shuttingDown.load(ordering: .relaxed)
    }

    // snippet: begin-shutdown
    /// Starts a graceful shutdown: every task parked waiting to *read* (the
    /// accept loop and idle clients) resumes now, and no read waits from
    /// here on, so each one sees `isShuttingDown` and ends. Tasks waiting to
    /// *write* keep waiting: a reply already computed still goes out.
    /// Safe to call from any thread, such as a signal handler's queue.
    package func beginShutdown() {
        let readers = self.waiters.withLock { table -> [UnsafeContinuation<Bool, Never>] in
            self.shuttingDown.store(true, ordering: .relaxed)
            var readers: [UnsafeContinuation<Bool, Never>] = []
            for fd in table.indices {
                if let reader = table[fd].reader {
                    readers.append(reader)
                    table[fd].reader = nil
                }
            }
            return readers
        }
        // Resuming enqueues each task on this reactor, which wakes up for it.
        for reader in readers { reader.resume(returning: true) }
    }
    // end-snippet

    // MARK: - Executor

    // snippet: enqueue
    /// Runs `job` on the reactor thread (part of `TaskExecutor`).
    public func enqueue(_ job: consuming ExecutorJob) {
        if self.taskPlacement == .globalPool {
            globalConcurrentExecutor.enqueue(job)
            return
        }
        let job = UnownedJob(job)
        if self.isOnReactorThread {
            self.local.append(job)
            return
        }
        self.incoming.withLock { $0.append(job) }
        if self.sleeping.load(ordering: .sequentiallyConsistent) {
            self.readiness.wake()
        }
    }
    // end-snippet

    // MARK: - The loop

    /// The reactor thread: run ready tasks, then wait for sockets, forever.
    private func run() {
        var events: [ReadyEvent] = []
        var interests: [Interest] = []
        var resumable: [UnsafeContinuation<Bool, Never>] = []
        var running: [UnownedJob] = []
        while true {
            // 1. Run every task that is ready to run. A task runs until its
            //    next `await` on a socket, then yields the thread back here.
            self.incoming.withLock { queue in
                self.local.append(contentsOf: queue)
                queue.removeAll(keepingCapacity: true)
            }
            while !self.local.isEmpty {
                swap(&running, &self.local)
                for job in running {
                    job.runSynchronously(on: self.asUnownedTaskExecutor())
                }
                running.removeAll(keepingCapacity: true)
            }

            // snippet: loop-wait
            // 2. Wait for the kernel. Announce the sleep first, then look for
            //    jobs once more: an enqueue that raced with us either sees
            //    `sleeping` and wakes us, or is seen here.
            self.sleeping.store(true, ordering: .sequentiallyConsistent)
            let hasWork = self.incoming.withLock { !$0.isEmpty }
            if self.readiness.needsInterestList {
                interests.removeAll(keepingCapacity: true)
                self.waiters.withLock { table in
                    for fd in table.indices where table[fd].reader != nil || table[fd].writer != nil {
                        interests.append(Interest(fd: Int32(fd), read: table[fd].reader != nil, write: table[fd].writer != nil))
                    }
                }
            }
            events.removeAll(keepingCapacity: true)
            self.readiness.wait(interests: interests, timeoutMilliseconds: hasWork ? 0 : -1, into: &events)
            self.sleeping.store(false, ordering: .sequentiallyConsistent)
            // end-snippet

            // 3. Hand each ready socket to the task waiting on it, or note the
            //    readiness for the next task that asks.
            self.waiters.withLock { table in
                for event in events where Int(event.fd) < table.count {
                    let fd = Int(event.fd)
                    if event.readable {
                        if let reader = table[fd].reader {
                            resumable.append(reader)
                            table[fd].reader = nil
                        } else {
                            table[fd].readable = true
                        }
                    }
                    if event.writable {
                        if let writer = table[fd].writer {
                            resumable.append(writer)
                            table[fd].writer = nil
                        } else {
                            table[fd].writable = true
                        }
                    }
                }
            }
            // Resuming a task enqueues it: here, onto `local`, for step 1.
            for continuation in resumable { continuation.resume(returning: true) }
            resumable.removeAll(keepingCapacity: true)
        }
    }
}

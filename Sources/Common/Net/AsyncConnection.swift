// @chapter 4
import Synchronization

/// One connected client on a `Reactor`: reads and writes that suspend the
/// task, never the thread.
///
/// The socket is non-blocking. A read first just tries `recv`; only when
/// the kernel says `EAGAIN` ("nothing yet") does the task suspend until the
/// reactor reports the socket readable, and then it tries again.
public final class AsyncConnection: Sendable {
    /// The connected, non-blocking descriptor.
    package let fd: Int32
    /// Who is on the other end.
    public let peer: SocketAddress
    /// The reactor that watches this socket.
    let reactor: Reactor
    /// Set by the first `close()`, so that a second one does nothing.
    private let closed = Atomic<Bool>(false)
    /// The listener's count of open connections, decreased on close.
    private let openConnections: ConnectionCount?
    /// What other tasks send to this client (pub/sub messages, ...). A send
    /// wakes this client's task if it is waiting to read; a client that
    /// falls too far behind has its socket shut down, which ends its task.
    package let outbox: Outbox

    /// Takes over an accepted descriptor: makes it non-blocking and
    /// registers it with the reactor.
    init(fd: Int32, peer: SocketAddress, reactor: Reactor, openConnections: ConnectionCount? = nil,
         outboxLimit: Int = 32 * 1024 * 1024) throws {
        self.fd = fd
        self.peer = peer
        self.reactor = reactor
        self.openConnections = openConnections
        self.outbox = Outbox(limit: outboxLimit, wake: { [reactor] in reactor.wakeReader(fd) },
                             overflow: {
                                 // @chapter 9 {
                                 // Redis logs the same, in its own words.
                                 log("Client addr=\(peer) closed for overcoming of output buffer limits.")
                                 // @}
                                 Platform.shutdown(fd)
                             })
        _ = Platform.setNonBlocking(fd)
        Platform.setNoDelay(fd)
        try reactor.register(fd)
    }

    /// How many bytes one read asks the kernel for.
    package static let readSize = 16 * 1024

    /// What a read brought.
    public enum ReadResult: Equatable, Sendable {
        /// This many bytes, now in the parser.
        case received(Int)
        /// The client hung up, or the server is shutting down.
        case hungUp
        /// Nothing read: another task sent this client something (see
        /// `outbox`), to be written now.
        case outboxReady
    }

    // snippet: read
    /// Reads what has arrived (at most `readSize` bytes) and appends it to
    /// `parser`, or returns early when the outbox has something to send.
    ///
    /// The bytes land in a buffer on the thread's stack (see `receive`), so
    /// an idle connection holds no read buffer at all.
    ///
    /// `waitingFirst`: wait for readiness before trying. After a read that
    /// returned less than `readSize`, the socket is empty, so trying again
    /// at once would only cost a `recv` that fails with EAGAIN.
    package func read(appendingTo parser: inout RequestParser, waitingFirst: Bool = false) async throws -> ReadResult {
        if waitingFirst, let woken = await self.waitForReadiness() { return woken }
        while true {
            // A graceful shutdown has begun: read as if the client hung up.
            if self.reactor.isShuttingDown { return .hungUp }
            let (count, readErrno) = AsyncConnection.receive(self.fd, appendingTo: &parser)
            if count > 0 { return .received(count) }
            if count == 0 { return .hungUp }
            switch readErrno {
            case Platform.Errno.again, Platform.Errno.wouldBlock:
                // Nothing to read. Messages from other clients go out now;
                // looking only here (not before `recv`) means a stream of
                // messages can never keep this client's own commands unread.
                if self.outbox.hasPending { return .outboxReady }
                // Park this task until the reactor says the socket is
                // readable, or the outbox wakes it. The thread moves on.
                if let woken = await self.waitForReadiness() { return woken }
            case Platform.Errno.interrupted:
                continue
            case Platform.Errno.connectionReset:
                return .hungUp
            default:
                throw SocketError("recv", errno: readErrno)
            }
        }
    }
    // end-snippet

    /// Waits until the reactor reports the socket readable (nil: try
    /// `recv`), or until the outbox has bytes for the client
    /// (`.outboxReady`: the socket was not reported readable, so a `recv`
    /// would only fail; a subscriber woken by every message must not pay a
    /// system call for nothing each time).
    private func waitForReadiness() async -> ReadResult? {
        while await !self.reactor.waitUntilReadable(self.fd) {
            if self.outbox.hasPending { return .outboxReady }
            // Woken for nothing (its sender drained it already): wait again.
        }
        return nil
    }

    /// One `recv` into a scratch buffer, appended to `parser`; returns the
    /// count and errno.
    ///
    /// This is deliberately a separate, synchronous function. Inside an
    /// `async` function, a temporary allocation comes from the *task's*
    /// allocator, which keeps the memory until the task ends: 16 KB per
    /// client, idle or not. A synchronous function's frame lives on the
    /// thread's stack and is gone when it returns.
    @inline(never)
    static func receive(_ fd: Int32, appendingTo parser: inout RequestParser) -> (Int, Int32) {
        withUnsafeTemporaryAllocation(byteCount: AsyncConnection.readSize, alignment: 1) { buffer in
            let (count, readErrno) = Platform.recv(fd, buffer.baseAddress!, buffer.count)
            if count > 0 { parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
            return (count, readErrno)
        }
    }

    /// Writes all of `bytes`, suspending while the kernel's send buffer is
    /// full (a slow reader, or a very large reply).
    package func write(_ bytes: [UInt8]) async throws {
        var offset = 0
        while offset < bytes.count {
            let (sent, sendErrno) = bytes.withUnsafeBytes { raw in
                Platform.send(self.fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if sent >= 0 {
                offset += sent
                continue
            }
            switch sendErrno {
            case Platform.Errno.again, Platform.Errno.wouldBlock:
                await self.reactor.waitUntilWritable(self.fd)
            case Platform.Errno.interrupted:
                continue
            default:
                throw SocketError("send", errno: sendErrno)
            }
        }
    }

    /// Stops watching the socket and closes it. Safe to call twice.
    public func close() {
        guard !self.closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        self.outbox.close()
        self.reactor.unregister(self.fd)
        Platform.close(self.fd)
        self.openConnections?.value.subtract(1, ordering: .relaxed)
    }
}

/// How many clients a listener has open right now, shared with the
/// connections so that each one can count itself out when it closes.
final class ConnectionCount: Sendable {
    /// The count.
    let value = Atomic<Int>(0)
}

extension AsyncListener {
    /// `-ERR max number of clients reached\r\n`, Redis's text.
    static let tooManyClients = Array("-ERR max number of clients reached\r\n".utf8)

    /// Sends the "too many clients" error to a fresh descriptor and closes it.
    static func refuse(_ fd: Int32) {
        _ = Platform.setNonBlocking(fd)
        _ = tooManyClients.withUnsafeBytes { Platform.send(fd, $0.baseAddress!, $0.count) }
        Platform.close(fd)
    }
}

/// A listening socket on a `Reactor`: `accept()` suspends the task until a
/// client connects.
public final class AsyncListener: Sendable {
    /// The underlying listener, made non-blocking.
    private let listener: TCPListener
    /// The reactor that watches the listening socket.
    private let reactor: Reactor
    /// The most clients open at once (Redis's `maxclients`).
    private let maxClients: Int
    /// How many are open now.
    private let openConnections = ConnectionCount()
    /// The most bytes other tasks may queue for one client (its `Outbox`).
    private let outboxLimit: Int
    /// Set when the listening socket is closed, so it is closed only once.
    private let closed = Atomic<Bool>(false)

    /// Binds and listens on `host:port`, watched by `reactor`, serving at
    /// most `maxClients` clients at once.
    public init(host: String, port: Int, reactor: Reactor, maxClients: Int = 10_000,
                outboxLimit: Int = 32 * 1024 * 1024) throws {
        self.listener = try TCPListener(host: host, port: port)
        self.reactor = reactor
        self.maxClients = maxClients
        self.outboxLimit = outboxLimit
        _ = Platform.setNonBlocking(self.listener.fd)
        try reactor.register(self.listener.fd)
    }

    /// Where the listener is bound (with the real port when asked for 0).
    public var address: SocketAddress { self.listener.address }

    /// How many clients are connected now.
    package var clientCount: Int { self.openConnections.value.load(ordering: .relaxed) }

    /// Waits for the next client and returns its connection, or nil once the
    /// reactor is shutting down: then the listening socket is closed, so
    /// the kernel refuses new clients instead of queueing them.
    public func accept() async throws -> AsyncConnection? {
        while true {
            if self.reactor.isShuttingDown {
                if !self.closed.exchange(true, ordering: .acquiringAndReleasing) {
                    self.reactor.unregister(self.listener.fd)
                    self.listener.close()
                }
                return nil
            }
            let (fd, acceptErrno, peer) = Platform.accept(self.listener.fd)
            if fd >= 0 {
                // One client too many: say so, as Redis does, and hang up. The
                // reply is tiny, so a single non-blocking send delivers it.
                if self.openConnections.value.load(ordering: .relaxed) >= self.maxClients {
                    AsyncListener.refuse(fd)
                    continue
                }
                do {
                    let connection = try AsyncConnection(fd: fd, peer: peer, reactor: self.reactor,
                                                         openConnections: self.openConnections,
                                                         outboxLimit: self.outboxLimit)
                    self.openConnections.value.add(1, ordering: .relaxed)
                    return connection
                } catch {
                    Platform.close(fd)
                    throw error
                }
            }
            switch acceptErrno {
            case Platform.Errno.again, Platform.Errno.wouldBlock:
                await self.reactor.waitUntilReadable(self.listener.fd)
            case Platform.Errno.interrupted, Platform.Errno.connectionAborted, Platform.Errno.connectionReset:
                continue
            case Platform.Errno.tooManyFiles, Platform.Errno.tooManyFilesInSystem:
                // Out of descriptors: the client stays in the kernel's queue.
                // Back off briefly instead of spinning on the same error.
                try? await Task.sleep(for: .milliseconds(10))
            default:
                throw SocketError("accept", errno: acceptErrno)
            }
        }
    }
}

// @chapter 4
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A descriptor the kernel reported as ready.
struct ReadyEvent {
    /// The descriptor.
    var fd: Int32
    /// Data can be read, or the peer hung up (a read will return 0).
    var readable: Bool
    /// Data can be written, or the socket failed (a write will report it).
    var writable: Bool
}

/// What a descriptor's waiters want to hear about, for backends that poll
/// only the descriptors somebody waits on.
struct Interest {
    var fd: Int32
    var read: Bool
    var write: Bool
}

/// How a `Reactor` asks the kernel which sockets are ready.
///
/// Two backends implement it: `EpollBackend` (Linux, edge-triggered: each
/// socket is registered once, and the kernel reports changes) and
/// `PollBackend` (portable `poll(2)`: the list of waited-on sockets is handed
/// to the kernel on every call). All methods but `wake()` are called on the
/// reactor's thread only.
protocol ReadinessBackend: AnyObject {
    /// True when the backend needs to be told, at each wait, which
    /// descriptors have waiters (poll); false when the kernel tracks every
    /// registered descriptor by itself (epoll).
    var needsInterestList: Bool { get }

    /// Starts watching a descriptor (once, when a socket is created).
    func register(_ fd: Int32) throws

    /// Stops watching a descriptor, before it is closed.
    func unregister(_ fd: Int32)

    /// Blocks until a descriptor is ready, `wake()` is called, or the timeout
    /// passes (-1 waits forever; 0 only checks). Appends what is ready.
    func wait(interests: [Interest], timeoutMilliseconds: Int32, into events: inout [ReadyEvent])

    /// Interrupts a `wait` in progress, from any thread.
    func wake()
}

/// The portable backend: `poll(2)` over the descriptors that have waiters.
///
/// Simple and available everywhere (it is the macOS backend), but each call
/// passes the whole list to the kernel, so its cost grows with the number of
/// waiting connections. A self-pipe lets other threads interrupt it.
final class PollBackend: ReadinessBackend {
    /// Read end of the self-pipe, watched with every poll.
    private let wakeRead: Int32
    /// Write end of the self-pipe: one byte wakes the poller.
    private let wakeWrite: Int32
    /// Reused between calls, so that polling allocates nothing.
    private var pollList: [pollfd] = []

    var needsInterestList: Bool { true }

    init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw SocketError("pipe", errno: errno) }
        self.wakeRead = ends[0]
        self.wakeWrite = ends[1]
        _ = Platform.setNonBlocking(self.wakeRead)
        _ = Platform.setNonBlocking(self.wakeWrite)
    }

    func register(_ fd: Int32) throws {}

    func unregister(_ fd: Int32) {}

    func wait(interests: [Interest], timeoutMilliseconds: Int32, into events: inout [ReadyEvent]) {
        self.pollList.removeAll(keepingCapacity: true)
        self.pollList.append(pollfd(fd: self.wakeRead, events: Int16(POLLIN), revents: 0))
        for interest in interests {
            var mask: Int32 = 0
            if interest.read { mask |= Int32(POLLIN) }
            if interest.write { mask |= Int32(POLLOUT) }
            self.pollList.append(pollfd(fd: interest.fd, events: Int16(mask), revents: 0))
        }
        let count = poll(&self.pollList, nfds_t(self.pollList.count), timeoutMilliseconds)
        guard count > 0 else { return }
        if self.pollList[0].revents != 0 {
            var drain = [UInt8](repeating: 0, count: 64)
            while read(self.wakeRead, &drain, drain.count) > 0 {}
        }
        let failure = Int32(POLLERR | POLLHUP | POLLNVAL)
        for entry in self.pollList.dropFirst() where entry.revents != 0 {
            let revents = Int32(entry.revents)
            events.append(ReadyEvent(
                fd: entry.fd,
                readable: revents & (Int32(POLLIN) | failure) != 0,
                writable: revents & (Int32(POLLOUT) | failure) != 0))
        }
    }

    func wake() {
        var byte: UInt8 = 1
        _ = write(self.wakeWrite, &byte, 1)
    }
}

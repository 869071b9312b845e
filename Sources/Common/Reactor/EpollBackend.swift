// @chapter 4
#if os(Linux)
import CEpoll
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// The Linux backend: edge-triggered epoll.
///
/// Each socket is registered once, for both directions, with `EPOLLET`: the
/// kernel then reports a socket when it *becomes* readable or writable, and
/// the reactor remembers that until a task asks. Nothing is re-registered
/// per wait, so a wait costs the same with 10 or 10,000 connections. An
/// eventfd lets other threads interrupt the wait.
final class EpollBackend: ReadinessBackend {
    /// The epoll instance.
    private let epollFD: Int32
    /// Written to by `wake()`; watched by epoll.
    private let wakeFD: Int32
    /// Reused between calls.
    private var ready = [cepoll_ready_t](repeating: cepoll_ready_t(), count: 256)

    var needsInterestList: Bool { false }

    init() throws {
        self.epollFD = cepoll_create()
        guard self.epollFD >= 0 else { throw SocketError("epoll_create1", errno: errno) }
        self.wakeFD = cepoll_eventfd()
        guard self.wakeFD >= 0 else { throw SocketError("eventfd", errno: errno) }
        guard cepoll_add(self.epollFD, self.wakeFD, CEPOLL_IN) == 0 else { throw SocketError("epoll_ctl", errno: errno) }
    }

    // snippet: register
    func register(_ fd: Int32) throws {
        let events = CEPOLL_IN | CEPOLL_OUT | CEPOLL_RDHUP | CEPOLL_ET
        guard cepoll_add(self.epollFD, fd, events) == 0 else { throw SocketError("epoll_ctl(ADD)", errno: errno) }
    }
    // end-snippet

    func unregister(_ fd: Int32) {
        _ = cepoll_remove(self.epollFD, fd)
    }

    func wait(interests: [Interest], timeoutMilliseconds: Int32, into events: inout [ReadyEvent]) {
        let count = cepoll_wait(self.epollFD, &self.ready, Int32(self.ready.count), timeoutMilliseconds)
        guard count > 0 else { return }
        let readMask = CEPOLL_IN | CEPOLL_RDHUP | CEPOLL_HUP | CEPOLL_ERR
        let writeMask = CEPOLL_OUT | CEPOLL_HUP | CEPOLL_ERR
        for index in 0..<Int(count) {
            let entry = self.ready[index]
            if entry.fd == self.wakeFD {
                cepoll_eventfd_drain(self.wakeFD)
                continue
            }
            events.append(ReadyEvent(fd: entry.fd, readable: entry.events & readMask != 0,
                                     writable: entry.events & writeMask != 0))
        }
    }

    func wake() {
        cepoll_eventfd_signal(self.wakeFD)
    }
}
#endif

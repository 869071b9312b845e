// @chapter 0
// Everything that differs between Linux (Glibc) and macOS (Darwin) lives in
// this one file. The rest of the course calls `Platform.*` and never needs an
// `#if` of its own.

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#else
#error("Redis from Scratch needs a POSIX system: Linux or macOS.")
#endif

/// Thin, typed wrappers around the POSIX calls the course uses.
///
/// Each wrapper returns what the system call returned, and reads `errno`
/// *immediately* after the call: any other call in between (even a `print`)
/// may overwrite it.
public enum Platform {
    /// The name of the platform, for log lines and benchmark reports.
    package static var name: String {
        #if os(Linux)
        return "Linux"
        #else
        return "macOS"
        #endif
    }

    /// A new IPv4 or IPv6 TCP socket, or `-1` and an errno.
    static func tcpSocket(family: Int32) -> (fd: Int32, errno: Int32) {
        #if canImport(Darwin)
        let fd = socket(family, SOCK_STREAM, 0)
        #else
        // Close-on-exec from birth: set afterwards, a process that another
        // thread spawns in between would inherit the socket (the gates
        // spawn servers in parallel), and keep it open after we close it.
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #endif
        let error = errno
        if fd >= 0 {
            #if canImport(Darwin)
            setCloseOnExec(fd)
            // Darwin has no MSG_NOSIGNAL; the per-socket option does the same job.
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
        }
        return (fd, error)
    }

    /// Flags for `send`: never raise SIGPIPE when the peer has gone away.
    /// A dead client must cost us an `EPIPE`, not the whole process.
    static var sendFlags: Int32 {
        #if canImport(Darwin)
        return 0 // SO_NOSIGPIPE is set on every socket instead.
        #else
        return Int32(MSG_NOSIGNAL)
        #endif
    }

    /// `send(2)` that never raises SIGPIPE. Returns bytes sent and errno.
    static func send(_ fd: Int32, _ base: UnsafeRawPointer, _ count: Int) -> (Int, Int32) {
        let n = Glue.send(fd, base, count, Platform.sendFlags)
        return (n, errno)
    }

    // snippet: recv
    /// `recv(2)`. Returns bytes read (0 at end of stream) and errno.
    static func recv(_ fd: Int32, _ base: UnsafeMutableRawPointer, _ count: Int) -> (Int, Int32) {
        let n = Glue.recv(fd, base, count, 0)
        return (n, errno)
    }
    // end-snippet

    /// Ignores SIGPIPE for the whole process. Belt and braces next to
    /// `MSG_NOSIGNAL`: a write on a socket the peer closed must never kill us.
    public static func ignoreSIGPIPE() {
        _ = signal(SIGPIPE, SIG_IGN)
    }

    /// The signals that ask a server to stop, with their names: Ctrl-C
    /// (SIGINT) and `kill` (SIGTERM).
    package static let stopSignals: [(number: Int32, name: String)] = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")]

    /// Turns off a signal's default action (for SIGINT and SIGTERM: die at
    /// once), so that a Dispatch signal source can receive it instead.
    package static func ignoreSignal(_ number: Int32) {
        _ = signal(number, SIG_IGN)
    }

    /// Closes a descriptor, retrying nothing: after `close` fails the
    /// descriptor is gone anyway on both Linux and macOS.
    static func close(_ fd: Int32) {
        _ = Glue.close(fd)
    }

    /// Makes a descriptor non-blocking, so that reads and writes return
    /// `EAGAIN` instead of putting the thread to sleep.
    package static func setNonBlocking(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL, 0)
        return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0
    }

    /// Marks a descriptor close-on-exec: a program this process starts (the
    /// gates start one server per scenario, in parallel) must not inherit
    /// it. An inherited client socket stays open in the child after we
    /// close ours, so its peer never learns that the client hung up.
    static func setCloseOnExec(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFD, 0)
        if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
    }

    /// Disables Nagle's algorithm: a reply of a few bytes goes out at once
    /// instead of waiting for more to batch up.
    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// `SO_REUSEADDR`: lets a restarted server bind its port again at once,
    /// even while the last run's connections sit in TIME_WAIT.
    static func setReuseAddress(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Waits until `fd` is readable (or `writable`), at most `milliseconds`.
    /// Returns true when it is ready. Used by clients and tests, which must
    /// never wait forever.
    package static func waitUntilReady(_ fd: Int32, forWriting: Bool = false, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(forWriting ? POLLOUT : POLLIN), revents: 0)
        while true {
            let result = poll(&entry, 1, milliseconds)
            if result < 0 && errno == EINTR { continue }
            return result > 0
        }
    }

    /// A human-readable text for an errno value.
    package static func describe(errno value: Int32) -> String {
        String(cString: strerror(value))
    }

    /// Flushes buffered standard output.
    package static func flushStandardOutput() {
        fflush(stdout)
    }

    /// Writes text to standard output and flushes it (for prompts).
    package static func writeStandardOutput(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }

    /// True when descriptor `fd` is a terminal.
    package static func isTerminal(_ fd: Int32) -> Bool {
        isatty(fd) == 1
    }

    /// Writes text to standard error, unbuffered.
    package static func writeStandardError(_ text: String) {
        fputs(text, stderr)
    }

    /// Ends the process with `status`.
    package static func exit(_ status: Int32) -> Never {
        Glue.exit(status)
    }

    /// Sleeps the calling thread for `milliseconds`.
    package static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }

    /// The wall-clock time in Unix milliseconds.
    package static func unixTimeMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    /// A clock for measuring durations: never jumps when the wall clock is set.
    package static func monotonicMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    /// An identifier of the calling thread, equal only for the same thread.
    package static func currentThreadID() -> UInt {
        #if canImport(Darwin)
        return UInt(bitPattern: pthread_self())
        #else
        return UInt(pthread_self())
        #endif
    }

    /// Raises the soft limit on open descriptors to the hard limit, as Redis
    /// does at startup: the default of 1024 on many systems would cap a
    /// server at about a thousand clients. Returns the new soft limit.
    @discardableResult
    package static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        #if canImport(Darwin)
        let resource = RLIMIT_NOFILE
        #else
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #endif
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        var wanted = limit.rlim_max
        #if canImport(Darwin)
        // macOS refuses soft limits above OPEN_MAX even when the hard limit is "unlimited".
        wanted = min(wanted, rlim_t(OPEN_MAX))
        #endif
        if limit.rlim_cur < wanted {
            limit.rlim_cur = wanted
            _ = setrlimit(resource, &limit)
            _ = getrlimit(resource, &limit)
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// The errno values callers branch on, spelled the same on every platform.
    public enum Errno {
        package static let again = EAGAIN
        package static let wouldBlock = EWOULDBLOCK
        package static let interrupted = EINTR
        package static let connectionReset = ECONNRESET
        package static let brokenPipe = EPIPE
        package static let tooManyFiles = EMFILE
        package static let tooManyFilesInSystem = ENFILE
        package static let connectionAborted = ECONNABORTED
    }
}

/// The raw C functions, renamed so that `Platform`'s own methods called
/// `send`, `recv` and `close` can forward to them without recursion.
enum Glue {
    #if canImport(Darwin)
    static let send = Darwin.send
    static let recv = Darwin.recv
    static let close = Darwin.close
    static let exit = Darwin.exit
    #elseif canImport(Glibc)
    static let send = Glibc.send
    static let recv = Glibc.recv
    static let close = Glibc.close
    static let exit = Glibc.exit
    #else
    static let send = Musl.send
    static let recv = Musl.recv
    static let close = Musl.close
    static let exit = Musl.exit
    #endif
}

// MARK: - Addresses

/// A host and port that a socket is bound or connected to.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// The numeric host, such as `127.0.0.1` or `::1`.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// Creates an address from a numeric host and a port.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `127.0.0.1:6379`, or `[::1]:6379` for IPv6.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// A failed system call: which one, and the errno it left.
public struct SocketError: Error, CustomStringConvertible, Sendable {
    /// The call that failed, such as `bind`.
    package var operation: String
    /// The errno value right after the call.
    package var errno: Int32

    /// Creates an error for a failed call.
    public init(_ operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        "\(operation) failed: \(Platform.describe(errno: errno)) (errno \(errno))"
    }
}

extension Platform {
    /// Runs `body` with a C socket address for `host` and `port`.
    /// `host` must be numeric (IPv4 or IPv6); `localhost` is taken as 127.0.0.1.
    static func withSocketAddress<R>(
        host: String, port: Int,
        _ body: (UnsafePointer<sockaddr>, socklen_t, Int32) throws -> R
    ) throws -> R {
        let host = host == "localhost" ? "127.0.0.1" : host
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            #if canImport(Darwin)
            v4.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
            #endif
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
            return try withUnsafePointer(to: &v4) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in>.size), AF_INET)
                }
            }
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            #if canImport(Darwin)
            v6.sin6_len = UInt8(MemoryLayout<sockaddr_in6>.size)
            #endif
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
            return try withUnsafePointer(to: &v6) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size), AF_INET6)
                }
            }
        }
        throw SocketError("inet_pton(\(host))", errno: EINVAL)
    }

    /// Turns a C socket address into a `SocketAddress`.
    static func socketAddress(from storage: UnsafePointer<sockaddr_storage>) -> SocketAddress {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            return storage.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var address = v4.pointee.sin_addr
                _ = inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
                return SocketAddress(host: string(fromCString: text), port: Int(UInt16(bigEndian: v4.pointee.sin_port)))
            }
        case AF_INET6:
            return storage.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var address = v6.pointee.sin6_addr
                _ = inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
                return SocketAddress(host: string(fromCString: text), port: Int(UInt16(bigEndian: v6.pointee.sin6_port)))
            }
        default:
            return SocketAddress(host: "?", port: 0)
        }
    }

    /// A `String` from a NUL-terminated C character buffer.
    private static func string(fromCString text: [CChar]) -> String {
        String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // snippet: listening-socket
    /// `socket` + `SO_REUSEADDR` + `bind` + `listen`: a listening socket.
    static func listeningSocket(host: String, port: Int, backlog: Int32) throws -> Int32 {
        try withSocketAddress(host: host, port: port) { address, length, family in
            let (fd, socketErrno) = tcpSocket(family: family)
            guard fd >= 0 else { throw SocketError("socket", errno: socketErrno) }
            setReuseAddress(fd)
            if bind(fd, address, length) != 0 {
                let bindErrno = errno
                close(fd)
                throw SocketError("bind(\(SocketAddress(host: host, port: port)))", errno: bindErrno)
            }
            if listen(fd, backlog) != 0 {
                let listenErrno = errno
                close(fd)
                throw SocketError("listen", errno: listenErrno)
            }
            return fd
        }
    }
    // end-snippet

    /// True if a listener could bind `host:port` now (with SO_REUSEADDR,
    /// as `listeningSocket` sets). The probe never listens, so nothing can
    /// connect to it while it is open.
    package static func canBind(host: String, port: Int) -> Bool {
        let bound = try? withSocketAddress(host: host, port: port) { address, length, family -> Bool in
            let (fd, _) = tcpSocket(family: family)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            setReuseAddress(fd)
            return bind(fd, address, length) == 0
        }
        return bound ?? false
    }

    /// The address a socket is bound to (`getsockname`): how a server that
    /// asked for port 0 learns which port the kernel picked.
    package static func localAddress(of fd: Int32) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        return withUnsafePointer(to: &storage) { socketAddress(from: $0) }
    }

    /// `accept(2)`: the new descriptor and the peer's address, or -1 and errno.
    static func accept(_ listenerFD: Int32) -> (fd: Int32, errno: Int32, peer: SocketAddress) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glue.accept(listenerFD, $0, &length) }
        }
        let acceptErrno = errno
        guard fd >= 0 else { return (fd, acceptErrno, SocketAddress(host: "?", port: 0)) }
        setCloseOnExec(fd)
        #if canImport(Darwin)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        return (fd, 0, withUnsafePointer(to: &storage) { socketAddress(from: $0) })
    }

    /// Connects to `host:port`, giving up after `timeoutMilliseconds`.
    /// Returns the connected descriptor, in blocking mode.
    static func connect(host: String, port: Int, timeoutMilliseconds: Int32 = 5_000) throws -> Int32 {
        try withSocketAddress(host: host, port: port) { address, length, family in
            let (fd, socketErrno) = tcpSocket(family: family)
            guard fd >= 0 else { throw SocketError("socket", errno: socketErrno) }
            let target = SocketAddress(host: host, port: port)
            // Connect without blocking, then wait for the handshake with a deadline.
            let flags = fcntl(fd, F_GETFL, 0)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            if Glue.connect(fd, address, length) != 0 {
                let connectErrno = errno
                guard connectErrno == EINPROGRESS || connectErrno == EINTR else {
                    close(fd)
                    throw SocketError("connect(\(target))", errno: connectErrno)
                }
                guard waitUntilReady(fd, forWriting: true, milliseconds: timeoutMilliseconds) else {
                    close(fd)
                    throw SocketError("connect(\(target)) within \(timeoutMilliseconds) ms", errno: ETIMEDOUT)
                }
                var result: Int32 = 0
                var resultLength = socklen_t(MemoryLayout<Int32>.size)
                _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &result, &resultLength)
                guard result == 0 else {
                    close(fd)
                    throw SocketError("connect(\(target))", errno: result)
                }
            }
            _ = fcntl(fd, F_SETFL, flags)
            setNoDelay(fd)
            return fd
        }
    }

    /// Closes a socket with a TCP reset (RST) instead of the polite FIN, as a
    /// crashing client would. Gates use it to check the server shrugs it off.
    package static func closeWithReset(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }

    /// Half-closes or fully shuts down a socket without closing the descriptor.
    static func shutdown(_ fd: Int32) {
        _ = Glue.shutdown(fd, Int32(SHUT_RDWR))
    }
}

extension Glue {
    #if canImport(Darwin)
    static let accept = Darwin.accept
    static let connect = Darwin.connect
    static let shutdown = Darwin.shutdown
    #elseif canImport(Glibc)
    static let accept = Glibc.accept
    static let connect = Glibc.connect
    static let shutdown = Glibc.shutdown
    #else
    static let accept = Musl.accept
    static let connect = Musl.connect
    static let shutdown = Musl.shutdown
    #endif
}

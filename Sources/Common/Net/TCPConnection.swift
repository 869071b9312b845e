// @chapter 1
/// One connected client, with blocking reads and writes.
///
/// Stages 1–3 use this: one client at a time, and the thread sleeps inside
/// `read` until bytes arrive. Stage 4 replaces the sleeping with a reactor.
public final class TCPConnection {
    /// The connected descriptor.
    package let fd: Int32
    /// Who is on the other end.
    public let peer: SocketAddress
    /// Whether `close()` has run, so that closing twice is harmless.
    private var isClosed = false

    /// Wraps an accepted descriptor. The connection owns it from now on.
    public init(fd: Int32, peer: SocketAddress) {
        self.fd = fd
        self.peer = peer
    }

    /// Connects to `host:port` as a client (used by tests and tools).
    public convenience init(connectingTo host: String, port: Int) throws {
        let fd = try Platform.connect(host: host, port: port)
        self.init(fd: fd, peer: SocketAddress(host: host, port: port))
    }

    deinit {
        self.close()
    }

    /// Reads what has arrived, at most `buffer.count` bytes, into `buffer`.
    ///
    /// Returns the number of bytes read; **0 means the client closed the
    /// connection**. One read may return half a command, or ten commands:
    /// TCP is a stream of bytes, not of messages.
    package func read(into buffer: inout [UInt8]) throws -> Int {
        while true {
            let (count, readErrno) = buffer.withUnsafeMutableBytes { raw in
                Platform.recv(self.fd, raw.baseAddress!, raw.count)
            }
            if count >= 0 { return count }
            if readErrno == Platform.Errno.interrupted { continue }
            // A reset by the peer is just a rude way of hanging up.
            if readErrno == Platform.Errno.connectionReset { return 0 }
            throw SocketError("recv", errno: readErrno)
        }
    }

    /// Writes all of `bytes`, looping until the kernel took every byte:
    /// one `send` may accept only part of a large reply.
    package func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let (sent, sendErrno) = bytes.withUnsafeBytes { raw in
                Platform.send(self.fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if sent >= 0 {
                offset += sent
            } else if sendErrno != Platform.Errno.interrupted {
                throw SocketError("send", errno: sendErrno)
            }
        }
    }

    /// Forgets the descriptor without closing it, for code that closed it
    /// by other means (such as a reset).
    package func abandonDescriptor() {
        self.isClosed = true
    }

    /// Closes the connection. Safe to call more than once.
    public func close() {
        guard !self.isClosed else { return }
        self.isClosed = true
        Platform.close(self.fd)
    }
}

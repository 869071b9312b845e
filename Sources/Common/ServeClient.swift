/// Serves one client on a reactor until it hangs up: read, parse, reply.
///
/// The same loop as chapter 2's `serveOneClient`, with `await` on reads and
/// writes: while this client has nothing to say, its task is suspended and
/// the thread serves other clients.
///
/// - Parameters:
///   - connection: the client; closed when this returns.
///   - respond: turns one command (its arguments, name first) into a reply.
public func serveClient(_ connection: AsyncConnection, respond: ([[UInt8]]) -> RESPValue) async {
    await serveClient(connection) { (_: inout ClientSession, arguments) in respond(arguments) }
}

/// Serves one client, keeping a `ClientSession` for it: the same loop, for
/// commands that change the connection itself (such as `HELLO 3`). Replies
/// are encoded in the protocol version the session has chosen.
public func serveClient(_ connection: AsyncConnection, respond: (inout ClientSession, [[UInt8]]) -> RESPValue) async {
    defer { connection.close() }
    var session = ClientSession()
    var parser = RequestParser()
    var replies: [UInt8] = []
    // A short read emptied the socket: next time, wait before reading (this
    // saves one failing `recv` per request; see `AsyncConnection.read`).
    var socketIsEmpty = false
    while true {
        do {
            let count = try await connection.read(appendingTo: &parser, waitingFirst: socketIsEmpty)
            if count == 0 { return }
            socketIsEmpty = count < AsyncConnection.readSize
        } catch {
            return // The connection broke.
        }
        do {
            while let command = try parser.next() {
                respond(&session, command).encode(into: &replies, version: session.version)
            }
        } catch {
            // Malformed input: say why, then hang up, as Redis does.
            error.reply.encode(into: &replies)
            try? await connection.write(replies)
            return
        }
        if !replies.isEmpty {
            do { try await connection.write(replies) } catch { return }
            // Keep a small buffer for the next replies; drop a big one, so an
            // idle client does not hold the memory of its largest reply.
            if replies.capacity > 64 * 1024 { replies = [] } else { replies.removeAll(keepingCapacity: true) }
        }
    }
}

// @chapter 4
// snippet: serve-client
/// Serves one client on a reactor until it hangs up: read, parse, run,
/// reply.
///
/// The same loop as chapter 2's `serveOneClient`, with `await` on reads and
/// writes: while this client has nothing to say, its task is suspended and
/// the thread serves other clients. Three things make it more than "one
/// reply per request" (Tutorials/architecture.md):
///
/// - what other tasks send this client (its `Outbox`) goes out in order
///   with its own replies, and wakes the loop when it is idle;
/// - an outcome may suspend the client (`.suspend`): its later commands,
///   already read or not, wait until it resumes;
/// - an outcome may take the connection over (`.takeOver`).
///
/// - Parameters:
///   - connection: the client; closed when this returns.
///   - commands: the commands this server understands.
///   - server: what the server's clients share.
func serveClient(_ connection: AsyncConnection, commands: CommandTable, server: ServerState) async {
    defer { connection.close() }
    var context = CommandContext(server: server, outbox: connection.outbox)
    // @chapter 8 {
    // A client that leaves stops watching its keys.
    defer { context.unwatchAll() }
    // @}
    // @chapter 9 {
    // And leaves its channels: no message is queued for it again.
    defer { context.unsubscribeAll() }
    // @}
    var parser = RequestParser()
    var replies: [UInt8] = []
    // A short read emptied the socket: next time, wait before reading (this
    // saves one failing `recv` per request; see `AsyncConnection.read`).
    var socketIsEmpty = false
    while true {
        do {
            switch try await connection.read(appendingTo: &parser, waitingFirst: socketIsEmpty) {
            case .hungUp:
                return
            case .received(let count):
                socketIsEmpty = count < AsyncConnection.readSize
            case .outboxReady:
                // The socket was empty (a `recv` failed, or the reactor did
                // not report it readable), and new bytes will be reported.
                socketIsEmpty = true
            }
        } catch {
            return // The connection broke.
        }
        do {
            while let command = try parser.next() {
                var outcome = commands.execute(command, in: &context)
                // Messages this very command caused for this client (a
                // PUBLISH to its own channel) go before its reply, as in Redis.
                connection.outbox.drain(into: &replies)
                // Cut for falling behind: run nothing more for this client.
                if connection.outbox.hasOverflowed { return }
                // A suspended client waits here, with its replies so far sent.
                while case .suspend(let suspension) = outcome {
                    guard let result = await waitOut(suspension, on: connection, parser: &parser, replies: &replies)
                    else { return }
                    outcome = result
                }
                if case .takeOver(let handler) = outcome {
                    guard await send(&replies, to: connection) else { return }
                    await handler(connection)
                    return
                }
                outcome.encode(into: &replies, version: context.session.version)
            }
        } catch {
            // Malformed input: say why, then hang up, as Redis does.
            error.reply.encode(into: &replies)
            _ = await send(&replies, to: connection)
            return
        }
        connection.outbox.drain(into: &replies)
        if connection.outbox.hasOverflowed { return }
        guard await send(&replies, to: connection) else { return }
    }
}
// end-snippet

// snippet: wait-out
/// Waits until `suspension` ends and returns its outcome, or nil if the
/// client left first (then the wait is cancelled).
///
/// The loop keeps reading while it waits, as Redis does: not to run the
/// commands that arrive (they wait in `parser`, in order), but because
/// only a read can tell that the client hung up, and a client that left
/// must leave the wait queues before a push hands it an element. Messages
/// for the client (its outbox) go out meanwhile.
private func waitOut(_ suspension: any Suspension, on connection: AsyncConnection,
                     parser: inout RequestParser, replies: inout [UInt8]) async -> Outcome? {
    waiting: while true {
        guard await send(&replies, to: connection) else { break waiting }
        // Read before taking the result: woken by a push that served this
        // client, the loop must first see whether the client has hung up
        // meanwhile (then `cancel` gives the element back), not send it
        // to a socket nobody reads. (A wait that is already over wakes the
        // read at once, through the outbox.)
        guard let read = try? await connection.read(appendingTo: &parser) else { break waiting }
        switch read {
        case .hungUp:
            break waiting
        case .received:
            // Redis's client-query-buffer-limit: a client may pipeline a
            // lot behind a BLPOP, but not without bound.
            if parser.bufferedByteCount > suspendedInputLimit { break waiting }
        case .outboxReady:
            connection.outbox.drain(into: &replies)
        }
        if let outcome = suspension.takeResult() { return outcome }
    }
    suspension.cancel()
    return nil
}
// end-snippet

/// How much input a suspended client may send before it is disconnected:
/// Redis's default `client-query-buffer-limit`, 1 GB.
private let suspendedInputLimit = 1 << 30

/// Writes `replies`, if any, and empties the buffer. Returns false when the
/// connection broke.
private func send(_ replies: inout [UInt8], to connection: AsyncConnection) async -> Bool {
    guard !replies.isEmpty else { return true }
    do { try await connection.write(replies) } catch { return false }
    // Keep a small buffer for the next replies; drop a big one, so an idle
    // client does not hold the memory of its largest reply.
    if replies.capacity > 64 * 1024 { replies = [] } else { replies.removeAll(keepingCapacity: true) }
    return true
}

// @chapter 2
// snippet: serve-one-client
/// Serves one client until it hangs up: read, parse, reply, repeat.
///
/// This loop is the heart of chapter 2. Its one rule: **a read is not a
/// command**. A read may hold half a command (then `next()` returns nil and
/// we read again) or several (then `next()` returns each in turn, and each
/// gets its own reply). Replies to one read are collected and sent with a
/// single `write`, which is what makes pipelining fast.
///
/// - Parameters:
///   - connection: the client; closed when this returns.
///   - commands: the commands this server understands.
///   - server: what the server's clients share.
public func serveOneClient(_ connection: TCPConnection, commands: CommandTable, server: ServerState) {
    defer { connection.close() }
    var context = CommandContext(server: server)
    var parser = RequestParser()
    var readBuffer = [UInt8](repeating: 0, count: 16 * 1024)
    var replies: [UInt8] = []
    while true {
        let count: Int
        do {
            count = try connection.read(into: &readBuffer)
        } catch {
            return // The connection broke; nothing more to do for this client.
        }
        if count == 0 { return } // The client hung up.
        parser.append(readBuffer[0..<count])

        replies.removeAll(keepingCapacity: true)
        do {
            while let command = try parser.next() {
                commands.execute(command, in: &context).encode(into: &replies, version: context.session.version)
            }
        } catch {
            // Malformed input: say why, then hang up, as Redis does. We can no
            // longer tell where the next command would start.
            error.reply.encode(into: &replies)
            try? connection.write(replies)
            return
        }
        if !replies.isEmpty {
            do { try connection.write(replies) } catch { return }
        }
    }
}
// end-snippet

// @chapter 7
/// The timeout of BLPOP & co.: seconds, as a decimal number (`0.1`
/// works), `0` for "wait forever".
enum BlockingTimeout {
    // snippet: parse-timeout
    /// How long to wait, or nil to wait forever; Redis's error texts.
    ///
    /// Redis reads the number as a `long double`, rounds it *up* to whole
    /// milliseconds, and stores it as a 64-bit count of them; a number too
    /// big for that (`1e16`, `inf`) wraps around and is then refused as
    /// negative. The same rules are kept here, so both servers accept and
    /// refuse the same texts.
    static func parse(_ bytes: [UInt8]) throws(CommandError) -> Duration? {
        // No spaces around it (Swift's parser refuses them too, but be
        // explicit: Redis's error is the float one).
        guard let first = bytes.first, first > 0x20, bytes.last! > 0x20,
              let seconds = Double(String(decoding: bytes, as: UTF8.self)), !seconds.isNaN
        else { throw .timeoutNotAFloat }
        let milliseconds = (seconds * 1000).rounded(.up)
        guard milliseconds >= 0, milliseconds < 9.2e18 else { throw .timeoutNegative }
        return milliseconds == 0 ? nil : .milliseconds(Int64(milliseconds))
    }
    // end-snippet
}

extension CommandContext {
    // snippet: block
    /// Blocks this client on `keys` (none of which has a list), to carry
    /// out `operation` on the first list that appears, for at most
    /// `timeout` (nil: forever). Called under the keyspace's lock, from the
    /// very critical section that found the keys empty, so no push can
    /// slip in between the look and the wait.
    ///
    /// Where the client may not wait (no outbox, or inside a transaction)
    /// this is a timeout at once: `timeoutReply`.
    func block(on keys: [[UInt8]], to operation: BlockingOperation, timeout: Duration?,
               in database: inout Database, otherwise timeoutReply: RESPValue = .nullArray) -> Outcome {
        guard self.mayBlock, let outbox = self.outbox else { return .reply(timeoutReply) }
        let client = BlockedClient(keys: keys, operation: operation, store: self.store, outbox: outbox)
        database.waiting.add(client)
        if let timeout { client.startTimer(after: timeout) }
        return .suspend(client)
    }
    // end-snippet
}

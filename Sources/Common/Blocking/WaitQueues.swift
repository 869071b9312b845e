// @chapter 7
/// The clients blocked on each key, first come first served, and the keys
/// that have just become lists.
///
/// It lives inside `Database`, so the keyspace's lock guards it too: a
/// push, the wait queues and the hand-off to the first waiter are one
/// critical section, which is what makes a hand-off impossible to steal.
package struct WaitQueues: Sendable {
    /// The waiting clients of each key, in the order they blocked.
    private var queues: [Database.Key: [BlockedClient]] = [:]
    /// Keys where a list appeared while clients waited on them, in that
    /// order; served when the command that made them ends.
    private var readyKeys: [[UInt8]] = []

    /// True if some command made a list where clients wait.
    package var hasReadyKeys: Bool { !self.readyKeys.isEmpty }

    /// How many clients are blocked (a client waiting on three keys counts
    /// once per key).
    package var count: Int { self.queues.values.reduce(0) { $0 + $1.count } }

    /// Queues `client` at the end of the queue of each of its keys.
    mutating func add(_ client: BlockedClient) {
        for key in client.keys {
            self.queues[Database.Key(key), default: []].append(client)
        }
    }

    /// Takes `client` out of every queue it is in.
    mutating func remove(_ client: BlockedClient) {
        for key in client.keys {
            let key = Database.Key(key)
            guard var queue = self.queues.removeValue(forKey: key) else { continue }
            queue.removeAll { $0 === client }
            if !queue.isEmpty { self.queues[key] = queue }
        }
    }

    /// The client that has waited longest on `key`.
    func first(waitingOn key: [UInt8]) -> BlockedClient? {
        self.queues[Database.Key(key)]?.first
    }

    /// A list was created at `key`: if clients wait there, serve them
    /// when the command ends. (Only a new list can matter: a client blocks
    /// only on keys that have no list, and a list is never empty.)
    mutating func listCreated(at key: Database.Key) {
        guard !self.queues.isEmpty, self.queues[key] != nil else { return }
        let bytes = key.bytes
        if !self.readyKeys.contains(bytes) { self.readyKeys.append(bytes) }
    }

    /// The ready key to serve next, in the order they became ready.
    mutating func takeReadyKey() -> [UInt8]? {
        self.readyKeys.isEmpty ? nil : self.readyKeys.removeFirst()
    }
}

extension Database {
    // snippet: serve-blocked
    /// Hands the lists that appeared to the clients waiting for them, each
    /// key's clients in the order they blocked, until the list runs out.
    /// Runs at the end of the command that created the lists, under the
    /// same lock, so the pusher's reply has already counted the length
    /// right after its push (Redis's rule) and no other command sees the
    /// list in between.
    mutating func serveBlockedClients() {
        while let key = self.waiting.takeReadyKey() {
            // Serving a BLMOVE pushes to its destination, which may make
            // that key ready too: the outer loop picks it up.
            while let client = self.waiting.first(waitingOn: key), case .list? = self.value(of: key) {
                self.waiting.remove(client)
                client.finish(with: self.serve(client, from: key))
            }
        }
    }
    // end-snippet

    /// Carries out `client`'s operation on the list at `key`, which exists,
    /// and returns its reply, exactly as the non-blocking command would.
    private mutating func serve(_ client: BlockedClient, from key: [UInt8]) -> RESPValue {
        do throws(CommandError) {
            switch client.operation {
            case .pop(let end):
                let element = try self.pop(key, at: end, count: 1)?.first ?? []
                return .array([.bulkString(key), .bulkString(element)])
            case .popMany(let end, let count):
                let elements = try self.pop(key, at: end, count: count) ?? []
                return .array([.bulkString(key), .array(elements.map { .bulkString($0) })])
            case .move(let end, let destination, let destinationEnd):
                let element = try self.move(from: key, end, to: destination, destinationEnd)
                return element.map { .bulkString($0) } ?? .nullBulkString
            }
        } catch {
            // A BLMOVE whose destination became another type: Redis ends
            // the wait with WRONGTYPE and moves nothing.
            return error.reply
        }
    }

    /// Puts back what a served client's `reply` took, at the end it came
    /// from: that client left before reading it.
    mutating func giveBack(_ reply: RESPValue, of operation: BlockingOperation) {
        guard case .array(let parts) = reply, parts.count == 2,
              case .bulkString(let key) = parts[0] else { return } // A move: nothing was lost.
        var elements: [[UInt8]] = []
        switch parts[1] {
        case .bulkString(let element): elements = [element]
        case .array(let items): elements = items.compactMap { if case .bulkString(let e) = $0 { e } else { nil } }
        default: return
        }
        let end: ListEnd
        switch operation {
        case .pop(let e), .popMany(let e, _): end = e
        case .move: return
        }
        // Last popped goes back first, so the list reads as before.
        _ = try? self.modifyList(key, creating: true) { list in
            for element in elements.reversed() { list.push(element, at: end) }
        }
    }
}

// @chapter 8
/// The keys that clients WATCH, each with a version number that every
/// change to the key bumps.
///
/// WATCH is optimistic locking: a client notes the version of each key it
/// watches, and EXEC runs only if none has moved since. Redis instead keeps
/// a list of watching clients per key and flags them "dirty" on each write;
/// a version per key asks the same question with no list to walk on a
/// write, and the session keeps what it saw.
package struct WatchTable: Sendable {
    /// A watched key's version, and how many clients watch it.
    struct Entry: Sendable {
        var version: UInt64 = 0
        var watchers = 0
    }

    /// Only watched keys are here: a write to any other key costs one
    /// `isEmpty` check when nobody watches anything.
    private var entries: [Database.Key: Entry] = [:]

    /// Records a change to `key` (a write, a delete, a new TTL, expiry).
    mutating func touch(_ key: Database.Key) {
        guard !self.entries.isEmpty, let index = self.entries.index(forKey: key) else { return }
        self.entries.values[index].version &+= 1
    }

    /// FLUSHALL: every watched key that `exists` changes; one that did not
    /// exist is still missing afterwards, which is no change (Redis's rule).
    mutating func touchAll(where exists: (Database.Key) -> Bool) {
        for index in self.entries.indices where exists(self.entries.keys[index]) {
            self.entries.values[index].version &+= 1
        }
    }

    /// Adds a watcher of `key`; returns the key's current version.
    mutating func watch(_ key: Database.Key) -> UInt64 {
        self.entries[key, default: Entry()].watchers += 1
        return self.entries[key]!.version
    }

    /// Removes a watcher of `key`; the entry goes with its last watcher.
    mutating func unwatch(_ key: Database.Key) {
        guard let index = self.entries.index(forKey: key) else { return }
        self.entries.values[index].watchers -= 1
        if self.entries.values[index].watchers == 0 { self.entries.remove(at: index) }
    }

    /// The version of a watched key.
    func version(of key: Database.Key) -> UInt64? {
        self.entries[key]?.version
    }

    /// How many keys are watched (for tests).
    package var count: Int { self.entries.count }
}

extension Database {
    /// What WATCH saw of one key.
    package struct Watch: Sendable, Equatable {
        /// The key.
        let key: Key
        /// Its version when watched.
        let version: UInt64
    }

    // snippet: watch
    /// Starts watching `key` and returns what EXEC will compare against.
    /// A key that had expired without being deleted yet is deleted first:
    /// it was already gone, so its deletion must not count as a change.
    package mutating func watch(_ key: [UInt8]) -> Watch {
        _ = self.value(of: key)
        let key = Key(key)
        return Watch(key: key, version: self.watched.watch(key))
    }

    /// True if a watched key changed since WATCH: written, deleted, given
    /// or stripped of a TTL, or expired (even if nobody has deleted it
    /// yet: Redis 7.0 checks the clock at EXEC too).
    package mutating func hasChanged(_ watch: Watch) -> Bool {
        self.watched.version(of: watch.key) != watch.version || self.isExpired(watch.key)
    }
    // end-snippet

    /// Stops watching: EXEC, DISCARD, UNWATCH, or the client left.
    package mutating func unwatch(_ watches: [Watch]) {
        for watch in watches { self.watched.unwatch(watch.key) }
    }
}

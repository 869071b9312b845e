import Synchronization

// snippet: store-class
/// The key-value store that every client task shares.
///
/// All client tasks read and write the same data, so access must be
/// data-race free. Swift 6 offers two tools: an `actor`, or a class that
/// guards its state with a `Mutex`. The store is the second: each command
/// takes the lock once, does all its work on the `Database` inside, and
/// lets go. Chapter 5 measures both designs and explains the choice.
///
/// One lock per command also makes every command atomic: `SET k v NX GET`
/// checks, reads and writes the key with no other client in between.
public final class Store: Sendable {
    /// The data, behind the lock.
    private let database: Mutex<Database>
    /// Where "now" comes from.
    public let clock: any TimeSource

    /// An empty store reading time from `clock`.
    public init(clock: any TimeSource = SystemTimeSource()) {
        self.clock = clock
        self.database = Mutex(Database())
    }

    /// Runs `body` with exclusive access to the database, its `now` set to
    /// the current time. Keep the body short: every client waits for it.
    public func withDatabase<Result: Sendable>(_ body: (inout Database) -> Result) -> Result {
        let now = self.clock.nowMilliseconds()
        return self.database.withLock { database in
            database.now = now
            return body(&database)
        }
    }
}
// end-snippet

/// The keys and values, with their expiry times. Only reachable through
/// `Store.withDatabase`, so only one command at a time touches it.
///
/// Keys and values are byte arrays: binary-safe, like everything in Redis.
public struct Database: Sendable {
    // snippet: database-fields
    /// One stored value.
    struct Entry: Sendable {
        /// The value's bytes.
        var value: [UInt8]
        /// When the key expires, in Unix milliseconds, or `noExpiry`.
        var expiresAt: Int64
        /// Where the key sits in `keysWithExpiry`, or -1.
        var expirySlot: Int32
    }

    /// `expiresAt` for a key that lives forever.
    static let noExpiry: Int64 = -1

    /// A key, hashed as one block of bytes. (`[UInt8]`'s own `Hashable`
    /// feeds the hasher one byte at a time, several times slower.)
    struct Key: Hashable, Sendable {
        /// The key's bytes.
        var bytes: [UInt8]

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func hash(into hasher: inout Hasher) {
            self.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    /// Every key and its entry.
    private var entries: [Key: Entry] = [:]
    /// The keys that have an expiry time, in no order. Active expiry picks
    /// random keys from here: sampling only these keys keeps it cheap even
    /// when millions of keys never expire. (Redis keeps a separate `expires`
    /// table for the same reason.)
    private var keysWithExpiry: [Key] = []

    /// The current time for this command, set by `Store.withDatabase`.
    public internal(set) var now: Int64 = 0
    // end-snippet

    /// An empty database.
    init() {}

    /// How many keys are stored, including expired keys that no one has
    /// removed yet (Redis's DBSIZE counts those too).
    public var count: Int { self.entries.count }

    /// How many keys have an expiry time.
    public var countWithExpiry: Int { self.keysWithExpiry.count }

    // snippet: live-entry
    /// True if `entry` has expired at `now`. A key whose time equals `now`
    /// is still alive, as in Redis (`now > when`).
    private func isExpired(_ entry: Entry) -> Bool {
        entry.expiresAt != Database.noExpiry && self.now > entry.expiresAt
    }

    /// Passive expiry: the entry for `key`, unless it has expired, in which
    /// case it is deleted now and nil is returned. Every read goes through
    /// here, so no command ever sees an expired key.
    private mutating func liveEntry(_ key: [UInt8]) -> Entry? {
        guard let entry = self.entries[Key(key)] else { return nil }
        if self.isExpired(entry) {
            self.remove(key)
            return nil
        }
        return entry
    }
    // end-snippet

    /// The value of `key`, or nil if it does not exist (or has expired).
    public mutating func value(of key: [UInt8]) -> [UInt8]? {
        self.liveEntry(key)?.value
    }

    /// True if `key` exists (and has not expired).
    public mutating func contains(_ key: [UInt8]) -> Bool {
        self.liveEntry(key) != nil
    }

    /// Stores `value` under `key`. The key's expiry time is cleared, unless
    /// `keepExpiry` is true (SET's `KEEPTTL`).
    ///
    /// One hash lookup: an existing entry is updated in place.
    public mutating func set(_ key: [UInt8], _ value: [UInt8], keepExpiry: Bool = false) {
        let key = Key(key)
        guard let index = self.entries.index(forKey: key) else {
            self.entries[key] = Entry(value: value, expiresAt: Database.noExpiry, expirySlot: -1)
            return
        }
        let old = self.entries.values[index]
        let expired = self.isExpired(old)
        self.entries.values[index].value = value
        // An expired key's TTL goes too, KEEPTTL or not: it is a new key.
        if (expired || !keepExpiry) && old.expirySlot >= 0 {
            self.removeFromExpirySample(slot: Int(old.expirySlot))
            self.entries.values[index].expirySlot = -1
            self.entries.values[index].expiresAt = Database.noExpiry
        }
    }

    /// Deletes `key`. Returns true if it existed (and had not expired).
    @discardableResult
    public mutating func remove(_ key: [UInt8]) -> Bool {
        guard let entry = self.entries.removeValue(forKey: Key(key)) else { return false }
        if entry.expirySlot >= 0 { self.removeFromExpirySample(slot: Int(entry.expirySlot)) }
        return !self.isExpired(entry)
    }

    /// Deletes every key.
    public mutating func removeAll() {
        self.entries = [:]
        self.keysWithExpiry = []
    }

    /// When `key` expires (Unix ms), nil if it has no expiry, or
    /// `.missing` if there is no such key.
    public mutating func expiry(of key: [UInt8]) -> Expiry {
        guard let entry = self.liveEntry(key) else { return .missing }
        return entry.expiresAt == Database.noExpiry ? .never : .at(entry.expiresAt)
    }

    /// A key's expiry state.
    public enum Expiry: Equatable, Sendable {
        /// No such key.
        case missing
        /// The key lives until deleted.
        case never
        /// The key expires at this Unix time in milliseconds.
        case at(Int64)
    }

    // snippet: set-expiry
    /// Sets when an existing key expires. Returns false if there is no key.
    ///
    /// A time that has already passed deletes the key at once when
    /// `deletingIfPast` is true, as Redis's EXPIRE does. Redis's SET instead
    /// stores such a key with its past time, and leaves it to expiry.
    @discardableResult
    public mutating func setExpiry(_ key: [UInt8], at time: Int64, deletingIfPast: Bool = true) -> Bool {
        guard var entry = self.liveEntry(key) else { return false }
        if deletingIfPast && time <= self.now {
            self.remove(key)
            return true
        }
        if entry.expirySlot < 0 {
            entry.expirySlot = Int32(self.keysWithExpiry.count)
            self.keysWithExpiry.append(Key(key))
        }
        entry.expiresAt = time
        self.entries[Key(key)] = entry
        return true
    }
    // end-snippet

    /// Removes a key's expiry time. Returns true if it had one.
    @discardableResult
    public mutating func removeExpiry(_ key: [UInt8]) -> Bool {
        guard var entry = self.liveEntry(key), entry.expirySlot >= 0 else { return false }
        self.removeFromExpirySample(slot: Int(entry.expirySlot))
        entry.expirySlot = -1
        entry.expiresAt = Database.noExpiry
        self.entries[Key(key)] = entry
        return true
    }

    // snippet: swap-remove
    /// Removes slot `slot` from `keysWithExpiry` in O(1): the last key
    /// moves into the hole, and its entry learns its new slot.
    private mutating func removeFromExpirySample(slot: Int) {
        let last = self.keysWithExpiry.count - 1
        if slot != last {
            let moved = self.keysWithExpiry[last]
            self.keysWithExpiry[slot] = moved
            self.entries[moved]?.expirySlot = Int32(slot)
        }
        self.keysWithExpiry.removeLast()
    }
    // end-snippet

    // snippet: expire-random-keys
    /// Active expiry, one sample: looks at up to `count` random keys that
    /// have an expiry time and deletes those that have expired. Returns how
    /// many were looked at and how many were deleted.
    public mutating func expireRandomKeys(count: Int, using generator: inout some RandomNumberGenerator) -> (sampled: Int, expired: Int) {
        let sampled = min(count, self.keysWithExpiry.count)
        var expired = 0
        for _ in 0..<sampled {
            guard !self.keysWithExpiry.isEmpty else { break }
            let key = self.keysWithExpiry[Int.random(in: 0..<self.keysWithExpiry.count, using: &generator)]
            if let entry = self.entries[key], self.isExpired(entry) {
                self.remove(key.bytes)
                expired += 1
            }
        }
        return (sampled, expired)
    }
    // end-snippet
}

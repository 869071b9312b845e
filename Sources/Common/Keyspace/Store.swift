// @chapter 5
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
    // @before 6 {
    //
    // /// An empty store.
    // public init() {
    //     self.database = Mutex(Database())
    // }
    //
    // /// Runs `body` with exclusive access to the database, as one command.
    // /// Keep the body short: every client waits for it.
    // @}
    // @chapter 6 {
    /// Where "now" comes from.
    package let clock: any TimeSource
    // @chapter 8 {
    /// The thread running an EXEC, or 0: its commands reach the database
    /// through `heldDatabase` while it holds the lock.
    private let exclusiveHolder = Atomic<UInt>(0)
    /// The locked database, while `exclusiveHolder` runs a transaction.
    /// Written and read only by that thread, under the lock.
    nonisolated(unsafe) private var heldDatabase: UnsafeMutablePointer<Database>?
    // @}

    /// An empty store reading time from `clock`.
    public init(clock: any TimeSource = SystemTimeSource()) {
        self.clock = clock
        self.database = Mutex(Database(clock: clock))
    }

    /// Runs `body` with exclusive access to the database, as one command:
    /// `database.now` is one time for all of it. Keep the body short: every
    /// client waits for it.
    // @}
    package func withDatabase<Result: Sendable, Failure: Error>(
        _ body: (inout Database) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        // @chapter 8 {
        // Inside EXEC, on the thread that already holds the lock: the same
        // database, without locking again (a mutex is not reentrant), and
        // one clock reading for the whole transaction.
        if self.exclusiveHolder.load(ordering: .acquiring) == currentThreadID(), let held = self.heldDatabase {
            return try body(&held.pointee)
        }
        // @}
        return try self.database.withLock { database throws(Failure) -> Result in
            database.beginCommand() // @chapter 6
            // @before 7 {
            // return try body(&database)
            // @}
            // @chapter 7 {
            let result = try body(&database)
            // The command made a list where clients wait (LPUSH on a key
            // someone BLPOPs): hand them their elements now, before the lock
            // opens, so that no other client's command can take them first.
            if database.waiting.hasReadyKeys { database.serveBlockedClients() }
            return result
            // @}
        }
    }
    // @chapter 8 {

    // snippet: exclusive-access
    /// Runs `body` with the keyspace locked from its first line to its
    /// last: what EXEC needs, so that no other client's command runs
    /// between two of the transaction's. The commands `body` runs call
    /// `withDatabase` as always and get the locked database directly.
    /// Clients blocked on keys the transaction filled are served after it,
    /// when the lock opens, as Redis serves them after EXEC.
    package func withExclusiveAccess<Result: Sendable>(_ body: () -> Result) -> Result {
        self.withDatabase { database in
            withUnsafeMutablePointer(to: &database) { pointer in
                self.heldDatabase = pointer
                self.exclusiveHolder.store(currentThreadID(), ordering: .releasing)
                defer {
                    self.exclusiveHolder.store(0, ordering: .releasing)
                    self.heldDatabase = nil
                }
                return body()
            }
        }
    }
    // end-snippet
    // @}
}
// end-snippet

// @before 6 {
// /// The keys and values. Only reachable through `Store.withDatabase`, so
// /// only one command at a time touches it.
// @}
// @chapter 6 {
/// The keys and values, with their expiry times. Only reachable through
/// `Store.withDatabase`, so only one command at a time touches it.
// @}
///
/// Keys and values are byte arrays: binary-safe, like everything in Redis.
public struct Database: Sendable {
    // snippet: database-fields
    /// Every key and its value. A `Key` keeps a short key inline, with no
    /// allocation of its own (StoreKey.swift).
    private var values: [Key: Value] = [:]
    // @chapter 6 {

    /// When a key with a time to live expires, and where it sits in
    /// `keysWithExpiry`.
    struct Deadline: Sendable {
        /// Unix time in milliseconds.
        var at: Int64
        /// The key's index in `keysWithExpiry`.
        var slot: Int32
    }

    /// The deadline of every key that has one. Like Redis's `expires`
    /// table, a second dictionary: most keys never expire, and keeping
    /// their (absent) expiry beside each value would cost every key 16
    /// bytes, 32 MB at a million keys.
    private var deadlines: [Key: Deadline] = [:]

    /// The keys of `deadlines`, in no order. Active expiry picks random
    /// keys from here in O(1) (a dictionary cannot pick a random key
    /// cheaply), and sampling only these keys keeps it cheap even when
    /// millions of keys never expire.
    private var keysWithExpiry: [Key] = []
    // @chapter 7 {

    /// The clients blocked in BLPOP & co., by the keys they wait for.
    package var waiting = WaitQueues()
    // @}
    // @chapter 8 {

    /// The keys some client WATCHes, with a version each write bumps.
    package var watched = WatchTable()
    // @}

    /// Where the time comes from.
    private let clock: any TimeSource
    /// The time this command read, if it has read it yet.
    private var timeOfCommand: Int64?

    /// The current time for this command, in Unix milliseconds: read from
    /// the clock the first time the command asks, then the same until the
    /// command ends, so a command sees one instant. A command that needs no
    /// time (a GET while no key has a TTL) never reads the clock at all.
    package var now: Int64 {
        mutating get {
            if let time = self.timeOfCommand { return time }
            let time = self.clock.nowMilliseconds()
            self.timeOfCommand = time
            return time
        }
    }
    // @}
    // end-snippet
    // @chapter 6 {

    /// An empty database reading time from `clock`.
    init(clock: any TimeSource) {
        self.clock = clock
    }

    /// Starts a new command: the next `now` reads the clock again.
    mutating func beginCommand() {
        self.timeOfCommand = nil
    }
    // @}

    /// How many keys are stored.
    // @chapter 6 {
    /// That includes expired keys that no one has removed yet (Redis's
    /// DBSIZE counts those too).
    // @}
    package var count: Int { self.values.count }
    // @chapter 6 {

    /// How many keys have an expiry time.
    package var countWithExpiry: Int { self.keysWithExpiry.count }
    // @}

    // snippet: live-entry
    // @chapter 6 {
    /// True if `key` has a deadline that has passed at `now`. A key whose
    /// time equals `now` is still alive, as in Redis (`now > when`).
    mutating func isExpired(_ key: Key) -> Bool {
        // No lookup at all while no key has a TTL.
        guard !self.deadlines.isEmpty, let deadline = self.deadlines[key] else { return false }
        return self.now > deadline.at
    }

    /// Passive expiry: the value of `key`, unless the key has expired, in
    /// which case it is deleted now and nil is returned. Every read goes
    /// through here, so no command ever sees an expired key.
    // @}
    // @before 6 {
    // /// The value of `key`, or nil. Every read goes through here.
    // @}
    private mutating func liveValue(_ key: Key) -> Value? {
        guard let value = self.values[key] else { return nil }
        // @chapter 6 {
        if self.isExpired(key) {
            self.remove(key)
            return nil
        }
        // @}
        return value
    }
    // end-snippet

    /// The value of `key`, of whatever type, or nil if it does not exist.
    // @chapter 6 {
    /// An expired key does not exist.
    // @}
    package mutating func value(of key: [UInt8]) -> Value? {
        self.liveValue(Key(key))
    }

    // snippet: typed-read
    /// The string stored at `key`, nil if there is none, or `WRONGTYPE` if
    /// the key holds another type. Every string command reads through
    /// here (and each later type has its own such read), so the type check
    /// is written once.
    package mutating func string(of key: [UInt8]) throws(CommandError) -> [UInt8]? {
        guard let value = self.liveValue(Key(key)) else { return nil }
        guard case .string(let bytes) = value else { throw .wrongType }
        return bytes
    }
    // end-snippet
    // @chapter 7 {

    // snippet: list-access
    /// The list stored at `key`, or nil if there is none. Throws
    /// `WRONGTYPE` if the key holds another type. (The copy is cheap: a
    /// `QuickList` shares its chunks until someone writes.)
    package mutating func list(of key: [UInt8]) throws(CommandError) -> QuickList? {
        guard let value = self.liveValue(Key(key)) else { return nil }
        guard case .list(let box) = value else { throw .wrongType }
        return box.list
    }

    /// Changes the list at `key` in place with `body`, and returns what
    /// `body` returns; nil (and `body` not called) when there is no list and
    /// `creating` is false. Throws `WRONGTYPE` if the key holds another type.
    ///
    /// Two rules of Redis live here, so no list command can forget them: a
    /// list that `body` leaves empty is deleted (Redis never keeps an empty
    /// list), and a list created where clients wait makes them ready.
    @discardableResult
    package mutating func modifyList<Result>(
        _ key: [UInt8], creating: Bool = false, _ body: (inout QuickList) -> Result
    ) throws(CommandError) -> Result? {
        let key = Key(key)
        guard let index = self.liveIndex(key) else {
            guard creating else { return nil }
            var list = QuickList()
            let result = body(&list)
            if !list.isEmpty {
                self.values[key] = .list(ListBox(list))
                self.waiting.listCreated(at: key)
                self.watched.touch(key) // @chapter 8
            }
            return result
        }
        guard case .list(let box) = self.values.values[index] else { throw .wrongType }
        self.watched.touch(key) // @chapter 8
        // In place: the box holds the only reference to the list's chunks,
        // so `body` edits them without a copy.
        let result = body(&box.list)
        if box.list.isEmpty { self.remove(key) }
        return result
    }
    // end-snippet

    /// Where `key` lives in `values`, or nil if it is missing or expired
    /// (an expired key is deleted on the way, as `liveValue` does).
    private mutating func liveIndex(_ key: Key) -> Dictionary<Key, Value>.Index? {
        guard let index = self.values.index(forKey: key) else { return nil }
        if self.isExpired(key) {
            self.remove(key)
            return nil
        }
        return index
    }
    // @}
    // @chapter 8 {

    // snippet: modify-string
    /// Changes the string at `key` in place with `body`, and returns what
    /// `body` returns. `body` gets the bytes (empty when the key is missing)
    /// and whether the key existed. Throws `WRONGTYPE`, without calling
    /// `body`, if the key holds another type.
    ///
    /// A missing key is created with what `body` leaves, when `creating`
    /// is true. A key that existed keeps its TTL: APPEND, SETRANGE and INCR
    /// change a value, they do not replace the key (Redis's `dbOverwrite`).
    /// `body` checks before it changes anything, and throws then: the key
    /// is left as it was (and a missing key is not created).
    ///
    /// Why not `string(of:)`, then `set`? The copy read out shares its
    /// buffer with the one in the dictionary, so the first byte appended
    /// copies the whole string: APPEND would cost the string's length
    /// every time, and a loop of small APPENDs would be quadratic. Taking
    /// the bytes out of their slot first (as `modifyList` does) leaves
    /// `body` the only reference, and it writes in place.
    package mutating func modifyString<Result>(
        _ key: [UInt8], creating: Bool, touching: Bool = true,
        _ body: (inout [UInt8], _ existed: Bool) throws(CommandError) -> Result
    ) throws(CommandError) -> Result {
        let key = Key(key)
        guard let index = self.liveIndex(key) else {
            var bytes: [UInt8] = []
            let result = try body(&bytes, false)
            if creating {
                self.values[key] = .string(bytes)
                self.watched.touch(key)
            }
            return result
        }
        // The value is changed where it lies in the dictionary, found once.
        let result = try Database.modifyString(in: &self.values.values[index], body)
        // A change for WATCH only once `body` succeeded: a failed INCR
        // changed nothing. (`touching` is false for SETRANGE of an empty
        // value, which Redis does not count as a write.)
        if touching { self.watched.touch(key) }
        return result
    }

    /// `modifyString` on a value in its slot: the bytes are taken out of
    /// `value` while `body` runs, so that `body` holds the only reference
    /// and writes in place, and are put back after, even when `body` throws.
    private static func modifyString<Result>(
        in value: inout Value, _ body: (inout [UInt8], _ existed: Bool) throws(CommandError) -> Result
    ) throws(CommandError) -> Result {
        guard case .string(var bytes) = value else { throw .wrongType }
        value = .string([])
        defer { value = .string(bytes) }
        return try body(&bytes, true)
    }
    // end-snippet
    // @}

    /// True if `key` exists.
    // @chapter 6 {
    /// An expired key does not exist.
    // @}
    package mutating func contains(_ key: [UInt8]) -> Bool {
        self.liveValue(Key(key)) != nil
    }

    // @before 6 {
    // /// Stores the string `value` under `key`, replacing a value of any
    // /// type.
    // public mutating func set(_ key: [UInt8], _ value: [UInt8]) {
    //     self.set(key, value: .string(value))
    // }
    //
    // /// Stores `value` under `key`, replacing a value of any type.
    // public mutating func set(_ key: [UInt8], value: Value) {
    //     self.values[Key(key)] = value
    // }
    // @}
    // @chapter 6 {
    /// Stores the string `value` under `key`, replacing a value of any
    /// type. The key's expiry time is cleared, unless `keepExpiry` is true
    /// (SET's `KEEPTTL`).
    package mutating func set(_ key: [UInt8], _ value: [UInt8], keepExpiry: Bool = false) {
        self.set(key, value: .string(value), keepExpiry: keepExpiry)
    }

    /// Stores `value` under `key`, as `set(_:_:keepExpiry:)` does.
    ///
    /// One hash lookup when no key has a TTL: `updateValue` inserts or
    /// replaces in place.
    package mutating func set(_ key: [UInt8], value: Value, keepExpiry: Bool = false) {
        let key = Key(key)
        self.watched.touch(key) // @chapter 8
        let existed = self.values.updateValue(value, forKey: key) != nil
        guard existed, !self.deadlines.isEmpty else { return }
        // An expired key's TTL goes too, KEEPTTL or not: it is a new key.
        if !keepExpiry || self.isExpired(key) {
            self.removeDeadline(key)
        }
    }
    // @}

    /// Deletes `key`. Returns true if it existed.
    // @chapter 6 {
    /// An expired key did not exist.
    // @}
    @discardableResult
    package mutating func remove(_ key: [UInt8]) -> Bool {
        self.remove(Key(key))
    }

    // @before 6 {
    // /// Deletes `key`. Returns true if it existed.
    // @}
    // @chapter 6 {
    /// Deletes `key` and its deadline. Returns true if it existed (and had
    /// not expired).
    // @}
    @discardableResult
    private mutating func remove(_ key: Key) -> Bool {
        guard self.values.removeValue(forKey: key) != nil else { return false }
        self.watched.touch(key) // @chapter 8
        // @before 6 {
        // return true
        // @}
        // @chapter 6 {
        let expired = self.isExpired(key)
        self.removeDeadline(key)
        return !expired
        // @}
    }

    /// Deletes every key.
    package mutating func removeAll() {
        self.watched.touchAll { self.values[$0] != nil } // @chapter 8
        self.values = [:]
        self.deadlines = [:] // @chapter 6
        self.keysWithExpiry = [] // @chapter 6
    }
    // @chapter 6 {

    /// When `key` expires (Unix ms), nil if it has no expiry, or
    /// `.missing` if there is no such key.
    public mutating func expiry(of key: [UInt8]) -> Expiry {
        let key = Key(key)
        guard self.liveValue(key) != nil else { return .missing }
        return self.deadlines[key].map { .at($0.at) } ?? .never
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
    package mutating func setExpiry(_ key: [UInt8], at time: Int64, deletingIfPast: Bool = true) -> Bool {
        let key = Key(key)
        guard self.liveValue(key) != nil else { return false }
        if deletingIfPast && time <= self.now {
            self.remove(key)
            return true
        }
        self.watched.touch(key) // @chapter 8
        if let index = self.deadlines.index(forKey: key) {
            self.deadlines.values[index].at = time
        } else {
            self.deadlines[key] = Deadline(at: time, slot: Int32(self.keysWithExpiry.count))
            self.keysWithExpiry.append(key)
        }
        return true
    }
    // end-snippet

    /// Removes a key's expiry time. Returns true if it had one.
    @discardableResult
    package mutating func removeExpiry(_ key: [UInt8]) -> Bool {
        let key = Key(key)
        guard self.liveValue(key) != nil else { return false }
        // @before 8 {
        // return self.removeDeadline(key)
        // @}
        // @chapter 8 {
        guard self.removeDeadline(key) else { return false }
        self.watched.touch(key)
        return true
        // @}
    }

    // snippet: swap-remove
    /// Removes `key`'s deadline, if it has one, and its place in
    /// `keysWithExpiry` in O(1): the last key moves into the hole, and its
    /// deadline learns its new slot. Returns true if there was a deadline.
    @discardableResult
    private mutating func removeDeadline(_ key: Key) -> Bool {
        guard !self.deadlines.isEmpty,
              let deadline = self.deadlines.removeValue(forKey: key) else { return false }
        let slot = Int(deadline.slot)
        let last = self.keysWithExpiry.count - 1
        if slot != last {
            let moved = self.keysWithExpiry[last]
            self.keysWithExpiry[slot] = moved
            self.deadlines[moved]?.slot = Int32(slot)
        }
        self.keysWithExpiry.removeLast()
        return true
    }
    // end-snippet

    // snippet: expire-random-keys
    /// Active expiry, one sample: looks at up to `count` random keys that
    /// have an expiry time and deletes those that have expired. Returns how
    /// many were looked at and how many were deleted.
    package mutating func expireRandomKeys(count: Int, using generator: inout some RandomNumberGenerator) -> (sampled: Int, expired: Int) {
        let sampled = min(count, self.keysWithExpiry.count)
        var expired = 0
        for _ in 0..<sampled {
            guard !self.keysWithExpiry.isEmpty else { break }
            let key = self.keysWithExpiry[Int.random(in: 0..<self.keysWithExpiry.count, using: &generator)]
            if self.isExpired(key) {
                self.remove(key)
                expired += 1
            }
        }
        return (sampled, expired)
    }
    // end-snippet
    // @}
}

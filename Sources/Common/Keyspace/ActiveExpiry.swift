// @chapter 6
/// Redis's active expiry cycle, on our store.
///
/// Passive expiry (deleting an expired key when someone reads it) is not
/// enough: a key that is written once with a TTL and never read again would
/// stay in memory forever. So, about ten times a second, Redis samples keys
/// that have a TTL and deletes the expired ones. If more than a quarter of
/// a sample had expired, many more probably have too, so it samples again
/// at once, within a time budget so that clients are never starved.
public enum ActiveExpiry {
    // snippet: cycle
    /// How many keys with a TTL one sample looks at (Redis: 20).
    package static let sampleSize = 20
    /// Sample again at once while more than this share of a sample expired.
    package static let repeatThreshold = 0.25
    /// How often the cycle runs (Redis's default `hz` is 10).
    package static let interval: Duration = .milliseconds(100)
    /// The longest one cycle may run, in milliseconds (Redis: 25% of a 100 ms tick).
    package static let budgetMilliseconds: Int64 = 25

    /// Runs one cycle. Each sample takes the lock separately, so clients on
    /// other threads can slip in between samples; on the reactor thread the
    /// cycle runs to its end (at most the budget) before clients go on, which
    /// is why the budget exists. Returns the keys deleted.
    @discardableResult
    package static func runCycle(on store: Store, budgetMilliseconds: Int64 = ActiveExpiry.budgetMilliseconds) -> Int {
        let start = Platform.monotonicMilliseconds()
        var deleted = 0
        // One system call for a seed, then a cheap generator: the system
        // generator makes a `getrandom` call for every number.
        var seeder = SystemRandomNumberGenerator()
        var generator = SplitMix64(seed: seeder.next())
        while true {
            let (sampled, expired) = store.withDatabase { database in
                database.expireRandomKeys(count: sampleSize, using: &generator)
            }
            deleted += expired
            // Few expired keys in this sample: most keys are still alive, stop.
            if sampled == 0 || Double(expired) <= Double(sampled) * repeatThreshold { break }
            if Platform.monotonicMilliseconds() - start >= budgetMilliseconds { break }
        }
        return deleted
    }
    // end-snippet

    /// Runs the cycle every `interval`, forever (until the task is cancelled).
    package static func runForever(on store: Store) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            runCycle(on: store)
        }
    }

    /// Active expiry as a server's background job, for a stage's manifest.
    public static let job = BackgroundJob("active expiry") { state in
        await ActiveExpiry.runForever(on: state.store)
    }
}

/// A small, fast random generator (SplitMix64): for picking sample keys,
/// and for test payloads that must be the same on every run. Not for
/// anything secret.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's state.
    private var state: UInt64

    /// Starts from `seed`.
    public init(seed: UInt64) { self.state = seed }

    public mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

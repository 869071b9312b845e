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
    public static let sampleSize = 20
    /// Sample again at once while more than this share of a sample expired.
    public static let repeatThreshold = 0.25
    /// How often the cycle runs (Redis's default `hz` is 10).
    public static let interval: Duration = .milliseconds(100)
    /// The longest one cycle may run, in milliseconds (Redis: 25% of a 100 ms tick).
    public static let budgetMilliseconds: Int64 = 25

    /// Runs one cycle. Each sample takes the lock separately, so clients on
    /// other threads can slip in between samples; on the reactor thread the
    /// cycle runs to its end (at most the budget) before clients go on, which
    /// is why the budget exists. Returns the keys deleted.
    @discardableResult
    public static func runCycle(on store: Store, budgetMilliseconds: Int64 = ActiveExpiry.budgetMilliseconds) -> Int {
        let start = Platform.monotonicMilliseconds()
        var deleted = 0
        var generator = SystemRandomNumberGenerator()
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
    public static func runForever(on store: Store) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            runCycle(on: store)
        }
    }
}

// @chapter 6
import Synchronization

/// Where the store reads the time: Unix time in milliseconds.
///
/// Expiry depends on "now", so the store never reads the system clock
/// directly. The server uses `SystemTimeSource`; tests inject a
/// `ManualTimeSource` and move time forward by hand, so that a test of a
/// 100-second TTL takes no time at all.
public protocol TimeSource: Sendable {
    /// Milliseconds since 1970-01-01 UTC (the unit of `PXAT`).
    func nowMilliseconds() -> Int64
}

/// The real wall clock. Redis uses wall-clock time too: `EXAT` and `PXAT`
/// name absolute Unix times.
public struct SystemTimeSource: TimeSource {
    /// Creates the system clock.
    public init() {}

    public func nowMilliseconds() -> Int64 {
        Platform.unixTimeMilliseconds()
    }
}

/// A clock that moves only when told to, for deterministic tests.
public final class ManualTimeSource: TimeSource {
    /// The current time, in Unix milliseconds.
    private let now: Atomic<Int64>

    /// Starts at `milliseconds` (by default 2025-01-01 00:00:00 UTC).
    public init(milliseconds: Int64 = 1_735_689_600_000) {
        self.now = Atomic(milliseconds)
    }

    public func nowMilliseconds() -> Int64 {
        self.now.load(ordering: .relaxed)
    }

    /// Moves time forward by `milliseconds`.
    package func advance(by milliseconds: Int64) {
        self.now.add(milliseconds, ordering: .relaxed)
    }
}

// @chapter 4
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a POSIX mutex: what the reactor and the outboxes use for
/// the state that several threads touch (the reactor thread, a signal's
/// Dispatch queue, the main thread).
///
/// Why not `Synchronization.Mutex`, which the keyspace uses? Both are a
/// futex underneath and cost the same uncontended, but when a contended
/// `Mutex` hands over in the kernel (inside the uninstrumented Swift
/// runtime), ThreadSanitizer sees neither the release nor the acquire and
/// reports the two critical sections as a race. It intercepts
/// `pthread_mutex_lock`, so with this lock `make test-tsan` needs no
/// suppression, and a real race on this state would be reported.
package final class Lock<State: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: `state` is only touched between lock and unlock.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var state: State

    /// A lock guarding `state`.
    package init(_ state: State) {
        self.state = state
        self.mutex = .allocate(capacity: 1)
        self.mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(self.mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(self.mutex)
        self.mutex.deinitialize(count: 1)
        self.mutex.deallocate()
    }

    /// Runs `body` with the state, holding the lock.
    package func withLock<Result, Failure: Error>(_ body: (inout State) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(self.mutex)
        defer { pthread_mutex_unlock(self.mutex) }
        return try body(&self.state)
    }
}
// @chapter 8 {

/// A number naming the calling thread, never 0 (EXEC's lock holder).
func currentThreadID() -> UInt {
    #if canImport(Darwin)
    UInt(bitPattern: pthread_self())
    #else
    UInt(pthread_self())
    #endif
}
// @}

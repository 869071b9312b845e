#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Synchronization
import Testing
@testable import Common

/// Why a reactor's read wait ended: the kernel's readiness, or the
/// client's outbox. A subscriber woken by a message must know it was the
/// outbox, or it pays a `recv` that fails with EAGAIN on every message.
@Suite("Reactor: a read wait tells readiness from an outbox wake")
struct ReactorWakeTests {
    /// A connected pair of non-blocking stream sockets, both closed by `body`'s end.
    static func withSocketPair(_ body: (Int32, Int32) async throws -> Void) async throws {
        var fds: [Int32] = [0, 0]
        #if canImport(Glibc)
        let kind = Int32(SOCK_STREAM.rawValue)
        #else
        let kind = SOCK_STREAM
        #endif
        try #require(socketpair(AF_UNIX, kind, 0, &fds) == 0, "socketpair failed")
        defer { close(fds[0]); close(fds[1]) }
        #expect(Platform.setNonBlocking(fds[0]) && Platform.setNonBlocking(fds[1]))
        try await body(fds[0], fds[1])
    }

    @Test("wakeReader ends the wait with false, readable data with true", arguments: Reactor.Backend.allCases)
    func twoKindsOfWake(backend: Reactor.Backend) async throws {
        #if !os(Linux)
        if backend == .epoll { return }
        #endif
        let reactor = Reactor(backend: backend)
        reactor.start()
        try await Self.withSocketPair { ours, theirs in
            try reactor.register(ours)
            defer { reactor.unregister(ours) }
            // Woken while nobody waits: the next wait returns at once, false.
            reactor.wakeReader(ours)
            let early = await Task(executorPreference: reactor) { await reactor.waitUntilReadable(ours) }.value
            #expect(early == false, "an outbox wake is not readiness: expected false, got true")
            // Woken while parked (the wake may also come first; same answer).
            let parked = Task(executorPreference: reactor) { await reactor.waitUntilReadable(ours) }
            reactor.wakeReader(ours)
            #expect(await parked.value == false, "an outbox wake of a parked reader: expected false, got true")
            // Bytes on the socket: true.
            let reading = Task(executorPreference: reactor) { await reactor.waitUntilReadable(ours) }
            var byte: UInt8 = 42
            #expect(write(theirs, &byte, 1) == 1)
            #expect(await reading.value == true, "a readable socket: expected true, got false")
        }
    }
}

@Suite("Outbox: one wake per burst")
struct OutboxWakeTests {
    @Test("a burst of sends wakes the owner once; after a drain the next send wakes it again")
    func oneWakePerBurst() {
        let wakes = Atomic<Int>(0)
        let outbox = Outbox(wake: { wakes.add(1, ordering: .relaxed) }, overflow: {})
        for message in ["a", "b", "c"] { outbox.send(Array(message.utf8)) }
        #expect(wakes.load(ordering: .relaxed) == 1, "three sends before any drain: expected 1 wake")
        var out: [UInt8] = []
        outbox.drain(into: &out)
        #expect(out == Array("abc".utf8), "expected \"abc\", got \(String(decoding: out, as: UTF8.self))")
        #expect(!outbox.hasPending)
        outbox.send(Array("d".utf8))
        #expect(wakes.load(ordering: .relaxed) == 2, "a send after a drain must wake the owner again")
        // Drained after other replies: appended, in order.
        var replies = Array("+OK\r\n".utf8)
        outbox.drain(into: &replies)
        #expect(replies == Array("+OK\r\nd".utf8))
        // wakeOwner always wakes (a BLPOP's wait ended; no bytes).
        outbox.wakeOwner()
        #expect(wakes.load(ordering: .relaxed) == 3)
    }
}

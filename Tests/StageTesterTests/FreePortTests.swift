import Common
import Foundation
@testable import StageGates
import Testing

/// The ports the gates give their servers. A port from the kernel's
/// ephemeral range can be taken between our probe and the server's bind,
/// by a parallel scenario's probe or by any client's `connect`; CI met
/// the result, "connection refused" from a server that was running.
@Suite("gate server ports", .serialized)
struct FreePortTests {
    /// The kernel's ephemeral range on this machine, as Linux reports it.
    private static var ephemeralRange: ClosedRange<Int>? {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8) else { return nil }
        let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard bounds.count == 2 else { return nil }
        return bounds[0]...bounds[1]
    }

    @Test("ports come from below the ephemeral range, and are not handed out twice")
    func portsAvoidTheEphemeralRange() throws {
        var seen = Set<Int>()
        for _ in 0..<200 {
            let port = try ServerUnderTest.freePort()
            #expect(ServerUnderTest.portRange.contains(port),
                    "port \(port) is outside \(ServerUnderTest.portRange); hint: a bind(0) port is from the ephemeral range, which clients share")
            if let ephemeral = FreePortTests.ephemeralRange {
                #expect(!ephemeral.contains(port), "port \(port) is in the ephemeral range \(ephemeral)")
            }
            #expect(seen.insert(port).inserted, "port \(port) was handed out twice")
        }
    }

    @Test("a port that something has bound is skipped")
    func boundPortsAreSkipped() throws {
        // The next ports in turn are the ones after this one. (Another
        // suite may take a few meanwhile: hence a window of 100.)
        let last = try ServerUnderTest.freePort()
        var held: [TCPListener] = []
        defer { held.forEach { $0.close() } }
        for offset in 1...100 where ServerUnderTest.portRange.contains(last + offset) {
            if let listener = try? TCPListener(host: "127.0.0.1", port: last + offset) { held.append(listener) }
        }
        let heldPorts = Set(held.map(\.address.port))
        #expect(!heldPorts.isEmpty, "could not bind any port after \(last) to set up the test")
        for _ in 0..<100 {
            let port = try ServerUnderTest.freePort()
            let isHeld = heldPorts.contains(port)
            #expect(!isHeld, "port \(port) was handed out while a listener held it")
        }
    }
}

// A libFuzzer target for the RESP request parser, the reply parser and
// the newest stage's command layer (stage 6's, and stage 7's lists once
// Stages/07-* exists: see CommandChecks.swift).
//
// It is not a SwiftPM target: libFuzzer brings its own `main`, and SwiftPM
// links every executable on Linux with `main` aliased to the module's own
// entry point, so the two clash. `Tests/Fuzz/run-fuzz.sh` builds it with
// `swiftc` instead: Common as its own module (so `public` and `internal`
// mean what they mean in the servers), then these files together with
// Sources/Harness (the reply parser), dispatching through a `CommandTable`
// of the newest stage's commands, the same table the server runs.
// Tests/Fuzz/README.md explains how to run it and what to do with a crash.
@testable import Common

/// libFuzzer's entry point: called once per input, millions of times.
///
/// The same bytes are used twice: as what a client sends (requests, then
/// the commands they hold, run against a store) and as what a server sends
/// (replies, which `redis-client` and `stage-tester` parse from servers we
/// do not control). Every broken invariant ends in `fatalError`, which
/// libFuzzer reports as a crash and saves the input for.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let seed = Chunkings.hash(input)
    let requests = RequestChecks.run(on: input, seed: seed)
    CommandChecks.run(requests, seed: seed)
    ReplyChecks.run(on: input, seed: seed)
    return 0
}

/// Stops the fuzzer with `message` when `condition` is false.
///
/// `precondition` would do in a debug build, but its message is dropped
/// in an optimized one; the message is what tells a human which invariant
/// broke, so this always keeps it.
func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
               file: StaticString = #fileID, line: UInt = #line) {
    if !condition() {
        fatalError("fuzz invariant failed: " + message(), file: file, line: line)
    }
}

/// An input or value, escaped and cut short enough for a crash message.
func shown<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let limit = 300
    let text = bytes.prefix(limit).escaped
    return "\"" + text + "\"" + (bytes.count > limit ? " (\(bytes.count) bytes)" : "")
}

/// Where to cut an input into pieces, as TCP might.
///
/// A parser must give the same answer however the stream was cut, so each
/// input is parsed whole and again in pieces. The cut points come from a
/// hash of the input: the same input always gets the same cuts (so a crash
/// reproduces), and libFuzzer's mutations try many different ones.
enum Chunkings {
    /// Inputs up to this size are also fed one byte at a time; beyond it,
    /// that costs more time than it finds.
    static let byteByByteLimit = 512

    /// FNV-1a, 64 bits: a cheap, well-mixed hash of the input.
    static func hash(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The ways to cut `count` bytes besides "whole": each is a sorted list
    /// of the offsets where one piece ends and the next starts. A cut may
    /// make an empty piece (an empty read is worth testing too).
    static func cuts(count: Int, seed: UInt64) -> [[Int]] {
        guard count > 1 else { return [] }
        let first = Int(seed % UInt64(count + 1))
        let second = Int((seed >> 32) % UInt64(count + 1))
        var result = [[first], [min(first, second), max(first, second)]]
        if count <= byteByByteLimit { result.append(Array(1..<count)) }
        return result
    }

    /// The pieces of `input` for the cut points `cuts`.
    static func pieces(_ input: [UInt8], at cuts: [Int]) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        for end in cuts + [input.count] {
            pieces.append(input[start..<end])
            start = end
        }
        return pieces
    }
}

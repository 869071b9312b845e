// swift-tools-version:6.1
//
// Redis from Scratch, in Swift.
//
// Every stage of the course is its own executable target, built on one shared
// library (`Common`). The package uses no third-party dependencies: writing the
// sockets, the RESP codec and the event loop ourselves is the point.
//
// It needs macOS 15 or Linux (the reactor uses epoll there, poll() on macOS).
import Foundation
import PackageDescription

/// The stages of the course, found by globbing: every folder
/// `Stages/NN-name` becomes an executable target `StageNN`. One number is
/// used everywhere: folder `Stages/NN-name`, target `StageNN`, chapter
/// `Tutorials/NN-name.md`, scenarios `Sources/StageGates/StageNNScenarios.swift`,
/// `make stage-N`. Adding a stage edits nothing here. (SwiftPM caches what
/// this file evaluates to, keyed by its text and the environment: the
/// Makefile exports the list of stage folders so that a new one is seen;
/// plain `swift build` needs `swift package purge-cache` after adding one.)
let stageTargets: [Target] = {
    let folder = Context.packageDirectory + "/Stages"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    // `NN-name`: two digits, a dash, a name.
    let isStageFolder = { (name: String) in
        name.count > 3 && name.prefix(2).allSatisfy { ("0"..."9").contains($0) } && name.dropFirst(2).first == "-"
    }
    return names.sorted().filter(isStageFolder).map { name in
        let hasReadme = FileManager.default.fileExists(atPath: "\(folder)/\(name)/README.md")
        return .executableTarget(
            name: "Stage" + name.prefix(2),
            dependencies: ["Common"],
            path: "Stages/\(name)",
            exclude: hasReadme ? ["README.md"] : []
        )
    }
}()

let package = Package(
    name: "RedisFromScratch",
    // macOS 15 or Linux is required.
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Common", targets: ["Common"]),
    ],
    targets: [
        // What the chapters teach once and every stage reuses.
        .target(name: "Common", dependencies: ["CEpoll"]),
        // A tiny C shim over epoll and eventfd, which Glibc does not expose to Swift.
        .target(name: "CEpoll"),
        // What only the gates and tools need: a RESP reply parser and
        // printer (the client's side of the protocol) and child processes.
        .target(name: "Harness", dependencies: ["Common"]),
        // The black-box scenarios behind every stage's gate. The plugin
        // writes the registry of stages from the files StageNNScenarios.swift.
        .target(name: "StageGates", dependencies: ["Common", "Harness"], plugins: ["GateRegistry"]),
        .plugin(name: "GateRegistry", capability: .buildTool(), path: "Plugins/GateRegistry"),
        // Differential fuzzing (`stage-tester --diff`): random command
        // sequences sent to a server and to redis-server, replies compared.
        .target(name: "Differential", dependencies: ["Common", "Harness", "StageGates"]),
        .testTarget(name: "CommonTests", dependencies: ["Common", "Harness"]),
        // Every stage's gate: gate N is the scenarios of stages 1...N, run
        // against StageNN. GATE_STAGES="4 5 6" runs only those gates.
        .testTarget(name: "GateTests", dependencies: ["StageGates"]),
        // The gates as a standalone tool: `swift run stage-tester --stage N -- <server command>`.
        .executableTarget(name: "stage-tester", dependencies: ["StageGates", "Differential"], path: "Sources/StageTester"),
        // A small redis-cli of our own: `swift run redis-client`.
        .executableTarget(name: "redis-client", dependencies: ["Common", "Harness"], path: "Sources/RedisClient"),
        // The stage-tester binary against good and planted broken servers.
        .testTarget(name: "StageTesterTests", dependencies: ["Common", "Harness", "StageGates", "Differential"]),
        // redis-cli, redis-benchmark and redis-py against our stages.
        .testTarget(name: "InteropTests", dependencies: ["StageGates", "Harness"]),
        // Ctrl-C and `kill` against our stages 4+: stop accepting, finish, exit 0.
        .testTarget(name: "ShutdownTests", dependencies: ["StageGates", "Harness"]),
        .testTarget(
            name: "TutorialTests",
            dependencies: [],
            path: "Tests/TutorialTests"
        ),
    ] + stageTargets,
    swiftLanguageModes: [.v6]
)

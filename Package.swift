// swift-tools-version:6.0
//
// Redis from Scratch, in Swift.
//
// Every stage of the course is its own executable target, built on one shared
// library (`Common`). The package uses no third-party dependencies: writing the
// sockets, the RESP codec and the event loop ourselves is the point.
import Foundation
import PackageDescription

/// The stages of the course, in order. One number is used everywhere:
/// folder `Stages/NN-name`, target `StageNN`, tests `Tests/StageNNTests`,
/// chapter `Tutorials/NN-name.md`, `make stage-N`.
let stages: [(number: String, folder: String)] = [
    ("01", "01-bind-port"),
    ("02", "02-ping"),
    ("03", "03-echo"),
    ("04", "04-concurrent-clients"),
    ("05", "05-set-get"),
    ("06", "06-expiry"),
]

let stageTargets: [Target] = stages.flatMap { stage -> [Target] in
    [
        .executableTarget(
            name: "Stage\(stage.number)",
            dependencies: ["Common"],
            path: "Stages/\(stage.folder)",
            exclude: ["README.md"]
        ),
        .testTarget(
            name: "Stage\(stage.number)Tests",
            dependencies: ["StageGates"],
            path: "Tests/Stage\(stage.number)Tests"
        ),
    ]
}

/// Exercise workspaces made by `make exercise-N`: every folder
/// `Exercises/NN-name` becomes an executable target `ExerciseNN`. (SwiftPM
/// caches what this file evaluates to: after adding or removing a folder by
/// hand, run `swift package purge-cache`; `make exercise-N` does.)
let exerciseTargets: [Target] = {
    let folder = Context.packageDirectory + "/Exercises"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.sorted().filter { $0.first?.isNumber == true }.map { name in
        let hasReadme = FileManager.default.fileExists(atPath: "\(folder)/\(name)/README.md")
        return .executableTarget(
            name: "Exercise" + name.prefix(2),
            dependencies: ["Common"],
            path: "Exercises/\(name)",
            exclude: hasReadme ? ["README.md"] : []
        )
    }
}()

let package = Package(
    name: "RedisFromScratch",
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
        // The black-box scenarios behind every stage's gate.
        .target(name: "StageGates", dependencies: ["Common", "Harness"]),
        .testTarget(name: "CommonTests", dependencies: ["Common", "Harness"]),
        // The gates as a standalone tool: `swift run stage-tester --stage N -- <server command>`.
        .executableTarget(name: "stage-tester", dependencies: ["StageGates"], path: "Sources/StageTester"),
        // A small redis-cli of our own: `swift run redis-client`.
        .executableTarget(name: "redis-client", dependencies: ["Common", "Harness"], path: "Sources/RedisClient"),
        // The stage-tester binary against good and planted broken servers.
        .testTarget(name: "StageTesterTests", dependencies: ["Common", "Harness"]),
        // redis-cli, redis-benchmark and redis-py against our stages.
        .testTarget(name: "InteropTests", dependencies: ["StageGates", "Harness"]),
        // Ctrl-C and `kill` against our stages 4+: stop accepting, finish, exit 0.
        .testTarget(name: "ShutdownTests", dependencies: ["StageGates", "Harness"]),
        .testTarget(
            name: "TutorialTests",
            dependencies: [],
            path: "Tests/TutorialTests"
        ),
    ] + stageTargets + exerciseTargets,
    swiftLanguageModes: [.v6]
)

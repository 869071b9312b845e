// Starting and stopping the servers under test: what the gates, the
// stage-tester and the benchmarks need, and no server does.

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Common

/// Child processes for the test harness: spawn a shell command, watch it,
/// signal it, wait for it.
package enum ChildProcess {
    /// Starts `/bin/sh -c "exec <command>"` with stdin from /dev/null and
    /// stdout and stderr appended to `outputPath`. Returns the child's pid.
    ///
    /// Unlike Foundation's `Process`, this resets the child's signal mask
    /// and handlers: a child started from a thread that blocks SIGTERM (as
    /// test runners' threads do) would otherwise ignore a polite stop.
    ///
    /// With `ownProcessGroup`, the child leads a new process group (its id
    /// is the child's pid), which everything it starts joins, so that
    /// `waitForExit(_:timeoutMilliseconds:killingGroup:)` can stop them all.
    package static func spawn(shellCommand: String, outputPath: String, ownProcessGroup: Bool = false) throws -> Int32 {
        #if canImport(Darwin)
        var attributes: posix_spawnattr_t? = nil
        var actions: posix_spawn_file_actions_t? = nil
        #else
        var attributes = posix_spawnattr_t()
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signalNumber in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaultSignals, signalNumber) }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        // The child must not inherit our sockets: one it kept open would
        // outlive our close, and its peer would never see that client hang
        // up. Common's sockets are close-on-exec; on Darwin, the spawn also
        // closes everything but the three descriptors set up below (glibc's
        // equivalent, addclosefrom_np, is not visible to Swift).
        #if canImport(Darwin)
        let closeTheRest = POSIX_SPAWN_CLOEXEC_DEFAULT
        #else
        let closeTheRest: Int32 = 0
        #endif
        let newGroup = ownProcessGroup ? Int32(POSIX_SPAWN_SETPGROUP) : 0
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | Int32(closeTheRest) | newGroup))
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let words = ["/bin/sh", "-c", "exec " + shellCommand]
        var argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for word in argv { free(word) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, environ)
        guard result == 0 else { throw SocketError("posix_spawn", errno: result) }
        return pid
    }

    /// Whether child `pid` has exited. Reaps it if so; a pid that was reaped
    /// already counts as exited.
    package static func childHasExited(_ pid: Int32) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) != 0
    }

    /// Waits up to `timeoutMilliseconds` for child `pid` to exit and returns
    /// its exit status (128 + signal number if a signal ended it), or nil if
    /// it is still running (it is then killed).
    ///
    /// With `killingGroup` (for a child spawned with `ownProcessGroup`), the
    /// kill goes to its whole process group: a stage-tester stopped at its
    /// deadline would otherwise leave the server it started running.
    package static func waitForExit(_ pid: Int32, timeoutMilliseconds: Int, killingGroup: Bool = false) -> Int32? {
        let deadline = Platform.monotonicMilliseconds() + Int64(timeoutMilliseconds)
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if result < 0 { return nil }
            if Platform.monotonicMilliseconds() > deadline {
                _ = kill(killingGroup ? -pid : pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return nil
            }
            Platform.sleep(milliseconds: 5)
        }
    }

    /// Sends `SIGTERM` (or `SIGKILL` when `force`) to process `pid`.
    package static func sendSignal(to pid: Int32, force: Bool = false) {
        _ = kill(pid, force ? SIGKILL : SIGTERM)
    }

    /// Sends signal `number` (such as one of `stopSignals`) to process `pid`.
    package static func sendSignal(_ number: Int32, to pid: Int32) {
        _ = kill(pid, number)
    }
}

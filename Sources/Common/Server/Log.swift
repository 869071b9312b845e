// @chapter 0
/// Prints one line to standard output and flushes it at once.
///
/// `print` is buffered when stdout is a pipe (as under `make` or a test),
/// so a line such as "listening on ..." could otherwise show up late or
/// never. Servers log rarely, so flushing every line costs nothing.
public func log(_ message: String) {
    print(message)
    Platform.flushStandardOutput()
}

/// Prints one line to standard error and exits with `status`.
public func fail(_ message: String, status: Int32 = 1) -> Never {
    Platform.writeStandardError(message + "\n")
    Platform.exit(status)
}

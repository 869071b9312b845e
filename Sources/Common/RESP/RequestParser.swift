// @chapter 2
/// Turns the bytes a client sends into commands, however TCP cut them up.
///
/// TCP delivers a *stream*: one `read` may hold half a command, or ten
/// pipelined commands, or the end of one and the start of the next. So the
/// parser keeps every byte that is not yet a whole command, and `next()`
/// hands out a command only once all of it has arrived:
///
/// ```swift
/// parser.append(bytesJustRead)
/// while let command = try parser.next() {
///     // reply to command
/// }
/// // nil: the rest is an incomplete command; read more bytes.
/// ```
///
/// A client sends a command in one of two forms:
/// - **multibulk**, an array of bulk strings (what redis-cli and every
///   client library send): `*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n`;
/// - **inline**, words on one line, for humans typing in telnet or nc:
///   `ECHO hi\r\n`.
///
/// Any first byte other than `*` means inline, exactly as in Redis.
///
/// Malformed input throws a `ProtocolError`, and the connection must then be
/// closed. Limits keep a hostile client from making us buffer without end:
/// a line without its terminator may not exceed 64 KB, and a bulk string may
/// not claim more than 512 MB. Memory for a large bulk string is never
/// reserved up front: the buffer grows only with the bytes that arrive.
public struct RequestParser: Sendable {
    /// The longest inline command, or multibulk header line, that may be
    /// buffered without finding its end (Redis's `PROTO_INLINE_MAX_SIZE`).
    package static let maxInlineSize = 64 * 1024
    /// The largest bulk string a client may send (Redis's `proto-max-bulk-len`).
    package static let maxBulkLength = 512 * 1024 * 1024
    /// The largest element count a multibulk header may announce. Redis 7
    /// accepts up to 2^31-1; memory is still only spent as elements arrive.
    package static let maxMultibulkCount = Int(Int32.max)

    /// Bytes received but not yet consumed; consumed bytes are dropped on
    /// the next `append`, so the buffer never holds finished commands.
    private var buffer: [UInt8] = []
    /// Where the unparsed bytes start inside `buffer`.
    private var position = 0
    /// Elements still expected by the multibulk command being read; 0 when
    /// no multibulk command is in progress.
    private var remainingArguments = 0
    /// The length of the bulk string being read, once its `$N` line has
    /// been parsed; nil while waiting for that line.
    private var bulkLength: Int?
    /// The elements of the multibulk command being read: the first
    /// `argumentCount` are its own, any after them the last command's.
    private var arguments: [[UInt8]] = []
    /// How many of `arguments` the command being read has filled.
    private var argumentCount = 0

    /// An empty parser.
    public init() {}

    /// How many received bytes are waiting to be parsed.
    package var bufferedByteCount: Int {
        self.buffer.count - self.position
    }

    /// Adds bytes just read from the socket.
    package mutating func append<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        // Drop what earlier `next()` calls consumed, so the buffer holds only
        // the unfinished command. While a big bulk string is arriving,
        // `position` stays put, so this does not copy it again and again.
        if self.position > 0 {
            self.buffer.removeSubrange(0..<self.position)
            self.position = 0
        }
        self.buffer.append(contentsOf: bytes)
    }

    // snippet: next
    /// Returns the next complete command as its arguments (the command name
    /// first), or nil when more bytes are needed.
    ///
    /// Empty requests (`*0\r\n`, `*-1\r\n`, an empty inline line) are skipped,
    /// as Redis skips them: they get no reply.
    public mutating func next() throws(ProtocolError) -> [[UInt8]]? {
        while true {
            if self.remainingArguments == 0 {
                guard self.position < self.buffer.count else {
                    self.releaseConsumedBytes()
                    // Let go of the last command's arguments: an idle client
                    // must not keep a big value alive.
                    self.arguments = []
                    return nil
                }
                if self.buffer[self.position] == UInt8(ascii: "*") {
                    guard let count = try self.readMultibulkHeader() else { return nil }
                    // `*0` and negative counts are empty requests: no reply.
                    if count <= 0 { continue }
                    self.remainingArguments = count
                    self.startArguments(count: count)
                } else {
                    guard let words = try self.readInlineCommand() else { return nil }
                    if words.isEmpty { continue }
                    return words
                }
            }
            // Read the elements of the multibulk command, one bulk string each.
            while self.remainingArguments > 0 {
                guard try self.readBulkString() else { return nil }
                self.remainingArguments -= 1
            }
            // Arguments left over from a longer last command go.
            if self.arguments.count > self.argumentCount {
                self.arguments.removeLast(self.arguments.count - self.argumentCount)
            }
            // A copy that shares the array: the parser keeps it, to reuse.
            return self.arguments
        }
    }
    // end-snippet

    // MARK: - Multibulk

    // snippet: multibulk-header
    /// Parses `*<count>\r\n`. Returns nil when the line is not complete yet.
    private mutating func readMultibulkHeader() throws(ProtocolError) -> Int? {
        guard let lineEnd = self.findLineEnd(from: self.position + 1) else {
            if self.bufferedByteCount > RequestParser.maxInlineSize { throw .tooBigMultibulkCount }
            return nil
        }
        guard let count = self.integer(from: self.position + 1, to: lineEnd),
              count <= RequestParser.maxMultibulkCount
        else { throw .invalidMultibulkLength }
        self.position = lineEnd + 2
        return count
    }
    // end-snippet

    // snippet: bulk-string
    /// Parses one `$<length>\r\n<bytes>\r\n` element and adds it to the
    /// arguments. Returns false when it has not fully arrived yet; the
    /// `$<length>` line is remembered meanwhile.
    private mutating func readBulkString() throws(ProtocolError) -> Bool {
        if self.bulkLength == nil {
            guard self.position < self.buffer.count else { return false }
            guard let lineEnd = self.findLineEnd(from: self.position) else {
                if self.bufferedByteCount > RequestParser.maxInlineSize { throw .tooBigBulkCount }
                return false
            }
            let marker = self.buffer[self.position]
            guard marker == UInt8(ascii: "$") else { throw .expectedDollar(got: marker) }
            guard let length = self.integer(from: self.position + 1, to: lineEnd),
                  length >= 0, length <= RequestParser.maxBulkLength
            else { throw .invalidBulkLength }
            self.position = lineEnd + 2
            self.bulkLength = length
        }
        let length = self.bulkLength!
        // The payload and the two bytes that end it. Like Redis, we skip those
        // two bytes without checking that they are CR LF.
        guard self.buffer.count - self.position >= length + 2 else { return false }
        self.saveArgument(from: self.position, count: length)
        self.position += length + 2
        self.bulkLength = nil
        return true
    }
    // end-snippet

    /// Finds the `\r` that ends a header line and checks that one more byte
    /// (the `\n`) has arrived. Redis looks for `\r` alone and then skips two
    /// bytes; we do the same so that odd input gets the same answer.
    private func findLineEnd(from start: Int) -> Int? {
        guard let carriageReturn = self.firstIndex(of: 13, from: start),
              carriageReturn + 1 < self.buffer.count
        else { return nil }
        return carriageReturn
    }

    /// The first `byte` at or after `start`, as C's `strchr` finds it:
    /// Redis searches its buffer as a C string, so a NUL byte ends the
    /// search and the line counts as not yet complete.
    private func firstIndex(of byte: UInt8, from start: Int) -> Int? {
        // Through a pointer, as the helpers below: this runs for every
        // byte of every header line, and the buffer's own subscript would
        // check each index against its bounds.
        self.buffer.withUnsafeBufferPointer { buffer in
            var index = start
            while index < buffer.count {
                let current = buffer[index]
                if current == byte { return index }
                if current == 0 { return nil }
                index += 1
            }
            return nil
        }
    }

    /// The decimal number in `buffer[start..<end]`. Read through a pointer:
    /// the slice `buffer[start..<end]` would retain and release the whole
    /// buffer, for every header line.
    private func integer(from start: Int, to end: Int) -> Int? {
        self.buffer.withUnsafeBufferPointer { buffer in
            RequestParser.parseInteger(UnsafeBufferPointer(rebasing: buffer[start..<end]))
        }
    }

    /// Readies `arguments` for a command of `count` arguments.
    ///
    /// The last command's array, and the arrays in it, are refilled in
    /// place if its caller has let go of them: a pipeline then allocates
    /// almost nothing per command (see `saveArgument`). Making room moves
    /// the array if the caller kept it (MULTI queues it, from chapter 8),
    /// or if it is too small; its arguments may then be the caller's, so
    /// the moved copy is emptied and the command gets new ones.
    private mutating func startArguments(count: Int) {
        self.argumentCount = 0
        let before = self.arguments.withUnsafeBufferPointer { $0.baseAddress }
        // Reserve for the common case only: a client may announce two
        // billion elements and then send none.
        self.arguments.reserveCapacity(min(count, 1024))
        if self.arguments.withUnsafeBufferPointer({ $0.baseAddress }) != before {
            self.arguments.removeAll(keepingCapacity: true)
        }
    }

    /// Copies the `count` bytes at `start` into the next argument (see
    /// `storeArgument(_:at:)` for how it reuses the last command's).
    private mutating func saveArgument(from start: Int, count: Int) {
        let index = self.argumentCount
        self.argumentCount += 1
        // Through a pointer: a slice of the buffer would retain it.
        self.buffer.withUnsafeBufferPointer { buffer in
            self.arguments.storeArgument(UnsafeBufferPointer(rebasing: buffer[start..<(start + count)]), at: index)
        }
    }

    // MARK: - Inline

    /// Reads one inline line and splits it into words. Returns nil when the
    /// `\n` has not arrived yet.
    private mutating func readInlineCommand() throws(ProtocolError) -> [[UInt8]]? {
        guard let newline = self.firstIndex(of: 10, from: self.position) else {
            if self.bufferedByteCount > RequestParser.maxInlineSize { throw .tooBigInlineRequest }
            return nil
        }
        var lineEnd = newline
        if lineEnd > self.position && self.buffer[lineEnd - 1] == 13 { lineEnd -= 1 }
        let line = self.buffer[self.position..<lineEnd]
        self.position = newline + 1
        return try InlineCommand.split(line) // @chapter 3
        // @before 3 {
        // // Words separated by spaces; chapter 3 adds quotes and escapes.
        // return line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }).map { Array($0) }
        // @}
    }

    // MARK: - Helpers

    /// The buffer's allocated size, for tests of the memory limits.
    var bufferCapacity: Int { self.buffer.capacity }
    /// The argument list's allocated size, for tests of the memory limits.
    var argumentsCapacity: Int { self.arguments.capacity }

    /// Frees the buffer once everything in it has been consumed, so that an
    /// idle connection does not keep the memory of its largest command.
    private mutating func releaseConsumedBytes() {
        guard self.position > 0, self.position == self.buffer.count else { return }
        if self.buffer.capacity > 64 * 1024 {
            self.buffer = []
        } else {
            self.buffer.removeAll(keepingCapacity: true)
        }
        self.position = 0
    }

    /// Parses a decimal integer as strictly as Redis does (`string2ll`):
    /// an optional `-`, then digits, with no `+`, no spaces and no leading
    /// zeros. Returns nil for anything else, or on overflow.
    package static func parseInteger<Bytes: Collection>(_ bytes: Bytes) -> Int? where Bytes.Element == UInt8 {
        var iterator = bytes.makeIterator()
        guard var byte = iterator.next() else { return nil }
        let negative = byte == UInt8(ascii: "-")
        if negative {
            guard let next = iterator.next() else { return nil }
            byte = next
        }
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        // A leading zero is only allowed for "0" itself.
        if byte == UInt8(ascii: "0") {
            return iterator.next() == nil && !negative ? 0 : nil
        }
        var magnitude = UInt64(byte - UInt8(ascii: "0"))
        while let next = iterator.next() {
            guard next >= UInt8(ascii: "0"), next <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(next - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            magnitude = sum
        }
        if negative {
            guard magnitude <= UInt64(Int.max) + 1 else { return nil }
            return magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)
        }
        guard magnitude <= UInt64(Int.max) else { return nil }
        return Int(magnitude)
    }
}

extension Array where Element == [UInt8] {
    /// The longest argument that `storeArgument(_:at:)` copies into the
    /// array already in its place. A longer one gets a new array: its
    /// allocation costs little beside the copy, and refilling an array
    /// that someone kept would first copy its old bytes.
    static var refillLimit: Int { 1024 }

    /// Stores a copy of `bytes` as argument `index`: appended at the end,
    /// or in place of the argument there.
    ///
    /// Every argument is an array of its own, so that the bytes it came
    /// from can be reused while a value lives on in the store. A pipeline
    /// repeats the same shapes of command, so the array the last command
    /// had in this place is refilled when it has the right size: if its
    /// caller let go of it (a key, a command's name), that costs no
    /// allocation and no free; if the caller kept it (the store keeps
    /// SET's value), the array is a value, copied on write, and refilling
    /// it makes a new one. Another size gets a new array, so that an
    /// argument's capacity stays near its length: a short value in the
    /// store must not hold the memory of a long one.
    // Inlined into the parser's loop and EXEC's: as a call, it cost 3% of
    // a pipelined MSET's instructions.
    @inline(__always)
    mutating func storeArgument(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) {
        guard index < self.count else {
            self.append([UInt8](bytes))
            return
        }
        let count = bytes.count
        let capacity = self[index].capacity
        if count > Self.refillLimit {
            self[index] = [UInt8](bytes)
        } else if self[index].count == count {
            // The usual case, the same size again: copied over in place.
            self[index].withUnsafeMutableBufferPointer { word in
                _ = word.update(fromContentsOf: bytes)
            }
        } else if capacity >= count && capacity < count + 16 {
            self[index].removeAll(keepingCapacity: true)
            self[index].append(contentsOf: bytes)
        } else {
            self[index] = [UInt8](bytes)
        }
    }
}

// @chapter 7
/// One end of a list: Redis's LEFT (the head, where LPUSH pushes) or RIGHT
/// (the tail, where RPUSH pushes).
public enum ListEnd: Sendable, Equatable {
    case left, right

    /// Reads `LEFT` or `RIGHT` in any case, as LMOVE and LMPOP take them.
    init(parsing word: [UInt8]) throws(CommandError) {
        if word.equalsIgnoringASCIICase("left") {
            self = .left
        } else if word.equalsIgnoringASCIICase("right") {
            self = .right
        } else {
            throw .syntaxError
        }
    }
}

extension QuickList {
    /// Pushes `element` at `end`.
    mutating func push(_ element: [UInt8], at end: ListEnd) {
        switch end {
        case .left: self.pushFront(element)
        case .right: self.pushBack(element)
        }
    }

    /// Pops the element at `end`, or nil if the list is empty.
    mutating func pop(at end: ListEnd) -> [UInt8]? {
        switch end {
        case .left: self.popFront()
        case .right: self.popBack()
        }
    }
}

// The operations that both a command and a blocked client perform: LPOP
// and BLPOP take an element the same way, LMOVE and BLMOVE move it the
// same way. Writing them once is what keeps a blocked client's reply
// byte-identical to the non-blocking command's.
extension Database {
    /// Pops up to `count` elements from `end` of the list at `key`, in
    /// popping order; nil if there is no such list.
    package mutating func pop(_ key: [UInt8], at end: ListEnd, count: Int) throws(CommandError) -> [[UInt8]]? {
        // `LPOP k 0` reads: it must not count as a change to the list.
        if count == 0 { return try self.list(of: key).map { _ in [] } }
        return try self.modifyList(key) { list in
            var popped: [[UInt8]] = []
            popped.reserveCapacity(min(count, list.count))
            while popped.count < count, let element = list.pop(at: end) {
                popped.append(element)
            }
            return popped
        }
    }

    // snippet: list-move
    /// LMOVE: pops from `end` of `source` and pushes to `destinationEnd` of
    /// `destination`, creating it if needed; returns the element, or nil if
    /// `source` has no list. Both keys are type-checked before anything
    /// moves, so a WRONGTYPE destination leaves the source untouched.
    package mutating func move(
        from source: [UInt8], _ end: ListEnd, to destination: [UInt8], _ destinationEnd: ListEnd
    ) throws(CommandError) -> [UInt8]? {
        guard try self.list(of: source) != nil else { return nil }
        // One key on both sides rotates the list in place: it never becomes
        // empty on the way, so it keeps its TTL.
        if source == destination {
            return try self.modifyList(source) { list in
                let element = list.pop(at: end)!
                list.push(element, at: destinationEnd)
                return element
            }
        }
        _ = try self.list(of: destination)
        guard let element = try self.modifyList(source, { $0.pop(at: end) }) ?? nil else { return nil }
        try self.modifyList(destination, creating: true) { $0.push(element, at: destinationEnd) }
        return element
    }
    // end-snippet
}

// @chapter 8
// INCRBYFLOAT's numbers: what C calls a `long double`.
//
// Redis 7.0.15 does INCRBYFLOAT's arithmetic in a C `long double`: it
// reads both numbers with `strtold`, adds them, and writes the sum with
// `printf("%.17Lf")`, then drops the zeros at the end of the fraction (its
// `ld2string` in "human" mode). What a `long double` is depends on the
// machine Redis was built for:
//
// - x86 (Linux, Intel Macs): the x87 80-bit format, with a 64-bit
//   significand. That is Redis on a typical server, and our specification.
//   Swift calls this type `Float80`.
// - Apple silicon, Windows: the same as `double` (53-bit significand).
// - 64-bit ARM Linux: IEEE quadruple precision (113 bits), in software.
//
// The choice, stated plainly: where Swift has `Float80` (x86, except on
// Windows and Android) we compute in `Float80`, and every reply is Redis's
// on x86, byte for byte. Elsewhere Swift has no type of that width, and we
// compute in `Double`: the replies are then those of a Redis whose long
// double is a double (Redis on Apple silicon), which differ from x86 in
// the last digits. For example `INCRBYFLOAT k 0.1` on `10.5` is `10.6` in
// 80 bits but `10.59999999999999964` in 64 (10.6 has no exact binary form,
// and 17 decimals show the error of a double, not that of a long double).
// Emulating 80-bit arithmetic in software would remove the difference, at
// the cost of a few hundred lines that teach nothing about Redis.
//
// Reading and writing are written here, not left to `printf`: the rules
// are short, and they are exactly what a client sees.

#if (arch(i386) || arch(x86_64)) && !os(Windows) && !os(Android)
/// The type INCRBYFLOAT computes in: C's `long double` on x86 (see the
/// top of this file).
public typealias LongDouble = Float80
#else
/// The type INCRBYFLOAT computes in: no `Float80` on this machine, so a
/// `Double`, as Redis has on Apple silicon (see the top of this file).
public typealias LongDouble = Double
#endif

/// How Redis 7.0.15 reads a number as a long double (`string2ld`) and
/// writes one back (`ld2string`, human-friendly mode).
enum LongDoubleText {
    /// Redis copies the text into a buffer of 5 KB with room for the NUL
    /// at the end: 5,120 bytes or more is not a float, whatever they say.
    static let maximumLength = 5 * 1024

    // MARK: - Reading

    /// The number `bytes` spell, as `strtold` reads it, or nil where Redis
    /// says `value is not a valid float`.
    ///
    /// Redis accepts what `strtold` reads *whole*: no space before (C's
    /// `strtold` would skip it, Redis checks) or after, no NUL inside. On
    /// top of that it refuses NaN, a number too large (which `strtold`
    /// turns into infinity) and one so small that it becomes zero. It does
    /// accept `inf` and `infinity` as written: INCRBYFLOAT then fails with
    /// `increment would produce NaN or Infinity` instead.
    static func parse(_ bytes: [UInt8]) -> LongDouble? {
        guard !bytes.isEmpty, bytes.count < maximumLength, let shape = Shape(bytes) else { return nil }
        // The shape was checked, and holds ASCII only: decoding loses nothing.
        // Swift's parser is correctly rounded, as glibc's `strtold` is.
        guard let value = LongDouble(String(decoding: bytes, as: UTF8.self)), !value.isNaN else { return nil }
        // Infinity that was not written as such is an overflow (ERANGE).
        if value.isInfinite && !shape.isInfinity { return nil }
        // Zero from digits that are not all zeros is an underflow (ERANGE).
        // (A result between zero and the smallest normal number is kept:
        // Redis refuses only zero and infinity.)
        if value == 0 && shape.hasNonzeroDigit { return nil }
        return value
    }

    /// What `strtold`'s grammar allows, checked byte by byte: an optional
    /// sign, then `inf` or `infinity` (any case); or a hexadecimal number
    /// `0x1.8p3` (the `p` exponent, in powers of two, optional); or a
    /// decimal one, `12`, `1.5`, `.5`, `5.`, `1e-3`. Nothing before or
    /// after. `nan` is left out: Redis refuses it anyway.
    struct Shape {
        /// `inf` or `infinity`.
        var isInfinity = false
        /// A digit other than 0 before the exponent: the number is not zero.
        var hasNonzeroDigit = false

        /// The shape of `bytes`, or nil when `strtold` would not read all
        /// of them as one number.
        init?(_ bytes: [UInt8]) {
            var index = 0
            if bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-") { index = 1 }
            let rest = bytes[index...]
            if rest.equalsIgnoringASCIICase("inf") || rest.equalsIgnoringASCIICase("infinity") {
                self.isInfinity = true
                return
            }
            // `0x` then at least one hex digit: a hex number. (`0x` alone is
            // the number 0 followed by an `x`, which Redis refuses.)
            let isHex = rest.count > 2 && rest[index] == UInt8(ascii: "0") && rest[index + 1] | 0x20 == UInt8(ascii: "x")
            if isHex { index += 2 }
            // The digits, with at most one point among them.
            var digits = 0
            var sawPoint = false
            while index < bytes.count {
                let byte = bytes[index]
                if isHex ? Shape.isHexDigit(byte) : Shape.isDecimalDigit(byte) {
                    digits += 1
                    if byte != UInt8(ascii: "0") { self.hasNonzeroDigit = true }
                } else if byte == UInt8(ascii: ".") && !sawPoint {
                    sawPoint = true
                } else {
                    break
                }
                index += 1
            }
            guard digits > 0 else { return nil }
            guard index < bytes.count else { return }
            // The exponent: `e` (decimal) or `p` (hex), an optional sign, and
            // at least one decimal digit. An `e` with no digits is not part of
            // the number, so it would be left over: refused.
            guard bytes[index] | 0x20 == UInt8(ascii: isHex ? "p" : "e") else { return nil }
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            guard index < bytes.count else { return nil }
            while index < bytes.count {
                guard Shape.isDecimalDigit(bytes[index]) else { return nil }
                index += 1
            }
        }

        /// `0`-`9`.
        static func isDecimalDigit(_ byte: UInt8) -> Bool {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }

        /// `0`-`9`, `a`-`f`, `A`-`F`.
        static func isHexDigit(_ byte: UInt8) -> Bool {
            isDecimalDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
        }
    }

    // MARK: - Writing

    /// 10^17: `%.17Lf` keeps 17 digits after the point.
    static let fractionScale: UInt128 = 100_000_000_000_000_000

    /// `value` as Redis writes INCRBYFLOAT's result: `printf("%.17Lf")`,
    /// which is never in exponent form and always rounds the *exact*
    /// binary value to 17 decimals (ties to even), then without the zeros
    /// at the end of the fraction, without a point left bare, and `-0`
    /// written `0`. So 8000, not 8e+03 or 8000.00000000000000000; and
    /// 1e20 is `100000000000000000000`.
    ///
    /// Generic, so that the tests can check the `Double` form against
    /// another correctly rounded `%.17f` (Python's).
    static func format<F: BinaryFloatingPoint>(_ value: F) -> [UInt8] {
        // Redis writes infinities itself; INCRBYFLOAT never stores one.
        guard value.isFinite else { return Array((value < 0 ? "-inf" : "inf").utf8) }
        // Zero of either sign: "0.00000000000000000", or "-0", which becomes 0.
        guard value != 0 else { return [UInt8(ascii: "0")] }

        // The value is exactly mantissa × 2^exponent, with an integer mantissa.
        let significandBits = F.significandBitCount
        var mantissa = UInt64(value.significandBitPattern)
        var exponent = Int(F.leastNormalMagnitude.exponent) - significandBits
        if value.isNormal {
            // The leading 1 that the format does not store.
            mantissa |= 1 << UInt64(significandBits)
            exponent = Int(value.exponent) - significandBits
        }

        var text: [UInt8] = value < 0 ? [UInt8(ascii: "-")] : []
        if exponent >= 0 {
            // An integer (2^63 or more, in 80 bits): no fraction at all.
            text += decimalDigits(of: mantissa, shiftedLeftBy: exponent)
        } else {
            // mantissa × 10^17 / 2^-exponent, rounded: the value in units of
            // 10^-17. The product fits in 128 bits (2^64 × 10^17 < 2^121).
            let scaled = roundedShift(UInt128(mantissa) * fractionScale, right: -exponent)
            text += Array(String(scaled / fractionScale).utf8)
            var fraction = Array(String(scaled % fractionScale).utf8)
            if fraction != [UInt8(ascii: "0")] {
                // 17 digits, zeros in front, then none at the end.
                fraction = [UInt8](repeating: UInt8(ascii: "0"), count: 17 - fraction.count) + fraction
                while fraction.last == UInt8(ascii: "0") { fraction.removeLast() }
                text += [UInt8(ascii: ".")] + fraction
            }
        }
        // A negative number too small to show: "-0.00000000000000000".
        return text == Array("-0".utf8) ? [UInt8(ascii: "0")] : text
    }

    /// `value / 2^shift`, rounded to the nearest integer, ties to even (as
    /// `printf` rounds in the default rounding mode).
    static func roundedShift(_ value: UInt128, right shift: Int) -> UInt128 {
        // Even half of 2^shift is more than any value here: it rounds to 0.
        guard shift < 128 else { return 0 }
        let quotient = value >> shift
        let remainder = value & ((1 << shift) - 1)
        let half: UInt128 = 1 << (shift - 1)
        if remainder > half || (remainder == half && quotient & 1 == 1) { return quotient + 1 }
        return quotient
    }

    /// The decimal digits of `mantissa × 2^shift`, which may have thousands
    /// of them (an 80-bit float reaches 1.19 × 10^4932).
    ///
    /// The number is kept in base 10^9, one "digit" of nine decimals per
    /// `UInt32`, and doubled 32 times at once until the shift is done: no
    /// division of a big number is ever needed, and the decimal form falls
    /// out at the end.
    static func decimalDigits(of mantissa: UInt64, shiftedLeftBy shift: Int) -> [UInt8] {
        let base: UInt64 = 1_000_000_000
        var limbs: [UInt32] = [] // least significant first
        var rest = mantissa
        repeat {
            limbs.append(UInt32(rest % base))
            rest /= base
        } while rest > 0
        var remaining = shift
        while remaining > 0 {
            // A limb is below 2^30; shifted by 32 and plus the carry it
            // stays below 2^63.
            let step = min(remaining, 32)
            var carry: UInt64 = 0
            for index in limbs.indices {
                let product = UInt64(limbs[index]) << UInt64(step) + carry
                limbs[index] = UInt32(product % base)
                carry = product / base
            }
            while carry > 0 {
                limbs.append(UInt32(carry % base))
                carry /= base
            }
            remaining -= step
        }
        // The top limb as it is, every other one with its nine digits.
        var digits = Array(String(limbs.last!).utf8)
        for limb in limbs.dropLast().reversed() {
            let part = Array(String(limb).utf8)
            digits += [UInt8](repeating: UInt8(ascii: "0"), count: 9 - part.count) + part
        }
        return digits
    }
}

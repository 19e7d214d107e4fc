/// Conversion of arbitrarily long numbers between base 62 and base 16.
///
/// Source: Butler's `GET /v4/base62tobase16` and `GET /v4/base16tobase62` (any-base 1.1.0). The base62
/// alphabet is `0-9a-zA-Z` in that order (lower case before upper case); base16 output is lower case.
/// Unlike any-base, an unknown character is an error rather than silent garbage, and base16 input is
/// accepted in either case. Leading zeros are dropped, as in a numeric conversion: `"000f"` → `"f"`,
/// `"0"` → `"0"`.
public enum BaseConversion {
    /// A numeral system: its name as used in Butler's query parameters, and its digits.
    public struct Alphabet: Sendable {
        public let name: String
        let digits: [UInt8]
        let values: [Int8]  // digit value per ASCII byte, -1 if not a digit

        init(name: String, digits: String, caseInsensitive: Bool = false) {
            self.name = name
            self.digits = Array(digits.utf8)
            var values = [Int8](repeating: -1, count: 256)
            for (value, byte) in self.digits.enumerated() {
                values[Int(byte)] = Int8(value)
                if caseInsensitive, byte >= UInt8(ascii: "a"), byte <= UInt8(ascii: "z") {
                    values[Int(byte - 32)] = Int8(value)
                }
            }
            self.values = values
        }

        var base: UInt32 { UInt32(digits.count) }

        /// Butler's base62 alphabet, `0-9a-zA-Z`.
        public static let base62 = Alphabet(
            name: "base62", digits: "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        /// Hexadecimal; input in either case, output in lower case.
        public static let base16 = Alphabet(name: "base16", digits: "0123456789abcdef", caseInsensitive: true)
    }

    /// The longest input accepted, in characters. The conversion takes time quadratic in the length, so
    /// the cap keeps one request from occupying a core (10,000 base62 digits are about 59,500 bits, far
    /// beyond any id).
    public static let maximumLength = 10_000

    /// Converts `input`, written in `from`, to the same number written in `to`.
    ///
    /// - Returns: the digits in `to`, without leading zeros (`"0"` for zero).
    /// - Throws: `ButlerError.badRequest` naming the parameter when `input` is empty, longer than
    ///   `maximumLength` or holds a character outside `from`'s alphabet.
    public static func convert(_ input: String, from: Alphabet, to: Alphabet) throws -> String {
        guard !input.isEmpty else {
            throw ButlerError.badRequest("Parameter '\(from.name)' must not be empty")
        }
        guard input.utf8.count <= maximumLength else {
            throw ButlerError.badRequest("Parameter '\(from.name)' must not be longer than \(maximumLength) characters")
        }
        // The number as little-endian 32-bit limbs.
        var limbs: [UInt32] = []
        limbs.reserveCapacity(input.utf8.count / 5 + 1)
        for (position, scalar) in input.unicodeScalars.enumerated() {
            let value = scalar.isASCII ? from.values[Int(scalar.value)] : -1
            guard value >= 0 else {
                throw ButlerError.badRequest(
                    "Parameter '\(from.name)' contains the invalid character '\(scalar)' at position \(position + 1)"
                )
            }
            multiplyAdd(&limbs, multiplier: from.base, addend: UInt32(value))
        }
        // Repeatedly divide by the largest power of the target base that fits in a limb.
        let (chunkDivisor, chunkDigits) = largestPower(of: to.base)
        var output: [UInt8] = []
        while !limbs.isEmpty {
            var remainder = divide(&limbs, by: chunkDivisor)
            for _ in 0..<chunkDigits {
                output.append(to.digits[Int(remainder % to.base)])
                remainder /= to.base
                if limbs.isEmpty && remainder == 0 { break }
            }
        }
        if output.isEmpty { return "0" }
        return String(decoding: output.reversed(), as: UTF8.self)
    }

    /// Butler's `base62tobase16`.
    public static func base62ToBase16(_ base62: String) throws -> String {
        try convert(base62, from: .base62, to: .base16)
    }

    /// Butler's `base16tobase62`.
    public static func base16ToBase62(_ base16: String) throws -> String {
        try convert(base16, from: .base16, to: .base62)
    }

    private static func multiplyAdd(_ limbs: inout [UInt32], multiplier: UInt32, addend: UInt32) {
        var carry = UInt64(addend)
        for index in limbs.indices {
            let product = UInt64(limbs[index]) * UInt64(multiplier) + carry
            limbs[index] = UInt32(truncatingIfNeeded: product)
            carry = product >> 32
        }
        if carry != 0 { limbs.append(UInt32(carry)) }
    }

    /// Divides in place and returns the remainder; trailing zero limbs are removed.
    private static func divide(_ limbs: inout [UInt32], by divisor: UInt32) -> UInt32 {
        var remainder: UInt64 = 0
        for index in limbs.indices.reversed() {
            let current = (remainder << 32) | UInt64(limbs[index])
            limbs[index] = UInt32(current / UInt64(divisor))
            remainder = current % UInt64(divisor)
        }
        while limbs.last == 0 { limbs.removeLast() }
        return UInt32(remainder)
    }

    private static func largestPower(of base: UInt32) -> (UInt32, Int) {
        var power: UInt64 = 1
        var count = 0
        while power * UInt64(base) <= UInt64(UInt32.max) {
            power *= UInt64(base)
            count += 1
        }
        return (UInt32(power), count)
    }
}

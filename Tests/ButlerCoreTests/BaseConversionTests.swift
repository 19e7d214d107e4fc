import ButlerCore
import Testing

@Suite("Base conversion (GET /v4/base62tobase16, /v4/base16tobase62)")
struct BaseConversionTests {
    // B23: the seed's vector, alphabet 0-9a-zA-Z.
    @Test func seedVectorBothWays() throws {
        #expect(try BaseConversion.base62ToBase16("6DMW88LpSok9Z7P7hUK0wv7bF") == "3199af08bfeeaf5d420f27ed9c01e74370077")
        #expect(try BaseConversion.base16ToBase62("3199af08bfeeaf5d420f27ed9c01e74370077") == "6DMW88LpSok9Z7P7hUK0wv7bF")
    }

    @Test func alphabetPutsLowerCaseBeforeUpperCase() throws {
        #expect(try BaseConversion.base62ToBase16("a") == "a")  // 10
        #expect(try BaseConversion.base62ToBase16("A") == "24")  // 36
        #expect(try BaseConversion.base62ToBase16("Z") == "3d")  // 61
        #expect(try BaseConversion.base62ToBase16("10") == "3e")  // 62
    }

    @Test func zeroAndLeadingZeros() throws {
        #expect(try BaseConversion.base16ToBase62("0") == "0")
        #expect(try BaseConversion.base16ToBase62("0000") == "0")
        #expect(try BaseConversion.base16ToBase62("000f") == "f")
        #expect(try BaseConversion.base62ToBase16("00A") == "24")
    }

    @Test func upperCaseHexIsAccepted() throws {
        #expect(try BaseConversion.base16ToBase62("ABC") == BaseConversion.base16ToBase62("abc"))
        #expect(try BaseConversion.base16ToBase62("3199AF08BFEEAF5D420F27ED9C01E74370077") == "6DMW88LpSok9Z7P7hUK0wv7bF")
    }

    // B24: invalid characters are an error naming the parameter and the character.
    @Test(arguments: [("G", "base16", "G"), ("abc-1", "base16", "-"), ("é", "base16", "é")])
    func invalidBase16(input: String, parameter: String, character: String) {
        #expect(throws: ButlerError.badRequest(
            "Parameter '\(parameter)' contains the invalid character '\(character)' at position \(Array(input).firstIndex(of: Character(character))! + 1)"
        )) {
            try BaseConversion.base16ToBase62(input)
        }
    }

    @Test func invalidBase62() {
        #expect(throws: ButlerError.badRequest("Parameter 'base62' contains the invalid character ' ' at position 2")) {
            try BaseConversion.base62ToBase16("a b")
        }
        #expect(throws: ButlerError.self) { try BaseConversion.base62ToBase16("!") }
    }

    @Test func overlongInputIsAnError() throws {
        let longest = String(repeating: "f", count: BaseConversion.maximumLength)
        #expect(try BaseConversion.base62ToBase16(BaseConversion.base16ToBase62(longest)) == longest)
        let longest62 = String(repeating: "Z", count: BaseConversion.maximumLength)
        #expect(throws: ButlerError.badRequest("Parameter 'base62' must not be longer than 10000 characters")) {
            try BaseConversion.base62ToBase16(longest62 + "Z")
        }
    }

    @Test func emptyInputIsAnError() {
        #expect(throws: ButlerError.badRequest("Parameter 'base16' must not be empty")) {
            try BaseConversion.base16ToBase62("")
        }
    }

    @Test func longNumbersRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        let hexDigits = Array("0123456789abcdef")
        for length in [1, 7, 8, 9, 31, 32, 33, 100, 1000, 5000] {
            var hex = String((0..<length).map { _ in hexDigits[Int.random(in: 0..<16, using: &generator)] })
            while hex.count > 1 && hex.hasPrefix("0") { hex.removeFirst() }
            let base62 = try BaseConversion.base16ToBase62(hex)
            #expect(try BaseConversion.base62ToBase16(base62) == hex, "length \(length)")
        }
    }

    @Test func powersOfTheBaseConvertExactly() throws {
        // 62^k in base 62 is "1" followed by k zeros; in base 16 it must equal the same number.
        #expect(try BaseConversion.base62ToBase16("100000") == String(UInt64(916_132_832), radix: 16))
        #expect(try BaseConversion.base16ToBase62(String(UInt64(916_132_832), radix: 16)) == "100000")
        #expect(try BaseConversion.base16ToBase62("ffffffffffffffff") == Self.base62(UInt64.max))
    }

    static func base62(_ value: UInt64) -> String {
        let digits = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var value = value
        var out: [Character] = []
        repeat {
            out.append(digits[Int(value % 62)])
            value /= 62
        } while value > 0
        return String(out.reversed())
    }
}

import Foundation

/// A JSON document: a request body before the route's schema is applied, or a payload built for an
/// outside service (New Relic attributes have keys only known at run time).
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// JSON's name for the value's type, as validation messages use it.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue {
    /// A number as JavaScript's `String(n)` prints it (what Butler stored): integers below 1e21 in full
    /// (`123`, `1000000000000000`), exponents as `1e-7` and `1e+21`, decimals below 1e-6 in exponent form.
    public static func text(of number: Double) -> String {
        if number == 0 { return "0" }
        if number.rounded() == number, abs(number) < 1e21 { return String(format: "%.0f", number) }
        // Swift prints the same shortest digits, but switches notation at other exponents.
        let swift = "\(number)"
        guard let e = swift.firstIndex(of: "e"), let exponent = Int(swift[swift.index(after: e)...]) else { return swift }
        let mantissa = swift[..<e]
        if exponent <= -7 { return "\(mantissa)e\(exponent)" }
        if exponent >= 21 { return "\(mantissa)e+\(exponent)" }
        // -6...-1: JavaScript writes the decimal out.
        let negative = mantissa.hasPrefix("-")
        let digits = mantissa.filter(\.isNumber)
        return (negative ? "-" : "") + "0." + String(repeating: "0", count: -exponent - 1) + digits
    }
}

extension JSONValue {
    /// The value as compact JSON text (keys sorted, `/` not escaped): the one encoding of the payloads
    /// Butler sends (webhooks, MQTT, Slack, Teams, New Relic, Signl4) and of the schedule file's values.
    public var jsonData: Data {
        (try? Self.payloadEncoder.encode(self)) ?? Data("null".utf8)
    }

    /// `jsonData` as text.
    public var jsonText: String { String(decoding: jsonData, as: UTF8.self) }

    private static let payloadEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

extension JSONValue: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}

extension JSONValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .number(let number):
            if number.rounded() == number, abs(number) < 9e15 { try container.encode(Int64(number)) } else { try container.encode(number) }
        case .string(let text): try container.encode(text)
        case .array(let values): try container.encode(values)
        case .object(let fields): try container.encode(fields)
        }
    }
}

extension JSONValue {
    /// The deepest nesting (arrays and objects) a request body may have. Decoding a `JSONValue` costs
    /// about the square of the depth (each level's failed type probes copy the coding path), so a 3 KB
    /// body of 512 nested objects held a core for a second or more; Butler's own bodies nest 3 levels.
    public static let maxNestingDepth = 64

    /// How deeply the JSON text `data` nests arrays and objects (brackets inside strings don't count).
    /// Linear in the length; meant to run before decoding, so it doesn't check the text is valid JSON.
    public static func nestingDepth(of data: Data) -> Int {
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Int in
            var depth = 0, deepest = 0
            var inString = false, escaped = false
            for byte in bytes {
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    deepest = max(deepest, depth)
                case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
                default: break
                }
            }
            return deepest
        }
    }
}

import ButlerCore
import Foundation

/// Reads the fields of one part of a request (`body`, `querystring` or `params`) the way Butler's
/// Fastify schemas do: with AJV's type coercion (`"true"` → true, `"1500"` → 1500, `123` → `"123"`),
/// and failures reported as `FST_ERR_VALIDATION` with AJV's wording
/// (`body must have required property 'key'`, `body/ttl must be number`).
public struct SchemaFields: Sendable {
    /// The part's name in messages: `body`, `querystring` or `params`.
    public let part: String
    private let fields: [String: JSONValue]

    public init(part: String, fields: [String: JSONValue]) {
        self.part = part
        self.fields = fields
    }

    /// A request body that must be a JSON object (Fastify: `body must be object` otherwise, also for
    /// a missing body).
    public init(body: JSONValue?) throws {
        guard case .object(let fields) = body else {
            throw ButlerHTTPError.validation("body must be object")
        }
        self.init(part: "body", fields: fields)
    }

    /// Query parameters (strings, coerced on demand).
    public init(query: [String: String]) {
        self.init(part: "querystring", fields: query.mapValues { .string($0) })
    }

    /// A string field; numbers and booleans are turned into their text.
    /// - Throws: a validation error when `required` and absent, or when the value is an object or array.
    public func string(_ name: String, required: Bool = false) throws -> String? {
        guard let value = try field(name, required: required) else { return nil }
        switch value {
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return Self.text(of: number)
        default: throw mustBe(name, "string")
        }
    }

    /// A numeric field; numeric strings are parsed.
    public func number(_ name: String, required: Bool = false) throws -> Double? {
        guard let value = try field(name, required: required) else { return nil }
        switch value {
        case .number(let number): return number
        case .string(let text):
            guard let number = Double(text.trimmingCharacters(in: .whitespaces)), number.isFinite else {
                throw mustBe(name, "number")
            }
            return number
        case .bool(let flag): return flag ? 1 : 0
        default: throw mustBe(name, "number")
        }
    }

    /// A boolean field; `"true"`/`"false"` (any case) and 1/0 are accepted.
    public func boolean(_ name: String, required: Bool = false) throws -> Bool? {
        guard let value = try field(name, required: required) else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .string(let text):
            switch text.lowercased() {
            case "true", "1": return true
            case "false", "0": return false
            default: throw mustBe(name, "boolean")
            }
        case .number(let number) where number == 0 || number == 1: return number == 1
        default: throw mustBe(name, "boolean")
        }
    }

    /// An array of objects, each read with its own `SchemaFields` (part `body/attributes/0`, …).
    public func objects(_ name: String, required: Bool = false) throws -> [SchemaFields]? {
        guard let value = try field(name, required: required) else { return nil }
        guard case .array(let elements) = value else { throw mustBe(name, "array") }
        return try elements.enumerated().map { index, element in
            guard case .object(let fields) = element else { throw ButlerHTTPError.validation("\(part)/\(name)/\(index) must be object") }
            return SchemaFields(part: "\(part)/\(name)/\(index)", fields: fields)
        }
    }

    /// A required string of at most `maxLength` characters (AJV's `maxLength`).
    public func string(_ name: String, required: Bool = false, maxLength: Int) throws -> String? {
        guard let text = try string(name, required: required) else { return nil }
        guard text.count <= maxLength else {
            throw ButlerHTTPError.validation("\(part)/\(name) must NOT have more than \(maxLength) characters")
        }
        return text
    }

    /// The field's value; `nil` when absent or null (a validation error when `required`).
    private func field(_ name: String, required: Bool) throws -> JSONValue? {
        switch fields[name] {
        case .none, .some(.null):
            if required { throw missing(name) }
            return nil
        case .some(let value):
            return value
        }
    }

    private func missing(_ name: String) -> ButlerHTTPError {
        .validation("\(part) must have required property '\(name)'")
    }

    private func mustBe(_ name: String, _ type: String) -> ButlerHTTPError {
        .validation("\(part)/\(name) must be \(type)")
    }

    /// A number as JavaScript's `String(n)` prints it (`JSONValue.text(of:)`).
    static func text(of number: Double) -> String {
        JSONValue.text(of: number)
    }
}

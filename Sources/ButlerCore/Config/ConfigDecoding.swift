import Foundation

/// A coding key for any string or index, used to read mappings whose keys aren't known up front.
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// Collects warnings (unknown keys) while the config file is decoded. Handed to the decoder through
/// `userInfo`; decoding is synchronous and single-threaded, so a plain class is enough.
final class ConfigWarningCollector: @unchecked Sendable {
    static let userInfoKey = CodingUserInfoKey(rawValue: "butler.configWarnings")!
    var warnings: [String] = []
}

/// Why a config file could not be used: the key path (`Butler.restServerConfig.serverPort`) and what
/// was expected there.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    init(_ codingPath: [any CodingKey], _ problem: String) {
        self.init(path: ConfigError.render(codingPath), problem: problem)
    }

    public var description: String { path.isEmpty ? problem : "\(path): \(problem)" }

    static func render(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}

extension Decoder {
    /// Warns about every key of this mapping that isn't in `known` (Butler refused unknown keys; we
    /// warn and go on, so that a config written for a newer Butler still starts).
    func warnAboutUnknownKeys<Key: CodingKey & CaseIterable>(_: Key.Type, alsoKnown: Set<String> = []) throws {
        guard let collector = userInfo[ConfigWarningCollector.userInfoKey] as? ConfigWarningCollector else { return }
        let known = Set(Key.allCases.map(\.stringValue)).union(alsoKnown)
        let container = try container(keyedBy: AnyCodingKey.self)
        for key in container.allKeys where !known.contains(key.stringValue) {
            collector.warnings.append(
                "Unknown config key \(ConfigError.render(codingPath + [key])) is ignored")
        }
    }
}

extension KeyedDecodingContainer {
    /// The value at `key`, or `fallback` when the key is absent or null.
    func value<T: Decodable>(_ key: Key, default fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }

    /// An integer in `range`, or `fallback` when absent; otherwise a `ConfigError` naming the key.
    func integer(_ key: Key, in range: ClosedRange<Int>, default fallback: Int) throws -> Int {
        let number = try value(key, default: fallback)
        guard range.contains(number) else {
            throw ConfigError(codingPath + [key], "expected an integer from \(range.lowerBound) to \(range.upperBound), found \(number)")
        }
        return number
    }
}

extension DecodingError {
    /// The error as a `ConfigError` naming the key path and what was expected there.
    var configError: ConfigError {
        switch self {
        case .typeMismatch(let type, let context):
            return ConfigError(context.codingPath, "expected \(DecodingError.describe(type))")
        case .valueNotFound(let type, let context):
            return ConfigError(context.codingPath, "expected \(DecodingError.describe(type)), found nothing")
        case .keyNotFound(let key, let context):
            return ConfigError(context.codingPath + [key], "is required")
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError as? ConfigError { return underlying }
            return ConfigError(context.codingPath, context.debugDescription)
        @unknown default:
            return ConfigError(path: "", problem: "\(self)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Bool.Type: return "true or false"
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is [String].Type: return "a list of strings"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "a list" }
            if name == "Scalar" { return "a single value (text, number or true/false), not a list or mapping" }
            return "a mapping"
        }
    }
}

extension KeyedDecodingContainer {
    /// A scalar read as text, whatever YAML made of it (`accountId: 1234567` is a number in YAML).
    func decodeScalarAsString(_ key: Key) throws -> String {
        if let text = try? decode(String.self, forKey: key) { return text }
        if let number = try? decode(Int.self, forKey: key) { return String(number) }
        if let number = try? decode(Double.self, forKey: key) { return String(number) }
        if let flag = try? decode(Bool.self, forKey: key) { return String(flag) }
        return try decode(String.self, forKey: key)
    }
}

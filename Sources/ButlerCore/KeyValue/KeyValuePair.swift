import Foundation

/// One key-value pair in a namespace of Butler's key-value store.
///
/// Source: Butler's KV routes (`/v4/keyvalues/:namespace`). Namespace and key are kept apart (never
/// joined into one string), are case-sensitive and compared exactly.
public struct KeyValuePair: Equatable, Sendable {
    public var namespace: String
    public var key: String
    public var value: String
    /// When the pair stops existing; `nil` means never (a TTL of 0 or none).
    public var expiresAt: Date?

    public init(namespace: String, key: String, value: String, expiresAt: Date? = nil) {
        self.namespace = namespace
        self.key = key
        self.value = value
        self.expiresAt = expiresAt
    }

    /// Whether the pair has expired at `now` (it expires at, not after, `expiresAt`).
    public func isExpired(at now: Date) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt <= now
    }
}

/// What a write did to the store.
public enum KeyValueWriteOutcome: Equatable, Sendable {
    /// The key did not exist (or had expired) and was added.
    case created
    /// The key existed and its value and expiry were replaced.
    case replaced
}

/// The answer to a lookup of one key.
public enum KeyValueLookup: Equatable, Sendable {
    case found(KeyValuePair)
    case keyNotFound
    case namespaceNotFound
}

/// Errors of the key-value store, with Butler's messages.
public enum KeyValueError {
    /// Butler: 400 "Namespace not found: <ns>".
    public static func namespaceNotFound(_ namespace: String) -> ButlerError {
        .badRequest("Namespace not found: \(namespace)")
    }

    /// Butler: 400 "Key '<k>' not found in namespace: <ns>".
    public static func keyNotFound(_ key: String, namespace: String) -> ButlerError {
        .badRequest("Key '\(key)' not found in namespace: \(namespace)")
    }

    /// A namespace, key or value containing U+0000, which text in SQLite can't hold.
    public static func nulCharacter(_ field: String) -> ButlerError {
        .badRequest("The \(field) must not contain the NUL character (\\u0000)")
    }

    /// Beyond Butler: a namespace or key too long to be named again in a request line (a GET or DELETE
    /// URL), so a stored pair can always be read and deleted.
    public static func nameTooLong(_ field: String) -> ButlerError {
        .badRequest("The \(field) must not be longer than \(KeyValueService.maxNameBytes) bytes (UTF-8)")
    }

    /// Beyond Butler (which ignored `keyValueStore.maxKeysPerNamespace`): a new key over the limit.
    public static func namespaceFull(_ namespace: String, limit: Int) -> ButlerError {
        .badRequest(
            "Namespace '\(namespace)' already holds the maximum of \(limit) keys (Butler.keyValueStore.maxKeysPerNamespace)"
        )
    }
}

import Foundation

/// Butler's key-value store rules on top of a `KeyValueStore`: TTLs, the per-namespace key limit and
/// Butler's error messages.
///
/// Source: Butler's KV routes (`/v4/keyvalues…`, `/v4/keylist`, `/v4/keyvaluesnamespaces`) and the
/// `keyvaluestore` item of `/v4/reloadtask/:taskId/start`. Missing namespaces and keys are
/// `ButlerError.badRequest` (HTTP 400), as in Butler, never 404.
public struct KeyValueService: Sendable {
    public let store: any KeyValueStore
    public let clock: any WallClock
    /// `Butler.keyValueStore.maxKeysPerNamespace`; `nil` for no limit.
    public let maxKeysPerNamespace: Int?

    public init(store: any KeyValueStore, clock: any WallClock = SystemWallClock(), maxKeysPerNamespace: Int?) {
        self.store = store
        self.clock = clock
        self.maxKeysPerNamespace = maxKeysPerNamespace
    }

    /// The longest namespace or key, in UTF-8 bytes: percent-encoded it still fits in a request line
    /// (Hummingbird's HTTP decoder takes 80 KiB), so the pair can be read and deleted by name.
    public static let maxNameBytes = 4096

    /// All namespaces, in creation order.
    public func namespaces() async throws -> [String] {
        try await store.namespaces()
    }

    /// Stores `value` under `key`, replacing any earlier value and TTL.
    ///
    /// - Parameter ttl: time to live in milliseconds, counted from now; 0 means the pair never expires.
    /// - Throws: `KeyValueError.namespaceFull` when a new key would exceed `maxKeysPerNamespace`;
    ///   `KeyValueError.nulCharacter` when a name or the value contains U+0000 (SQLite text can't hold it);
    ///   `KeyValueError.nameTooLong` when the namespace or key is over `maxNameBytes`.
    @discardableResult
    public func set(namespace: String, key: String, value: String, ttl: Int) async throws -> KeyValueWriteOutcome {
        for (name, text) in [("namespace", namespace), ("key", key), ("value", value)] where text.utf8.contains(0) {
            throw KeyValueError.nulCharacter(name)
        }
        for (name, text) in [("namespace", namespace), ("key", key)] where text.utf8.count > Self.maxNameBytes {
            throw KeyValueError.nameTooLong(name)
        }
        let now = clock.now
        // Expiry in whole milliseconds since 1970, the unit stores keep.
        let expiresAt = ttl > 0
            ? Date(timeIntervalSince1970: ((now.timeIntervalSince1970 * 1000).rounded(.up) + Double(ttl)) / 1000) : nil
        let pair = KeyValuePair(namespace: namespace, key: key, value: value, expiresAt: expiresAt)
        return try await store.set(pair, maxKeysPerNamespace: maxKeysPerNamespace, now: now)
    }

    /// The live pair stored under `key`.
    /// - Throws: "Namespace not found: <ns>" or "Key '<k>' not found in namespace: <ns>".
    public func pair(namespace: String, key: String) async throws -> KeyValuePair {
        switch try await store.get(namespace: namespace, key: key, now: clock.now) {
        case .found(let pair): return pair
        case .keyNotFound: throw KeyValueError.keyNotFound(key, namespace: namespace)
        case .namespaceNotFound: throw KeyValueError.namespaceNotFound(namespace)
        }
    }

    /// The live pair stored under `key`, or `nil` when the key doesn't exist (or has expired).
    /// - Throws: "Namespace not found: <ns>" (a missing namespace is an error, as in Butler).
    public func pairIfPresent(namespace: String, key: String) async throws -> KeyValuePair? {
        switch try await store.get(namespace: namespace, key: key, now: clock.now) {
        case .found(let pair): return pair
        case .keyNotFound: return nil
        case .namespaceNotFound: throw KeyValueError.namespaceNotFound(namespace)
        }
    }

    /// The live keys of a namespace, in insertion order.
    /// - Throws: "Namespace not found: <ns>".
    public func keys(namespace: String) async throws -> [String] {
        guard let keys = try await store.keys(namespace: namespace, now: clock.now) else {
            throw KeyValueError.namespaceNotFound(namespace)
        }
        return keys
    }

    /// Deletes one key; its namespace stays, even when empty.
    /// - Throws: "Namespace not found: <ns>" or "Key '<k>' not found in namespace: <ns>".
    public func delete(namespace: String, key: String) async throws {
        switch try await store.delete(namespace: namespace, key: key, now: clock.now) {
        case .found: return
        case .keyNotFound: throw KeyValueError.keyNotFound(key, namespace: namespace)
        case .namespaceNotFound: throw KeyValueError.namespaceNotFound(namespace)
        }
    }

    /// Deletes a namespace with all its keys.
    /// - Throws: "Namespace not found: <ns>".
    public func deleteNamespace(_ namespace: String) async throws {
        guard try await store.deleteNamespace(namespace) else {
            throw KeyValueError.namespaceNotFound(namespace)
        }
    }

    /// Removes expired pairs from storage; returns how many.
    @discardableResult
    public func purgeExpired() async throws -> Int {
        try await store.purgeExpired(now: clock.now)
    }
}

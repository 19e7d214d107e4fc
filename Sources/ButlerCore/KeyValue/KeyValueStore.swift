import Foundation

/// Storage for Butler's key-value store: namespaces of key-value pairs with optional expiry.
///
/// Every implementation must pass the shared contract tests (`KeyValueStoreContract`): namespaces are
/// listed in creation order and keys in insertion order (an overwrite keeps the key's place); an expired
/// pair is never returned, even before it is purged; a namespace lives from its first write until it is
/// deleted, even when its last key is deleted or expires (as in Butler).
///
/// `now` is passed in rather than read, so that the rules stay testable with a `ManualWallClock`.
public protocol KeyValueStore: Sendable {
    /// Namespace names in creation order.
    func namespaces() async throws -> [String]

    /// Looks up one key, treating a pair expired at `now` as missing.
    func get(namespace: String, key: String, now: Date) async throws -> KeyValueLookup

    /// Live keys of a namespace in insertion order, or `nil` when the namespace doesn't exist.
    func keys(namespace: String, now: Date) async throws -> [String]?

    /// Adds or replaces a pair, creating its namespace if needed.
    ///
    /// - Parameter maxKeysPerNamespace: the most live keys a namespace may hold; `nil` for no limit.
    ///   Replacing an existing key is always allowed.
    /// - Throws: `KeyValueError.namespaceFull` when a new key would exceed the limit (nothing is written).
    func set(_ pair: KeyValuePair, maxKeysPerNamespace: Int?, now: Date) async throws -> KeyValueWriteOutcome

    /// Deletes one key. Returns `.found` with the deleted pair, or why nothing was deleted (an expired
    /// pair counts as missing).
    func delete(namespace: String, key: String, now: Date) async throws -> KeyValueLookup

    /// Deletes a namespace and all its keys. Returns `false` when the namespace doesn't exist.
    func deleteNamespace(_ namespace: String) async throws -> Bool

    /// Physically removes every pair expired at `now`; returns how many were removed.
    func purgeExpired(now: Date) async throws -> Int
}

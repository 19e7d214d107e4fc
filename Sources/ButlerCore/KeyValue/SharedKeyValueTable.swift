import Foundation
import Synchronization

/// A `KeyValueTable` behind a lock, shared by the stores: the in-memory store keeps its data here, the
/// SQLite store its read model. Reads take the lock only for the lookup.
public final class SharedKeyValueTable: Sendable {
    private let table: Mutex<KeyValueTable>

    public init(_ table: KeyValueTable = KeyValueTable()) {
        self.table = Mutex(table)
    }

    public func namespaces() -> [String] {
        table.withLock { $0.namespaces }
    }

    public func get(namespace: String, key: String, now: Date) -> KeyValueLookup {
        table.withLock { $0.get(namespace: namespace, key: key, now: now) }
    }

    public func keys(namespace: String, now: Date) -> [String]? {
        table.withLock { $0.keys(namespace: namespace, now: now) }
    }

    /// Runs `body` with exclusive access to the table (to plan and apply changes).
    public func withLock<Result>(_ body: (inout KeyValueTable) throws -> Result) rethrows -> Result {
        try table.withLock { try body(&$0) }
    }
}

/// A store that answers reads from a `SharedKeyValueTable` (the in-memory store's data, the SQLite
/// store's read model): the reads of `KeyValueStore`, written once.
public protocol TableBackedKeyValueStore: KeyValueStore {
    /// The table reads are answered from.
    var readModel: SharedKeyValueTable { get }
}

extension TableBackedKeyValueStore {
    public func namespaces() async throws -> [String] {
        readModel.namespaces()
    }

    public func get(namespace: String, key: String, now: Date) async throws -> KeyValueLookup {
        readModel.get(namespace: namespace, key: key, now: now)
    }

    public func keys(namespace: String, now: Date) async throws -> [String]? {
        readModel.keys(namespace: namespace, now: now)
    }
}

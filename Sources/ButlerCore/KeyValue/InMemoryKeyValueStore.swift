import Foundation

/// A key-value store that lives in memory only (Butler's original behaviour): the fast double of
/// `SQLiteKeyValueStore` in tests, held to the same contract.
public final class InMemoryKeyValueStore: KeyValueStore {
    private let table = SharedKeyValueTable()

    public init() {}

    public func namespaces() async throws -> [String] {
        table.namespaces()
    }

    public func get(namespace: String, key: String, now: Date) async throws -> KeyValueLookup {
        table.get(namespace: namespace, key: key, now: now)
    }

    public func keys(namespace: String, now: Date) async throws -> [String]? {
        table.keys(namespace: namespace, now: now)
    }

    public func set(_ pair: KeyValuePair, maxKeysPerNamespace: Int?, now: Date) async throws -> KeyValueWriteOutcome {
        try table.withLock { table in
            let change = try table.planSet(pair, maxKeysPerNamespace: maxKeysPerNamespace, now: now)
            table.apply(change)
            guard case .upsert(_, _, _, _, let outcome) = change else { return .created }
            return outcome
        }
    }

    public func delete(namespace: String, key: String, now: Date) async throws -> KeyValueLookup {
        table.withLock { table in
            let (change, lookup) = table.planDelete(namespace: namespace, key: key, now: now)
            if let change { table.apply(change) }
            return lookup
        }
    }

    public func deleteNamespace(_ namespace: String) async throws -> Bool {
        table.withLock { table in
            guard let change = table.planDeleteNamespace(namespace) else { return false }
            table.apply(change)
            return true
        }
    }

    public func purgeExpired(now: Date) async throws -> Int {
        table.withLock { table in
            let count = table.expiredCount(now: now)
            table.apply(.purge(now: now))
            return count
        }
    }
}

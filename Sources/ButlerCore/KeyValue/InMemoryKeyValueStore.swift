import Foundation

/// A key-value store that lives in memory only (Butler's original behaviour): the fast double of
/// `SQLiteKeyValueStore` in tests, held to the same contract.
public final class InMemoryKeyValueStore: TableBackedKeyValueStore {
    public let readModel = SharedKeyValueTable()

    public init() {}

    public func set(_ pair: KeyValuePair, maxKeysPerNamespace: Int?, now: Date) async throws -> KeyValueWriteOutcome {
        try readModel.withLock { table in
            let change = try table.planSet(pair, maxKeysPerNamespace: maxKeysPerNamespace, now: now)
            table.apply(change)
            guard case .upsert(_, _, _, _, let outcome) = change else { return .created }
            return outcome
        }
    }

    public func delete(namespace: String, key: String, now: Date) async throws -> KeyValueLookup {
        readModel.withLock { table in
            let (change, lookup) = table.planDelete(namespace: namespace, key: key, now: now)
            if let change { table.apply(change) }
            return lookup
        }
    }

    public func deleteNamespace(_ namespace: String) async throws -> Bool {
        readModel.withLock { table in
            guard let change = table.planDeleteNamespace(namespace) else { return false }
            table.apply(change)
            return true
        }
    }

    public func purgeExpired(now: Date) async throws -> Int {
        readModel.withLock { table in
            let count = table.expiredCount(now: now)
            table.apply(.purge(now: now))
            return count
        }
    }
}

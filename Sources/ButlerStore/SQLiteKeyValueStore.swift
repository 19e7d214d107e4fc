import ButlerCore
import Foundation
import GRDB

/// Butler's key-value store kept in SQLite (`kvNamespace` and `kvPair` tables of `ButlerDatabase`).
///
/// Every change is planned on an in-memory `KeyValueTable`, written to SQLite in one transaction, and
/// applied to the table only once the transaction has committed (GRDB's writer queue serialises all of
/// this). Reads are answered from the table, so they never touch the disk; the table is loaded from
/// SQLite when the store is opened. A write is acknowledged only after it is committed with
/// `synchronous = FULL`.
public final class SQLiteKeyValueStore: TableBackedKeyValueStore {
    private let database: DatabasePool
    /// The table reads are answered from; changed only after a commit.
    public let readModel: SharedKeyValueTable

    /// Opens the store on `database` and loads every pair into memory.
    public init(database: ButlerDatabase) throws {
        self.database = database.writer
        let loaded = try database.writer.read { db in
            var table = KeyValueTable()
            for row in try Row.fetchAll(db, sql: "SELECT name, position FROM kvNamespace") {
                table.load(namespace: row["name"], position: row["position"])
            }
            let pairs = try Row.fetchCursor(db, sql: "SELECT namespace, key, value, expiresAt, position FROM kvPair")
            while let row = try pairs.next() {
                let expiresAt: Int64? = row["expiresAt"]
                let entry = KeyValueTable.Entry(
                    value: row["value"], expiresAt: expiresAt.map(Self.date(milliseconds:)), position: row["position"])
                table.load(namespace: row["namespace"], key: row["key"], entry: entry)
            }
            return table
        }
        readModel = SharedKeyValueTable(loaded)
    }

    public func set(_ pair: KeyValuePair, maxKeysPerNamespace: Int?, now: Date) async throws -> KeyValueWriteOutcome {
        try await commit { table in
            let change = try table.planSet(pair, maxKeysPerNamespace: maxKeysPerNamespace, now: now)
            guard case .upsert(_, _, _, _, let outcome) = change else { preconditionFailure("planSet plans an upsert") }
            return (change, outcome)
        }
    }

    public func delete(namespace: String, key: String, now: Date) async throws -> KeyValueLookup {
        try await commit { table in
            table.planDelete(namespace: namespace, key: key, now: now)
        }
    }

    public func deleteNamespace(_ namespace: String) async throws -> Bool {
        try await commit { table in
            guard let change = table.planDeleteNamespace(namespace) else { return (nil, false) }
            return (change, true)
        }
    }

    public func purgeExpired(now: Date) async throws -> Int {
        try await commit { table in
            let count = table.expiredCount(now: now)
            return (count > 0 ? .purge(now: now) : nil, count)
        }
    }

    /// Plans a change on the table, writes it to SQLite and, once committed, applies it to the table.
    private func commit<Result: Sendable>(
        _ plan: @escaping @Sendable (KeyValueTable) throws -> (KeyValueTable.Change?, Result)
    ) async throws -> Result {
        try await database.write { db in
            let (change, result) = try self.readModel.withLock { try plan($0) }
            guard let change else { return result }
            try Self.persist(change, in: db)
            db.afterNextTransaction { _ in self.readModel.withLock { $0.apply(change) } }
            return result
        }
    }

    private static func persist(_ change: KeyValueTable.Change, in db: Database) throws {
        switch change {
        case .upsert(let namespace, let namespacePosition, let key, let entry, _):
            if let namespacePosition {
                try db.execute(
                    sql: "INSERT INTO kvNamespace (name, position) VALUES (?, ?)", arguments: [namespace, namespacePosition])
            }
            try db.execute(
                sql: """
                    INSERT INTO kvPair (namespace, key, value, expiresAt, position) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (namespace, key) DO UPDATE
                        SET value = excluded.value, expiresAt = excluded.expiresAt, position = excluded.position
                    """,
                arguments: [namespace, key, entry.value, entry.expiresAt.map { milliseconds(of: $0, rounding: .toNearestOrAwayFromZero) }, entry.position])
        case .deleteKey(let namespace, let key):
            try db.execute(sql: "DELETE FROM kvPair WHERE namespace = ? AND key = ?", arguments: [namespace, key])
        case .deleteNamespace(let namespace):
            try db.execute(sql: "DELETE FROM kvNamespace WHERE name = ?", arguments: [namespace])
        case .purge(let now):
            try db.execute(sql: "DELETE FROM kvPair WHERE expiresAt <= ?", arguments: [milliseconds(of: now, rounding: .down)])
        }
    }

    /// Expiry instants are whole milliseconds (`KeyValueService` makes them so): stored rounded to
    /// nearest, they read back unchanged; `now` is rounded down, so `expiresAt <= now` in SQL agrees
    /// with `KeyValuePair.isExpired(at:)` in memory.
    private static func milliseconds(of date: Date, rounding: FloatingPointRoundingRule) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(rounding))
    }

    private static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}

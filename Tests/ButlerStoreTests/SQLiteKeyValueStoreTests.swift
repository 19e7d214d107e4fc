import ButlerCore
import ButlerStore
import Foundation
import Testing

@Suite("SQLite key-value store: durability")
struct SQLiteKeyValueStoreTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func everythingSurvivesReopening() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("nested/dir/butler.sqlite")
        do {
            let store = try SQLiteKeyValueStore(database: ButlerDatabase(path: path))
            _ = try await store.set(KeyValuePair(namespace: "b", key: "k2", value: "x"), maxKeysPerNamespace: nil, now: now)
            _ = try await store.set(KeyValuePair(namespace: "a", key: "k1", value: "y"), maxKeysPerNamespace: nil, now: now)
            _ = try await store.set(KeyValuePair(namespace: "b", key: "k1", value: "z"), maxKeysPerNamespace: nil, now: now)
            let expiry = Date(timeIntervalSince1970: 1_700_000_010.123)
            _ = try await store.set(
                KeyValuePair(namespace: "b", key: "ttl", value: "t", expiresAt: expiry), maxKeysPerNamespace: nil, now: now)
            _ = try await store.set(KeyValuePair(namespace: "b", key: "k2", value: "x2"), maxKeysPerNamespace: nil, now: now)
            _ = try await store.set(KeyValuePair(namespace: "gone", key: "k", value: "v"), maxKeysPerNamespace: nil, now: now)
            _ = try await store.deleteNamespace("gone")
            _ = try await store.set(KeyValuePair(namespace: "empty", key: "k", value: "v"), maxKeysPerNamespace: nil, now: now)
            _ = try await store.delete(namespace: "empty", key: "k", now: now)
        }
        let reopened = try SQLiteKeyValueStore(database: ButlerDatabase(path: path))
        #expect(try await reopened.namespaces() == ["b", "a", "empty"])
        #expect(try await reopened.keys(namespace: "b", now: now) == ["k2", "k1", "ttl"])
        #expect(try await reopened.get(namespace: "b", key: "k2", now: now) == .found(KeyValuePair(namespace: "b", key: "k2", value: "x2")))
        guard case .found(let withTTL) = try await reopened.get(namespace: "b", key: "ttl", now: now) else {
            Issue.record("ttl pair lost")
            return
        }
        #expect(withTTL.expiresAt == Date(timeIntervalSince1970: 1_700_000_010.123))
        #expect(try await reopened.get(namespace: "b", key: "ttl", now: withTTL.expiresAt!) == .keyNotFound)
        // New positions continue after the loaded ones.
        _ = try await reopened.set(KeyValuePair(namespace: "new", key: "k", value: "v"), maxKeysPerNamespace: nil, now: now)
        _ = try await reopened.set(KeyValuePair(namespace: "b", key: "k0", value: "v"), maxKeysPerNamespace: nil, now: now)
        #expect(try await reopened.namespaces() == ["b", "a", "empty", "new"])
        #expect(try await reopened.keys(namespace: "b", now: now) == ["k2", "k1", "ttl", "k0"])
    }

    @Test func databaseIsInWALModeWithFullSync() async throws {
        let directory = TemporaryDirectory()
        let database = try ButlerDatabase(path: directory.path("butler.sqlite"))
        let (journal, synchronous) = try await database.writer.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(journal == "wal")
        #expect(synchronous == 2)  // FULL
    }

    @Test func unusablePathIsAClearError() {
        #expect(throws: ButlerError.self) {
            try ButlerDatabase(path: "/proc/butler-cannot-write-here/butler.sqlite")
        }
    }
}

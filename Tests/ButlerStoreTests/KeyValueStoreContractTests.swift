import ButlerCore
import ButlerStore
import Foundation
import Testing

/// The contract every `KeyValueStore` must meet, run against the in-memory and the SQLite store.
@Suite("KeyValueStore contract")
struct KeyValueStoreContractTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case inMemory, sqlite
        var testDescription: String { rawValue }

        func make() throws -> any KeyValueStore {
            switch self {
            case .inMemory: return InMemoryKeyValueStore()
            case .sqlite:
                // Left in the temporary directory: the store keeps the file open for the whole test.
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("butler-contract-\(UUID().uuidString).sqlite")
                return try SQLiteKeyValueStore(database: ButlerDatabase(path: path.path))
            }
        }
    }

    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func pair(_ namespace: String, _ key: String, _ value: String, expiresIn seconds: Double? = nil) -> KeyValuePair {
        KeyValuePair(namespace: namespace, key: key, value: value, expiresAt: seconds.map { now.addingTimeInterval($0) })
    }

    @Test(arguments: Kind.allCases)
    func setAndGet(kind: Kind) async throws {
        let store = try kind.make()
        #expect(try await store.set(pair("ns", "k", "v"), maxKeysPerNamespace: nil, now: now) == .created)
        #expect(try await store.get(namespace: "ns", key: "k", now: now) == .found(pair("ns", "k", "v")))
        #expect(try await store.get(namespace: "ns", key: "other", now: now) == .keyNotFound)
        #expect(try await store.get(namespace: "other", key: "k", now: now) == .namespaceNotFound)
        #expect(try await store.set(pair("ns", "k", "w"), maxKeysPerNamespace: nil, now: now) == .replaced)
        #expect(try await store.get(namespace: "ns", key: "k", now: now) == .found(pair("ns", "k", "w")))
    }

    @Test(arguments: Kind.allCases)
    func namespacesInCreationOrderKeysInInsertionOrder(kind: Kind) async throws {
        let store = try kind.make()
        for (namespace, key) in [("b", "2"), ("a", "1"), ("b", "1"), ("c", "x"), ("b", "0")] {
            _ = try await store.set(pair(namespace, key, "v"), maxKeysPerNamespace: nil, now: now)
        }
        _ = try await store.set(pair("b", "2", "again"), maxKeysPerNamespace: nil, now: now)
        #expect(try await store.namespaces() == ["b", "a", "c"])
        #expect(try await store.keys(namespace: "b", now: now) == ["2", "1", "0"])
        #expect(try await store.keys(namespace: "none", now: now) == nil)
    }

    // B01: a namespace deleted and created again is listed once, at its new place.
    @Test(arguments: Kind.allCases)
    func deletedNamespaceCanBeRecreated(kind: Kind) async throws {
        let store = try kind.make()
        _ = try await store.set(pair("ns-a", "k1", "v1"), maxKeysPerNamespace: nil, now: now)
        _ = try await store.set(pair("ns-b", "k1", "v1"), maxKeysPerNamespace: nil, now: now)
        #expect(try await store.deleteNamespace("ns-a"))
        #expect(try await store.deleteNamespace("ns-a") == false)
        #expect(try await store.get(namespace: "ns-a", key: "k1", now: now) == .namespaceNotFound)
        _ = try await store.set(pair("ns-a", "k1", "v1"), maxKeysPerNamespace: nil, now: now)
        #expect(try await store.namespaces() == ["ns-b", "ns-a"])
        #expect(try await store.get(namespace: "ns-a", key: "k1", now: now) == .found(pair("ns-a", "k1", "v1")))
    }

    @Test(arguments: Kind.allCases)
    func deleteKeyKeepsTheNamespace(kind: Kind) async throws {
        let store = try kind.make()
        _ = try await store.set(pair("ns", "k", "v"), maxKeysPerNamespace: nil, now: now)
        #expect(try await store.delete(namespace: "ns", key: "k", now: now) == .found(pair("ns", "k", "v")))
        #expect(try await store.delete(namespace: "ns", key: "k", now: now) == .keyNotFound)
        #expect(try await store.delete(namespace: "none", key: "k", now: now) == .namespaceNotFound)
        #expect(try await store.namespaces() == ["ns"])
        #expect(try await store.keys(namespace: "ns", now: now) == [])
    }

    @Test(arguments: Kind.allCases)
    func expiredPairsAreNeverReturned(kind: Kind) async throws {
        let store = try kind.make()
        _ = try await store.set(pair("ns", "short", "1", expiresIn: 1), maxKeysPerNamespace: nil, now: now)
        _ = try await store.set(pair("ns", "long", "2", expiresIn: 100), maxKeysPerNamespace: nil, now: now)
        let later = now.addingTimeInterval(1)  // expiry is inclusive: at expiresAt the pair is gone
        #expect(try await store.get(namespace: "ns", key: "short", now: later) == .keyNotFound)
        #expect(try await store.keys(namespace: "ns", now: later) == ["long"])
        #expect(try await store.delete(namespace: "ns", key: "short", now: later) == .keyNotFound)
        // Writing an expired key again creates it anew, at the end.
        #expect(try await store.set(pair("ns", "short", "3"), maxKeysPerNamespace: nil, now: later) == .created)
        #expect(try await store.keys(namespace: "ns", now: later) == ["long", "short"])
    }

    @Test(arguments: Kind.allCases)
    func purgeRemovesExpiredPairs(kind: Kind) async throws {
        let store = try kind.make()
        _ = try await store.set(pair("ns", "a", "1", expiresIn: 1), maxKeysPerNamespace: nil, now: now)
        _ = try await store.set(pair("ns", "b", "2", expiresIn: 2), maxKeysPerNamespace: nil, now: now)
        _ = try await store.set(pair("ns", "c", "3"), maxKeysPerNamespace: nil, now: now)
        #expect(try await store.purgeExpired(now: now.addingTimeInterval(1.5)) == 1)
        #expect(try await store.purgeExpired(now: now.addingTimeInterval(1.5)) == 0)
        #expect(try await store.keys(namespace: "ns", now: now) == ["b", "c"])
    }

    // B07: the limit counts live keys; replacing is always allowed; nothing is written on refusal.
    @Test(arguments: Kind.allCases)
    func keyLimit(kind: Kind) async throws {
        let store = try kind.make()
        _ = try await store.set(pair("ns", "k1", "1"), maxKeysPerNamespace: 2, now: now)
        _ = try await store.set(pair("ns", "k2", "2"), maxKeysPerNamespace: 2, now: now)
        await #expect(throws: KeyValueError.namespaceFull("ns", limit: 2)) {
            try await store.set(pair("ns", "k3", "3"), maxKeysPerNamespace: 2, now: now)
        }
        #expect(try await store.set(pair("ns", "k1", "one"), maxKeysPerNamespace: 2, now: now) == .replaced)
        #expect(try await store.keys(namespace: "ns", now: now) == ["k1", "k2"])
        #expect(try await store.get(namespace: "ns", key: "k3", now: now) == .keyNotFound)
    }

    // An expired pair that hasn't been purged yet doesn't let its key bypass the limit.
    @Test(arguments: Kind.allCases)
    func expiredKeyWrittenAgainCountsAgainstTheLimit(kind: Kind) async throws {
        let store = try kind.make()
        let later = now.addingTimeInterval(10)
        _ = try await store.set(pair("ns", "a", "1", expiresIn: 1), maxKeysPerNamespace: 2, now: now)
        _ = try await store.set(pair("ns", "b", "2"), maxKeysPerNamespace: 2, now: now)
        _ = try await store.set(pair("ns", "c", "3"), maxKeysPerNamespace: 2, now: later)
        await #expect(throws: KeyValueError.namespaceFull("ns", limit: 2)) {
            try await store.set(pair("ns", "a", "again"), maxKeysPerNamespace: 2, now: later)
        }
        #expect(try await store.keys(namespace: "ns", now: later) == ["b", "c"])
    }

    @Test(arguments: Kind.allCases)
    func namesAreExactAndKeptApart(kind: Kind) async throws {
        let store = try kind.make()
        _ = try await store.set(pair("a:b", "c", "1"), maxKeysPerNamespace: nil, now: now)
        _ = try await store.set(pair("a", "b:c", "2"), maxKeysPerNamespace: nil, now: now)
        _ = try await store.set(pair("A", "b:c", "3"), maxKeysPerNamespace: nil, now: now)
        #expect(try await store.keys(namespace: "a:b", now: now) == ["c"])
        #expect(try await store.keys(namespace: "a", now: now) == ["b:c"])
        #expect(try await store.get(namespace: "A", key: "b:c", now: now) == .found(pair("A", "b:c", "3")))
        _ = try await store.set(pair("ns 💾", "ключ 'x'", "ä\n\"", expiresIn: nil), maxKeysPerNamespace: nil, now: now)
        #expect(try await store.get(namespace: "ns 💾", key: "ключ 'x'", now: now) == .found(pair("ns 💾", "ключ 'x'", "ä\n\"")))
    }

    @Test(arguments: Kind.allCases)
    func concurrentWritesAreAllKept(kind: Kind) async throws {
        let store = try kind.make()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    _ = try await store.set(pair("ns\(index % 4)", "k\(index)", "\(index)"), maxKeysPerNamespace: nil, now: now)
                }
            }
            try await group.waitForAll()
        }
        var total = 0
        for namespace in try await store.namespaces() {
            total += try await store.keys(namespace: namespace, now: now)?.count ?? 0
        }
        #expect(total == 200)
    }
}

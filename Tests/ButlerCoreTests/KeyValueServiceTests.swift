import ButlerCore
import Foundation
import Testing

@Suite("Key-value rules (TTL, limits, Butler's errors)")
struct KeyValueServiceTests {
    let clock = ManualWallClock()

    func service(limit: Int? = nil) -> KeyValueService {
        KeyValueService(store: InMemoryKeyValueStore(), clock: clock, maxKeysPerNamespace: limit)
    }

    // B04: a TTL in milliseconds; an expired pair reads as missing, the namespace stays.
    @Test func ttlExpiresPairs() async throws {
        let kv = service()
        try await kv.set(namespace: "ns-ttl", key: "k", value: "v", ttl: 1500)
        clock.advance(by: 1.499)
        #expect(try await kv.pair(namespace: "ns-ttl", key: "k").value == "v")
        clock.advance(by: 0.002)
        await #expect(throws: KeyValueError.keyNotFound("k", namespace: "ns-ttl")) {
            try await kv.pair(namespace: "ns-ttl", key: "k")
        }
        #expect(try await kv.pairIfPresent(namespace: "ns-ttl", key: "k") == nil)
        #expect(try await kv.keys(namespace: "ns-ttl") == [])
        #expect(try await kv.namespaces() == ["ns-ttl"])
    }

    @Test func zeroTTLNeverExpires() async throws {
        let kv = service()
        try await kv.set(namespace: "n", key: "k", value: "v", ttl: 0)
        clock.advance(by: 10 * 365 * 86400)
        #expect(try await kv.pair(namespace: "n", key: "k").expiresAt == nil)
    }

    @Test func overwriteReplacesValueAndRestartsTTL() async throws {
        let kv = service()
        try await kv.set(namespace: "n", key: "k", value: "1", ttl: 1000)
        clock.advance(by: 0.9)
        #expect(try await kv.set(namespace: "n", key: "k", value: "2", ttl: 1000) == .replaced)
        clock.advance(by: 0.9)
        #expect(try await kv.pair(namespace: "n", key: "k").value == "2")
        // Overwriting with no TTL makes the pair permanent.
        #expect(try await kv.set(namespace: "n", key: "k", value: "3", ttl: 0) == .replaced)
        clock.advance(by: 100)
        #expect(try await kv.pair(namespace: "n", key: "k").value == "3")
    }

    // B07: maxKeysPerNamespace is enforced for new keys; overwrites stay allowed.
    @Test func keyLimitPerNamespace() async throws {
        let kv = service(limit: 2)
        try await kv.set(namespace: "ns-c", key: "k1", value: "1", ttl: 0)
        try await kv.set(namespace: "ns-c", key: "k2", value: "2", ttl: 0)
        await #expect(throws: KeyValueError.namespaceFull("ns-c", limit: 2)) {
            try await kv.set(namespace: "ns-c", key: "k3", value: "3", ttl: 0)
        }
        #expect(try await kv.set(namespace: "ns-c", key: "k2", value: "two", ttl: 0) == .replaced)
        #expect(try await kv.keys(namespace: "ns-c") == ["k1", "k2"])
        #expect(try await kv.pair(namespace: "ns-c", key: "k2").value == "two")
        // Another namespace has its own limit.
        try await kv.set(namespace: "other", key: "k3", value: "3", ttl: 0)
    }

    @Test func expiredKeysDontCountAgainstTheLimit() async throws {
        let kv = service(limit: 1)
        try await kv.set(namespace: "n", key: "old", value: "1", ttl: 10)
        clock.advance(by: 1)
        try await kv.set(namespace: "n", key: "new", value: "2", ttl: 0)
        #expect(try await kv.keys(namespace: "n") == ["new"])
    }

    // B03: Butler's messages for missing namespaces and keys.
    @Test func missingNamespaceAndKeyMessages() async throws {
        let kv = service()
        await #expect(throws: ButlerError.badRequest("Namespace not found: nope")) { try await kv.pair(namespace: "nope", key: "k") }
        await #expect(throws: ButlerError.badRequest("Namespace not found: nope")) { try await kv.keys(namespace: "nope") }
        await #expect(throws: ButlerError.badRequest("Namespace not found: nope")) { try await kv.deleteNamespace("nope") }
        await #expect(throws: ButlerError.badRequest("Namespace not found: nope")) { try await kv.delete(namespace: "nope", key: "k") }
        try await kv.set(namespace: "ns-a", key: "k1", value: "v", ttl: 0)
        try await kv.delete(namespace: "ns-a", key: "k1")
        await #expect(throws: ButlerError.badRequest("Key 'k1' not found in namespace: ns-a")) {
            try await kv.delete(namespace: "ns-a", key: "k1")
        }
    }

    @Test func purgeRemovesOnlyExpiredPairs() async throws {
        let kv = service()
        try await kv.set(namespace: "n", key: "short", value: "1", ttl: 100)
        try await kv.set(namespace: "n", key: "long", value: "2", ttl: 100_000)
        try await kv.set(namespace: "n", key: "forever", value: "3", ttl: 0)
        clock.advance(by: 1)
        #expect(try await kv.purgeExpired() == 1)
        #expect(try await kv.purgeExpired() == 0)
        #expect(try await kv.keys(namespace: "n") == ["long", "forever"])
    }
}

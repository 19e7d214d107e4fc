import ButlerCore
import Foundation
import Testing

/// Execution-id de-duplication evicts in O(log n) (issue 12, item 7): no claim scans the whole table,
/// however many ids are held.
struct ExpiringClaimsTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func expiredClaimsAreEvictedInExpiryOrder() {
        var claims = ExpiringClaims()
        let claimed1 = claims.claim("a", until: Self.now + 30, now: Self.now)
        #expect(claimed1)
        let claimed2 = claims.claim("b", until: Self.now + 10, now: Self.now)
        #expect(claimed2)
        let claimed3 = claims.claim("c", until: Self.now + 20, now: Self.now)
        #expect(claimed3)
        let claimed4 = claims.claim("a", until: Self.now + 99, now: Self.now + 5)
        #expect(!claimed4)
        claims.evictExpired(now: Self.now + 20)
        #expect(claims.count == 1)
        #expect(claims.expiry(of: "a", now: Self.now + 20) == Self.now + 30)
        let claimed5 = claims.claim("b", until: Self.now + 50, now: Self.now + 20)
        #expect(claimed5)
    }

    // A released and re-claimed id keeps its new expiry: the stale heap entry of the old one doesn't evict it.
    @Test func staleEntriesDoNotEvictNewClaims() {
        var claims = ExpiringClaims()
        let claimed6 = claims.claim("a", until: Self.now + 10, now: Self.now)
        #expect(claimed6)
        claims.release("a")
        let claimed7 = claims.claim("a", until: Self.now + 100, now: Self.now + 1)
        #expect(claimed7)
        claims.evictExpired(now: Self.now + 50)
        #expect(claims.expiry(of: "a", now: Self.now + 50) == Self.now + 100)
        let claimed8 = claims.claim("a", until: Self.now + 200, now: Self.now + 50)
        #expect(!claimed8)
    }

    // Past the capacity the id closest to expiring goes first, so a flood of distinct ids is bounded.
    @Test func capacityEvictsTheSoonestToExpire() {
        var claims = ExpiringClaims(capacity: 3)
        for (index, id) in ["a", "b", "c", "d"].enumerated() {
            let claimed9 = claims.claim(id, until: Self.now + Double(100 - index), now: Self.now)
            #expect(claimed9)
        }
        #expect(claims.count == 3)
        #expect(claims.expiry(of: "d", now: Self.now) == nil)
        #expect(claims.expiry(of: "a", now: Self.now) != nil)
    }

    // 200,000 live ids (4× Butler's old 50,000 threshold, past which every claim filtered the whole table):
    // with eviction by heap, the claims stay cheap and the structure stays bounded by the live ids.
    @Test func manyLiveIdsStayCheap() {
        var claims = ExpiringClaims()
        let started = ContinuousClock.now
        for index in 0..<200_000 {
            _ = claims.claim("exec-\(index)", until: Self.now + 3600 + Double(index % 97), now: Self.now + Double(index) / 1000)
        }
        #expect(claims.count == 200_000)
        // The whole-table filter per claim above 50,000 ids took minutes for this; the heap well under a minute
        // even in a debug build on a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(60))
        for index in 0..<200_000 where index % 2 == 0 { claims.release("exec-\(index)") }
        #expect(claims.count == 100_000)
        claims.evictExpired(now: Self.now + 4000)
        #expect(claims.count == 0)
    }

    @Test func inMemoryDeduplicationHasACapacity() async throws {
        let dedup = InMemoryExecutionDeduplication(capacity: 2)
        #expect(try await dedup.claim("a", until: Self.now + 10, now: Self.now))
        #expect(try await dedup.claim("b", until: Self.now + 20, now: Self.now))
        #expect(try await dedup.claim("c", until: Self.now + 30, now: Self.now))
        #expect(try await dedup.claim("a", until: Self.now + 10, now: Self.now))
        #expect(try await !dedup.claim("c", until: Self.now + 30, now: Self.now))
    }
}

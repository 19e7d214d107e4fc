import ButlerCore
import ButlerStore
import Foundation
import GRDB
import Testing

/// Both execution-id de-duplications keep one contract: a claim blocks the same id until it expires,
/// a release frees it, expired claims don't count; the SQLite one also keeps claims across a restart.
struct ExecutionDeduplicationContractTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func contract(_ dedup: any ExecutionDeduplication) async throws {
        #expect(try await dedup.claim("e1", until: now + 600, now: now))
        #expect(try await !dedup.claim("e1", until: now + 900, now: now + 10))
        #expect(try await dedup.claim("e2", until: now + 600, now: now + 10))
        try await dedup.release("e1")
        #expect(try await dedup.claim("e1", until: now + 700, now: now + 20))
        #expect(try await dedup.claim("e2", until: now + 1300, now: now + 601))
    }

    @Test func inMemory() async throws {
        try await Self.contract(InMemoryExecutionDeduplication())
    }

    @Test func sqliteKeepsClaimsAcrossARestart() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("butler.sqlite")
        let first = try SQLiteExecutionDeduplication(database: ButlerDatabase(path: path), now: Self.now)
        try await Self.contract(first)
        await first.flush()
        let reopened = try SQLiteExecutionDeduplication(database: ButlerDatabase(path: path), now: Self.now + 30)
        #expect(try await !reopened.claim("e1", until: Self.now + 900, now: Self.now + 30))
        #expect(try await reopened.claim("e3", until: Self.now + 900, now: Self.now + 30))
        withExtendedLifetime(directory) {}
    }

    // Issue 12, item 7: purging expired claims and loading live ones use the expiry index, never a scan
    // of the whole table (SQLite's query plan says SEARCH … USING INDEX, not SCAN).
    @Test func expiryQueriesUseTheIndex() throws {
        let directory = TemporaryDirectory()
        let database = try ButlerDatabase(path: directory.path("butler.sqlite"))
        let plans = try database.writer.read { db in
            try ["DELETE FROM executionClaim WHERE expiresAt <= 1", "SELECT executionId, expiresAt FROM executionClaim WHERE expiresAt > 1",
                 "DELETE FROM executionClaim WHERE executionId = 'x'"].map { sql in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(separator: " | ")
            }
        }
        #expect(plans[0].contains("USING") && plans[0].contains("INDEX executionClaim_expiresAt"), "\(plans[0])")
        #expect(plans[1].contains("INDEX executionClaim_expiresAt"), "\(plans[1])")
        #expect(plans[2].contains("USING") && !plans[2].hasPrefix("SCAN"), "\(plans[2])")
        withExtendedLifetime(directory) {}
    }

    // Above 50,000 live ids every claim used to filter the whole in-memory table; now 120,000 claims on
    // the SQLite de-duplication are quick and all stored.
    @Test func manyLiveClaimsStayCheapAndAreStored() async throws {
        let directory = TemporaryDirectory()
        let database = try ButlerDatabase(path: directory.path("butler.sqlite"))
        let dedup = try SQLiteExecutionDeduplication(database: database, now: Self.now)
        let started = ContinuousClock.now
        var fresh = 0
        for index in 0..<120_000 where try await dedup.claim("exec-\(index)", until: Self.now + 3600, now: Self.now + Double(index) / 1000) {
            fresh += 1
        }
        #expect(fresh == 120_000)
        #expect(ContinuousClock.now - started < .seconds(60))
        await dedup.flush()
        let stored = try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM executionClaim") }
        #expect(stored == 120_000)
        #expect(try await !dedup.claim("exec-77", until: Self.now + 3600, now: Self.now + 200))
        withExtendedLifetime(directory) {}
    }
}

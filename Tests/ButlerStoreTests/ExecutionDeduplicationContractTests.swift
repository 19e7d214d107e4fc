import ButlerCore
import ButlerStore
import Foundation
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
}

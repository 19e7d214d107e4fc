import ButlerCore
import Foundation
import GRDB

/// Execution-id de-duplication kept in Butler's SQLite database, so an event handled before a restart is
/// still recognised after it (within its TTL).
public struct SQLiteExecutionDeduplication: ExecutionDeduplication {
    let database: ButlerDatabase

    public init(database: ButlerDatabase) {
        self.database = database
    }

    public func claim(_ executionId: String, until expiresAt: Date, now: Date) async throws -> Bool {
        let nowMs = Int64(now.timeIntervalSince1970 * 1000), untilMs = Int64(expiresAt.timeIntervalSince1970 * 1000)
        return try await database.writer.write { db in
            try db.execute(sql: "DELETE FROM executionClaim WHERE expiresAt <= ?", arguments: [nowMs])
            try db.execute(sql: "INSERT OR IGNORE INTO executionClaim (executionId, expiresAt) VALUES (?, ?)", arguments: [executionId, untilMs])
            return db.changesCount == 1
        }
    }

    public func release(_ executionId: String) async throws {
        try await database.writer.write { db in
            try db.execute(sql: "DELETE FROM executionClaim WHERE executionId = ?", arguments: [executionId])
        }
    }
}

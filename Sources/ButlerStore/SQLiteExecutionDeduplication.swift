import ButlerCore
import Foundation
import GRDB
import Logging
import Synchronization

/// Execution-id de-duplication kept in Butler's SQLite database, so an event handled before a restart is
/// still recognised after it (within its TTL).
///
/// Claims are decided in memory (loaded from the database at start-up) and written behind in batches:
/// one transaction, and one fsync, for all claims made while the previous batch was being written. A
/// crash can lose the claims of the last batch (milliseconds), so such an event could alert once more
/// after the restart; in exchange de-duplication costs no disk wait per datagram.
///
/// Every step is O(log n) in the number of ids held: in memory `ExpiringClaims` (a hash and a min-heap by
/// expiry); on disk the primary key and the `executionClaim_expiresAt` index, so purging expired rows is
/// an index range scan, never a whole-table scan.
public final class SQLiteExecutionDeduplication: ExecutionDeduplication {
    enum Change {
        case claim(String, Int64)
        case release(String)
    }

    struct State {
        var claims = ExpiringClaims()
        var pending: [Change] = []
        var writing = false
    }

    let database: ButlerDatabase
    let logger: Logger
    private let state = Mutex(State())

    /// Loads the claims that haven't expired at `now`.
    /// - Throws: `ButlerError.failed` when the database can't be read.
    public init(database: ButlerDatabase, now: Date = Date(), logger: Logger = Logger(label: "butler")) throws {
        self.database = database
        self.logger = logger
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        do {
            let rows = try database.writer.read { db in
                try Row.fetchAll(db, sql: "SELECT executionId, expiresAt FROM executionClaim WHERE expiresAt > ?", arguments: [nowMs])
            }
            var claims = ExpiringClaims()
            for row in rows {
                claims.load(row["executionId"], until: Date(timeIntervalSince1970: Double(row["expiresAt"] as Int64) / 1000))
            }
            state.withLock { $0.claims = claims }
        } catch {
            throw ButlerError.failed("Cannot read reload-event claims from the database: \(error)")
        }
    }

    public func claim(_ executionId: String, until expiresAt: Date, now: Date) async throws -> Bool {
        let start = state.withLock { state -> Bool? in
            guard state.claims.claim(executionId, until: expiresAt, now: now) else { return nil }
            state.pending.append(.claim(executionId, Int64(expiresAt.timeIntervalSince1970 * 1000)))
            defer { state.writing = true }
            return !state.writing
        }
        guard let start else { return false }
        if start { Task { await writeBehind(now: now) } }
        return true
    }

    public func release(_ executionId: String) async throws {
        let start = state.withLock { state -> Bool in
            state.claims.release(executionId)
            state.pending.append(.release(executionId))
            defer { state.writing = true }
            return !state.writing
        }
        if start { await writeBehind(now: Date()) }
    }

    public func flush() async {
        while state.withLock({ $0.writing }) {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Writes pending changes, batch after batch, until none are left.
    private func writeBehind(now: Date) async {
        while true {
            let batch = state.withLock { state -> [Change] in
                let batch = state.pending
                state.pending = []
                if batch.isEmpty { state.writing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let nowMs = Int64(now.timeIntervalSince1970 * 1000)
            do {
                try await database.writer.write { db in
                    try db.execute(sql: "DELETE FROM executionClaim WHERE expiresAt <= ?", arguments: [nowMs])
                    for change in batch {
                        switch change {
                        case .claim(let id, let until):
                            try db.execute(sql: "INSERT OR REPLACE INTO executionClaim (executionId, expiresAt) VALUES (?, ?)", arguments: [id, until])
                        case .release(let id):
                            try db.execute(sql: "DELETE FROM executionClaim WHERE executionId = ?", arguments: [id])
                        }
                    }
                }
            } catch {
                logger.error("Reload-event claims could not be stored (\(batch.count) changes; they hold until restart): \(error)")
            }
        }
    }
}

import Foundation
import Synchronization

/// Remembers the execution ids of handled Scheduler events for a while, so the same event sent twice
/// (log4net retries, two appenders, a replay) alerts once. Butler: `udpServerConfig.deduplication`.
public protocol ExecutionDeduplication: Sendable {
    /// Claims `executionId` until `expiresAt`; false when it is already claimed and not expired.
    func claim(_ executionId: String, until expiresAt: Date, now: Date) async throws -> Bool
    /// Gives a claim back (handling failed, so a resend must be accepted).
    func release(_ executionId: String) async throws
    /// Waits until every claim is stored (at shutdown).
    func flush() async
}

extension ExecutionDeduplication {
    public func flush() async {}
}

/// The in-memory deduplication (tests; Butler kept its ids in memory). The durable one is
/// `SQLiteExecutionDeduplication` in ButlerStore.
/// Claims cost O(log n) (`ExpiringClaims`).
public final class InMemoryExecutionDeduplication: ExecutionDeduplication {
    private let claims: Mutex<ExpiringClaims>

    /// - Parameter capacity: live ids kept at most; past it the ones closest to expiring go first.
    public init(capacity: Int = 1_000_000) {
        claims = Mutex(ExpiringClaims(capacity: capacity))
    }

    public func claim(_ executionId: String, until expiresAt: Date, now: Date) async throws -> Bool {
        claims.withLock { $0.claim(executionId, until: expiresAt, now: now) }
    }

    public func release(_ executionId: String) async throws {
        claims.withLock { $0.release(executionId) }
    }
}

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
public final class InMemoryExecutionDeduplication: ExecutionDeduplication {
    private let claims = Mutex<[String: Date]>([:])

    public init() {}

    public func claim(_ executionId: String, until expiresAt: Date, now: Date) async throws -> Bool {
        claims.withLock { claims in
            if let existing = claims[executionId], existing > now { return false }
            if claims.count > 10_000 { claims = claims.filter { $0.value > now } }
            claims[executionId] = expiresAt
            return true
        }
    }

    public func release(_ executionId: String) async throws {
        _ = claims.withLock { $0.removeValue(forKey: executionId) }
    }
}

import Foundation
import Synchronization

/// The source of wall-clock time for rules that outlive the process (TTLs stored on disk, rate-limit
/// windows). Injected so tests can move time instead of sleeping.
public protocol WallClock: Sendable {
    /// The current instant.
    var now: Date { get }
    /// Suspends until `now` has reached `deadline` (at once when it has).
    /// - Throws: `CancellationError` when the task is cancelled first.
    func sleep(until deadline: Date) async throws
}

extension WallClock {
    /// Real time: `Task.sleep` for the time left.
    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSince(now)
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up)))) }
        try Task.checkCancellation()
    }
}

/// The system's real-time clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that only moves when told to: for tests of TTLs and rate limits.
public final class ManualWallClock: WallClock {
    private struct Sleeper {
        let deadline: Date
        let wake: CheckedContinuation<Void, any Error>
    }

    private let current: Mutex<Date>
    private let sleepers = Mutex<[UInt64: Sleeper]>([:])
    private let nextSleeper = Mutex<UInt64>(0)

    /// - Parameter start: the instant the clock shows until it is advanced.
    public init(start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    /// Moves the clock forward by `seconds` (may be fractional) and wakes the sleepers whose time has come.
    public func advance(by seconds: TimeInterval) {
        let now = current.withLock { $0 += seconds; return $0 }
        let due = sleepers.withLock { sleepers in
            let due = sleepers.filter { $0.value.deadline <= now }
            for key in due.keys { sleepers.removeValue(forKey: key) }
            return due.values.map(\.wake)
        }
        for wake in due { wake.resume() }
    }

    /// The number of tasks waiting in `sleep(until:)`, so a test can wait for a sleeper before advancing.
    public var sleeperCount: Int { sleepers.withLock { $0.count } }

    /// Suspends until `advance` has moved the clock to `deadline`; never waits on real time.
    public func sleep(until deadline: Date) async throws {
        let id = nextSleeper.withLock { $0 += 1; return $0 }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (wake: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = sleepers.withLock { sleepers in
                    if deadline <= now || Task.isCancelled { return true }
                    sleepers[id] = Sleeper(deadline: deadline, wake: wake)
                    return false
                }
                if resumeNow { wake.resume() }
            }
        } onCancel: {
            sleepers.withLock { $0.removeValue(forKey: id) }?.wake.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }
}

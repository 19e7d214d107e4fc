import Foundation
import Synchronization

/// The source of wall-clock time for rules that outlive the process (TTLs stored on disk, rate-limit
/// windows). Injected so tests can move time instead of sleeping.
public protocol WallClock: Sendable {
    /// The current instant.
    var now: Date { get }
}

/// The system's real-time clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that only moves when told to: for tests of TTLs and rate limits.
public final class ManualWallClock: WallClock {
    private let current: Mutex<Date>

    /// - Parameter start: the instant the clock shows until it is advanced.
    public init(start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    /// Moves the clock forward by `seconds` (may be fractional).
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }
}

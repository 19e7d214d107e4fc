import Foundation
import Synchronization

/// Counts requests per client in fixed one-minute windows, like Butler's `@fastify/rate-limit`
/// (`--api-rate-limit <n>` calls per minute; 0 turns it off).
///
/// Unlike Butler, which counted every client as its internal proxy's address, the key here is the real
/// client address. Time comes from the injected `WallClock`.
public final class FixedWindowRateLimiter: Sendable {
    /// The verdict on one request.
    public struct Decision: Equatable, Sendable {
        /// Whether the request may go ahead.
        public let allowed: Bool
        /// The limit per window.
        public let limit: Int
        /// Requests the client has left in the current window.
        public let remaining: Int
        /// Seconds until the current window ends (at least 1).
        public let resetSeconds: Int
    }

    private struct Window {
        var start: Date
        var count: Int
    }

    private struct State {
        var windows: [String: Window] = [:]
        var lastPruned = Date.distantPast
    }

    public let limit: Int
    public let window: TimeInterval
    private let clock: any WallClock
    private let state = Mutex(State())

    /// - Parameters:
    ///   - limit: requests allowed per client and window (must be > 0).
    ///   - window: the window length in seconds (Butler: one minute).
    public init(limit: Int, window: TimeInterval = 60, clock: any WallClock = SystemWallClock()) {
        precondition(limit > 0, "a rate limiter needs a positive limit")
        self.limit = limit
        self.window = window
        self.clock = clock
    }

    /// Counts one request from `client` and says whether it is within the limit.
    public func check(client: String) -> Decision {
        let now = clock.now
        return state.withLock { state in
            // Forget finished windows once per window length, so the table holds only recent clients.
            if now.timeIntervalSince(state.lastPruned) >= window {
                state.windows = state.windows.filter { now.timeIntervalSince($0.value.start) < window }
                state.lastPruned = now
            }
            var current = state.windows[client] ?? Window(start: now, count: 0)
            if now.timeIntervalSince(current.start) >= window {
                current = Window(start: now, count: 0)
            }
            current.count += 1
            state.windows[client] = current
            let reset = max(1, Int((window - now.timeIntervalSince(current.start)).rounded(.up)))
            return Decision(
                allowed: current.count <= limit, limit: limit, remaining: max(0, limit - current.count), resetSeconds: reset)
        }
    }
}

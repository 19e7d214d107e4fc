import Synchronization

/// At most `limit` Qlik Sense task starts in flight at a time, across every caller that shares the limiter
/// (the start-task route, MQTT, app reloads and the scheduler share one, through `TaskStartService`).
///
/// Beyond Butler (which sent every start of a request at once): `PUT /v4/reloadtask/-/start` with
/// thousands of items, or a thousand schedules due at the same minute, no longer open thousands of QRS
/// requests at once. Waiters are served in arrival order.
public final class TaskStartLimiter: Sendable {
    /// Starts allowed in flight at once.
    public let limit: Int
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state: Mutex<State>

    /// - Parameter limit: at least 1.
    public init(limit: Int) {
        self.limit = max(1, limit)
        state = Mutex(State(available: max(1, limit)))
    }

    /// Runs `body` once a slot is free, and frees it afterwards.
    public func run<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.available += 1
            return nil
        }
        next?.resume()
    }
}

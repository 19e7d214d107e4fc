import Foundation
import Logging
import Synchronization

/// The bounded pool in which distribute events wait for their real outcome (spec §7.3: QRS is asked
/// again every 30 s for up to 6 h while the task runs), apart from the UDP intake's workers, so distribute
/// events can never hold up failure alerts (issue 12, item 7).
///
/// At most `limit` polls run at once and at most one per task: a datagram for a task already being polled
/// adds nothing (its outcome is the same QRS status), and one over the limit is dropped and logged.
final class DistributeOutcomePolls: Sendable {
    private struct State {
        var running: [String: Task<Void, Never>] = [:]
        var dropped = 0
    }

    let limit: Int
    let logger: Logger
    private let state = Mutex(State())

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    /// Task ids being polled now.
    var running: Int { state.withLock { $0.running.count } }

    /// Starts `poll` for `taskId` unless one runs for that task or the pool is full.
    /// - Returns: whether it was started.
    @discardableResult
    func start(taskId: String, _ poll: @escaping @Sendable () async -> Void) -> Bool {
        let key = taskId.lowercased()
        return state.withLock { state in
            guard state.running[key] == nil else {
                logger.info("Distribute event for task \(taskId): its outcome is already being awaited")
                return false
            }
            guard state.running.count < limit else {
                state.dropped += 1
                logger.warning("Distribute event for task \(taskId) dropped: \(limit) distribute tasks are already being awaited")
                return false
            }
            state.running[key] = Task { [weak self] in
                await poll()
                self?.finished(key)
            }
            return true
        }
    }

    private func finished(_ key: String) {
        _ = state.withLock { $0.running.removeValue(forKey: key) }
    }

    /// Waits until every poll running now has finished.
    func idle() async {
        let tasks = state.withLock { Array($0.running.values) }
        for task in tasks { await task.value }
    }

    /// Cancels every poll (at shutdown): their events are given up, and logged as such by the poll.
    func cancelAll() {
        let tasks = state.withLock { Array($0.running.values) }
        for task in tasks { task.cancel() }
    }
}

import Synchronization

/// A Qlik Sense site whose starts wait until the test releases them, and that records how many were in
/// flight at once: the fake behind the tests of bounded start concurrency (`TaskStartLimiter`). Each start
/// that begins is signalled on `entries`; every task id exists.
public final class GatedQlikSenseTasks: QlikSenseTasks {
    private struct State {
        var inFlight = 0
        var maxInFlight = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
        var started: [String] = []
    }
    private let state = Mutex(State())
    private let signal: AsyncStream<Void>.Continuation
    public let entries: AsyncStream<Void>

    public init() {
        (entries, signal) = AsyncStream<Void>.makeStream()
    }

    public var maxInFlight: Int { state.withLock { $0.maxInFlight } }
    public var startedIds: [String] { state.withLock { $0.started } }

    public func task(id: String) async throws -> TaskSummary? { TaskSummary(taskId: id, taskName: "t") }
    public func tasks(tag: String) async throws -> [TaskSummary] { [] }
    public func tasks(customProperty name: String, value: String) async throws -> [TaskSummary] { [] }

    public func startTask(id: String) async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            state.withLock {
                $0.inFlight += 1
                $0.maxInFlight = max($0.maxInFlight, $0.inFlight)
                $0.waiting.append(continuation)
            }
            signal.yield()
        }
        state.withLock {
            $0.inFlight -= 1
            $0.started.append(id)
        }
    }

    /// Releases one start each time `window` (or all that remain) are waiting, until `total` have been
    /// released: an unbounded caller overshoots the window (recorded in `maxInFlight`), a caller bounded
    /// below the window never fills it (the 30 s guard then fails the test instead of hanging it).
    public func drive(total: Int, window: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var entered = 0, released = 0
                for await _ in self.entries {
                    entered += 1
                    while released < total, entered - released >= min(window, total - released) {
                        let next = self.state.withLock { $0.waiting.isEmpty ? nil : $0.waiting.removeFirst() }
                        guard let next else { break }
                        next.resume()
                        released += 1
                    }
                    if released == total { return }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                throw CancellationError()
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

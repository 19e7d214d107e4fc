import Synchronization

/// A Qlik Sense site held in memory: a fixed list of tasks, and a record of which were started. The fake
/// behind `QlikSenseTasks` for tests of everything that starts tasks.
public final class InMemoryQlikSenseTasks: QlikSenseTasks {
    /// A task with what start-by-tag and start-by-custom-property match on.
    public struct Task: Sendable {
        public var summary: TaskSummary
        public var tags: [String]
        public var customProperties: [NameValue]

        public init(id: String, name: String, tags: [String] = [], customProperties: [NameValue] = []) {
            summary = TaskSummary(taskId: id.lowercased(), taskName: name)
            self.tags = tags
            self.customProperties = customProperties
        }
    }

    public let tasks: [Task]
    private let startedIds = Mutex<[String]>([])

    public init(_ tasks: [Task]) { self.tasks = tasks }

    /// Ids of the tasks started so far, in order.
    public var started: [String] { startedIds.withLock { $0 } }

    public func task(id: String) async throws -> TaskSummary? {
        tasks.first { $0.summary.taskId == id.lowercased() }?.summary
    }

    public func tasks(tag: String) async throws -> [TaskSummary] {
        tasks.filter { $0.tags.contains(tag) }.map(\.summary)
    }

    public func tasks(customProperty name: String, value: String) async throws -> [TaskSummary] {
        tasks.filter { $0.customProperties.contains(NameValue(name: name, value: value)) }.map(\.summary)
    }

    public func startTask(id: String) async throws {
        startedIds.withLock { $0.append(id.lowercased()) }
    }

    /// Waits until `count` starts have been recorded, for up to `timeout`; returns the started ids.
    public func waitForStarts(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while started.count < count && ContinuousClock.now < deadline {
            try await _Concurrency.Task.sleep(for: .milliseconds(10))
        }
        return started
    }
}

/// A Qlik Sense task as Butler reports it: `{taskId, taskName}`.
public struct TaskSummary: Equatable, Hashable, Sendable, Codable {
    /// Lower-case GUID.
    public var taskId: String
    public var taskName: String

    public init(taskId: String, taskName: String) {
        self.taskId = taskId
        self.taskName = taskName
    }
}

/// What Butler needs from a Qlik Sense site to find and start tasks. The live implementation is the QRS
/// client; tests use a recording fake or the Qlik Sense simulator.
///
/// Errors: `ButlerError` — `.unavailable` when the site can't be reached or refuses TLS, `.badGateway`
/// when QRS answers with an unexpected status.
public protocol QlikSenseTasks: Sendable {
    /// The task with this id, or nil when QRS knows none. QRS: `GET /qrs/task?filter=id eq <id>`.
    func task(id: String) async throws -> TaskSummary?
    /// Tasks that carry the tag. QRS: `GET /qrs/task/full?filter=tags.name eq '<tag>'`.
    func tasks(tag: String) async throws -> [TaskSummary]
    /// Tasks with the custom property value. QRS:
    /// `GET /qrs/task/full?filter=(customProperties.definition.name eq '<n>') and (customProperties.value eq '<v>')`.
    func tasks(customProperty name: String, value: String) async throws -> [TaskSummary]
    /// Starts a task of any type. QRS: `POST /qrs/task/<id>/start` answers 204.
    func startTask(id: String) async throws
}

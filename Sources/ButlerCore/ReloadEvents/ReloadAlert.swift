import Foundation

/// A reload event with what QRS knows about its task, run, app and app owner: what destinations send.
public struct ReloadAlert: Sendable, Equatable {
    public var event: TaskEvent
    public var task: TaskDetails?
    public var execution: ExecutionDetails?
    public var scriptLog: ScriptLog?
    public var app: AppDetails?
    public var owner: AppOwner?
    /// What could not be looked up (the alert is delivered anyway, with what is known).
    public var problems: [String] = []

    public init(event: TaskEvent, task: TaskDetails? = nil, execution: ExecutionDetails? = nil, scriptLog: ScriptLog? = nil,
                app: AppDetails? = nil, owner: AppOwner? = nil, problems: [String] = []) {
        self.event = event
        self.task = task
        self.execution = execution
        self.scriptLog = scriptLog
        self.app = app
        self.owner = owner
        self.problems = problems
    }
}

/// QRS `task/full`: type, tags, custom properties.
public struct TaskDetails: Sendable, Equatable {
    /// 0 Reload, 1 ExternalProgram, 2 UserSync, 3 Distribute, 4 Preload.
    public var taskType: Int
    public var tags: [String]
    public var customProperties: [NameValue]
    /// The whole QRS object, for payloads that carry it (`qs_taskMetadata`).
    public var raw: JSONValue

    public init(taskType: Int, tags: [String], customProperties: [NameValue], raw: JSONValue) {
        self.taskType = taskType
        self.tags = tags
        self.customProperties = customProperties
        self.raw = raw
    }
}

/// QRS `operational.lastExecutionResult` of a task.
public struct ExecutionDetails: Sendable, Equatable {
    public var id: String
    public var fileReferenceId: String
    public var executingNodeName: String
    /// `TaskExecutionStatus` (7 FinishedSuccess, 8 FinishedFail, 6 Aborted, …).
    public var status: Int
    /// Milliseconds.
    public var duration: Int
    /// ISO 8601 UTC; `1753-01-01…` means never.
    public var startTime: String
    public var stopTime: String
    /// `(detailCreatedDate, message, detailsType)`, oldest first.
    public var details: [Detail]
    public var scriptLogSize: Int

    public struct Detail: Sendable, Equatable {
        public var created: String
        public var message: String
        /// 0 Error, 1 Warning, 2 Information.
        public var type: Int

        public init(created: String, message: String, type: Int) {
            self.created = created
            self.message = message
            self.type = type
        }
    }

    public init(id: String, fileReferenceId: String, executingNodeName: String, status: Int, duration: Int,
                startTime: String, stopTime: String, details: [Detail], scriptLogSize: Int) {
        self.id = id
        self.fileReferenceId = fileReferenceId
        self.executingNodeName = executingNodeName
        self.status = status
        self.duration = duration
        self.startTime = startTime
        self.stopTime = stopTime
        self.details = details
        self.scriptLogSize = scriptLogSize
    }

    /// The `operational.lastExecutionResult` of a QRS task object (`reloadtask/{id}`, `task/full`); nil
    /// when it has none.
    public init?(lastExecutionIn task: JSONValue) {
        guard let result = task["operational"]?["lastExecutionResult"], result.objectValue != nil else { return nil }
        let details = (result["details"]?.arrayValue ?? []).map {
            Detail(created: $0["detailCreatedDate"]?.stringValue ?? "", message: $0["message"]?.stringValue ?? "",
                   type: $0["detailsType"]?.intValue ?? 2)
        }
        self.init(
            id: result["id"]?.stringValue ?? "", fileReferenceId: result["fileReferenceID"]?.stringValue ?? "",
            executingNodeName: result["executingNodeName"]?.stringValue ?? "", status: result["status"]?.intValue ?? 0,
            duration: result["duration"]?.intValue ?? 0, startTime: result["startTime"]?.stringValue ?? "",
            stopTime: result["stopTime"]?.stringValue ?? "", details: details.sorted { $0.created < $1.created },
            scriptLogSize: result["scriptLogSize"]?.intValue ?? 0)
    }

    /// Butler's text for `status` (0–14).
    public var statusText: String {
        let names = ["NeverStarted", "Triggered", "Started", "Queued", "AbortInitiated", "Aborting", "Aborted", "FinishedSuccess",
                     "FinishedFail", "Skipped", "Retry", "Error", "Reset", "DistributionQueue", "DistributionRunning"]
        return names.indices.contains(status) ? names[status] : "Unknown (\(status))"
    }
}

/// A run's script log, split into lines (QRS serves it with CRLF line ends).
public struct ScriptLog: Sendable, Equatable {
    public var lines: [String]

    public init(text: String) {
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        self.lines = lines
    }

    public func head(_ count: Int) -> [String] { Array(lines.prefix(max(0, count))) }
    public func tail(_ count: Int) -> [String] { Array(lines.suffix(max(0, count))) }
}

/// QRS `app/full`: what alerts show about the app.
public struct AppDetails: Sendable, Equatable {
    public var name: String
    public var description: String
    public var stream: String?
    public var tags: [String]
    public var customProperties: [NameValue]
    public var raw: JSONValue

    public init(name: String, description: String, stream: String?, tags: [String], customProperties: [NameValue], raw: JSONValue) {
        self.name = name
        self.description = description
        self.stream = stream
        self.tags = tags
        self.customProperties = customProperties
        self.raw = raw
    }
}

/// The app's owner from QRS `app/{id}` and `user/{id}`; `email` from the user's `email` attribute.
public struct AppOwner: Sendable, Equatable {
    public var name: String
    public var userDirectory: String
    public var userId: String
    public var email: String?

    public init(name: String, userDirectory: String, userId: String, email: String?) {
        self.name = name
        self.userDirectory = userDirectory
        self.userId = userId
        self.email = email
    }
}

/// What reload alerts need from QRS (the live implementation is the QRS client).
public protocol QlikSenseRepository: Sendable {
    /// QRS `task/full?filter=id eq <id>`; nil when no such task.
    func taskDetails(id: String) async throws -> TaskDetails?
    /// QRS `reloadtask/<id>` → `operational.lastExecutionResult` (any task type).
    func lastExecution(taskId: String) async throws -> ExecutionDetails?
    /// QRS `reloadtask/<id>/scriptlog?fileReferenceId=` (or `scriptlogfile?executionResultId=`), then the download.
    func scriptLog(taskId: String, execution: ExecutionDetails) async throws -> ScriptLog?
    /// QRS `app/full?filter=id eq <id>`.
    func appDetails(id: String) async throws -> AppDetails?
    /// QRS `app/<id>` → owner, then `user/<ownerId>` → e-mail attribute.
    func appOwner(appId: String) async throws -> AppOwner?
}

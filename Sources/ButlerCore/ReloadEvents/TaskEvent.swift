/// One event from the Qlik Sense Scheduler's log4net UDP appender: a task that failed, was aborted,
/// succeeded or distributed, or an engine reload failure.
///
/// Source: Butler's UDP handler and the appender pattern (qlik-wire-protocols.md §5.2):
/// `<type>;%hostname;%property{TaskName};%property{AppName};%property{User};%property{TaskId};%property{AppId};%date;%level;%property{ExecutionId};%message`.
public struct TaskEvent: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable {
        case failed, aborted, success, distribute
        /// `/engine-reload-failed/` (9 fields): logged only.
        case engineReloadFailed
    }

    public var kind: Kind
    /// The message type as sent, e.g. `/scheduler-task-failed/`.
    public var messageType: String
    public var hostName: String
    public var taskName: String
    public var appName: String
    /// `DIRECTORY\userId` with a single backslash.
    public var user: String
    /// Lower-case GUID (empty for engine events).
    public var taskId: String
    /// Lower-case GUID, or nil for tasks without an app.
    public var appId: String?
    /// log4net `%date`, local time of the scheduler node: `yyyy-MM-dd HH:mm:ss,fff`.
    public var logTimeStamp: String
    public var logLevel: String
    /// The execution id (free text; the de-duplication key).
    public var executionId: String
    public var logMessage: String
    /// true when a `;` inside the task or app name made the split between them a guess (QRS has the
    /// real names).
    public var namesAmbiguous: Bool = false

    public init(kind: Kind, messageType: String, hostName: String, taskName: String, appName: String, user: String,
                taskId: String, appId: String?, logTimeStamp: String, logLevel: String, executionId: String, logMessage: String,
                namesAmbiguous: Bool = false) {
        self.kind = kind
        self.messageType = messageType
        self.hostName = hostName
        self.taskName = taskName
        self.appName = appName
        self.user = user
        self.taskId = taskId
        self.appId = appId
        self.logTimeStamp = logTimeStamp
        self.logLevel = logLevel
        self.executionId = executionId
        self.logMessage = logMessage
        self.namesAmbiguous = namesAmbiguous
    }
}

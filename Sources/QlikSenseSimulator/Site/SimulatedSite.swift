import Foundation
import Synchronization

/// The live state of a simulated Qlik Sense site: the description it was made from, every task start it
/// was asked for, and the result of each task's last run.
///
/// A start finishes at once with the task's `outcome` (a real run would take longer; what Butler reads
/// afterwards — execution result, script log — is the same). Thread-safe.
public final class SimulatedSite: Sendable {
    /// The last run of a task, as QRS reports it in `operational.lastExecutionResult`.
    public struct ExecutionResult: Sendable {
        public var id: String
        /// QRS `TaskExecutionStatus`: 7 FinishedSuccess, 8 FinishedFail, 6 Aborted.
        public var status: Int
        public var startTime: Date
        public var stopTime: Date
        public var fileReferenceID: String
        public var scriptLog: String
        public var details: [(type: Int, message: String, created: Date)]
        public var executingNodeName: String
    }

    public let description: SiteDescription
    /// What the simulated Engine was asked to do (sessions, reloads, saves).
    public let engine = EngineActivity()
    private struct State {
        var starts: [String] = []
        var outcomes: [String: SiteDescription.RunOutcome] = [:]
        var results: [String: ExecutionResult] = [:]
        /// Script-log download references handed out by `scriptlog`/`scriptlogfile`, to the task id.
        var downloads: [String: String] = [:]
    }
    private let state = Mutex(State())
    /// Called after each simulated run, outside the lock (the UDP sender hooks in here).
    private let runObservers = Mutex<[@Sendable (SiteDescription.ReloadTask, ExecutionResult) -> Void]>([])

    public init(_ description: SiteDescription) {
        self.description = description
    }

    /// Ids (lower case) of every task started so far, in order, including repeats.
    public var startedTaskIds: [String] { state.withLock { $0.starts } }

    /// Makes the next runs of a task end with `outcome` instead of the description's.
    public func setOutcome(_ outcome: SiteDescription.RunOutcome, forTask id: String) {
        state.withLock { $0.outcomes[id.lowercased()] = outcome }
    }

    /// Calls `observer` after every simulated run.
    public func onRun(_ observer: @escaping @Sendable (SiteDescription.ReloadTask, ExecutionResult) -> Void) {
        runObservers.withLock { $0.append(observer) }
    }

    public func task(id: String) -> SiteDescription.ReloadTask? {
        description.tasks.first { $0.id.lowercased() == id.lowercased() }
    }

    public func app(id: String) -> SiteDescription.App? {
        description.apps.first { $0.id.lowercased() == id.lowercased() }
    }

    public func user(id: String) -> SiteDescription.User? {
        description.users.first { $0.id.lowercased() == id.lowercased() }
    }

    public func lastResult(ofTask id: String) -> ExecutionResult? {
        state.withLock { $0.results[id.lowercased()] }
    }

    /// Starts (and at once finishes) a run of the task. Returns nil for an unknown task.
    @discardableResult
    public func startTask(id: String) -> ExecutionResult? {
        guard let task = task(id: id) else { return nil }
        let now = Date()
        let result: ExecutionResult = state.withLock { state in
            state.starts.append(task.id.lowercased())
            let outcome = state.outcomes[task.id.lowercased()] ?? task.outcome
            let result = Self.run(task, outcome: outcome, at: now, appName: task.app.flatMap(app(id:))?.name)
            state.results[task.id.lowercased()] = result
            return result
        }
        for observer in runObservers.withLock({ $0 }) { observer(task, result) }
        return result
    }

    /// A download reference for the last run's script log (QRS hands out a new one per request).
    public func scriptLogReference(forTask id: String) -> String? {
        state.withLock { state in
            guard state.results[id.lowercased()] != nil else { return nil }
            let reference = UUID().uuidString.lowercased()
            state.downloads[reference] = id.lowercased()
            return reference
        }
    }

    /// The script log a download reference points to.
    public func scriptLog(reference: String) -> String? {
        state.withLock { state in
            state.downloads[reference.lowercased()].flatMap { state.results[$0]?.scriptLog }
        }
    }

    private static func run(_ task: SiteDescription.ReloadTask, outcome: SiteDescription.RunOutcome, at start: Date, appName: String?) -> ExecutionResult {
        let stop = start.addingTimeInterval(1.25)
        let stamp = { (date: Date) -> String in
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'+0000'"
            return formatter.string(from: date)
        }
        var lines = task.scriptLog
        if lines.isEmpty {
            lines = ["Execution started.", "Qlik Sense Server Version 14.187.4",
                     "Reload Executed By            UserDirectory=INTERNAL; UserId=sa_scheduler",
                     "0002  SET ThousandSep=',';", "0010  LOAD * FROM [lib://Data/sales.qvd] (qvd)"]
            switch outcome {
            case .success: lines += ["      12 345 Lines fetched", "Execution finished."]
            case .fail: lines += ["      Error: Cannot open file: 'lib://Data/sales.qvd'", "Execution Failed", "Execution finished."]
            case .abort: lines += ["Execution aborted by user", "Execution finished."]
            }
        }
        let log = lines.map { "\(stamp(start)) \($0)" }.joined(separator: "\r\n") + "\r\n"
        let status: Int
        let final: String
        switch outcome {
        case .success: (status, final) = (7, "Changing task state from Started to FinishedSuccess")
        case .fail: (status, final) = (8, "Changing task state from Started to FinishedFail")
        case .abort: (status, final) = (6, "Changing task state from AbortInitiated to Aborted")
        }
        return ExecutionResult(
            id: UUID().uuidString.lowercased(), status: status, startTime: start, stopTime: stop,
            fileReferenceID: UUID().uuidString.lowercased(), scriptLog: log,
            details: [
                (2, "Changing task state from NeverStarted to Triggered", start),
                (2, "Changing task state from Triggered to Started", start.addingTimeInterval(0.2)),
                (outcome == .success ? 2 : 0, final, stop),
            ],
            executingNodeName: "qlik-sim-node")
    }
}

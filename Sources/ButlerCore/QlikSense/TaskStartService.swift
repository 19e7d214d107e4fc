import Logging

/// What to start: the ids, tags and custom-property values of one start-task request.
public struct TaskStartRequest: Equatable, Sendable {
    /// Task ids as given (validated by the service; `-` is never among them).
    public var taskIds: [String] = []
    public var tags: [String] = []
    public var customProperties: [NameValue] = []

    public init(taskIds: [String] = [], tags: [String] = [], customProperties: [NameValue] = []) {
        self.taskIds = taskIds
        self.tags = tags
        self.customProperties = customProperties
    }
}

/// The answer of the start-task route, field for field Butler's:
/// `{"tasksId":{"started":[{taskId,taskName}],"invalid":[{taskId}],"denied":[{taskId}]},
///   "tasksTag":[{taskId,taskName}],"tasksTagDenied":[{tag}],"tasksCP":[{taskId,taskName}],"tasksCPDenied":[{name,value}]}`.
public struct TaskStartReport: Equatable, Sendable, Encodable {
    public struct TaskIdOnly: Equatable, Sendable, Encodable {
        public var taskId: String
        public init(taskId: String) { self.taskId = taskId }
    }
    public struct TagOnly: Equatable, Sendable, Encodable {
        public var tag: String
        public init(tag: String) { self.tag = tag }
    }
    public struct CustomPropertyValue: Equatable, Sendable, Encodable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }
    public struct ById: Equatable, Sendable, Encodable {
        public var started: [TaskSummary] = []
        public var invalid: [TaskIdOnly] = []
        public var denied: [TaskIdOnly] = []
    }

    public var tasksId = ById()
    public var tasksTag: [TaskSummary] = []
    public var tasksTagDenied: [TagOnly] = []
    public var tasksCP: [TaskSummary] = []
    public var tasksCPDenied: [CustomPropertyValue] = []

    public init() {}

    /// Every task this report says was started, in order (by id, then tag, then custom property).
    public var startedTasks: [TaskSummary] { tasksId.started + tasksTag + tasksCP }
}

/// How one task start by id ended (MQTT `taskStartTopic`, the scheduler).
public enum TaskStartOutcome: Equatable, Sendable {
    case started(TaskSummary)
    /// Not a GUID.
    case invalid
    /// Not allowed by `Butler.startTaskFilter`.
    case denied
}

/// Starts Qlik Sense tasks by id, tag and custom property, with the `Butler.startTaskFilter` allow-list.
///
/// Source: Butler's `PUT|POST /v4/reloadtask/:taskId/start` (spec §2.4.13). Ids must be GUIDs (case
/// ignored, reported in lower case) and exist in QRS; with `allTaskIdsMustExist` one invalid id stops every
/// id-based start and the startable ids are reported as denied; tag and custom-property starts are not
/// affected. A task matched several times is started several times, as in Butler.
///
/// Beyond Butler: at most `maxConcurrentStarts` starts are in flight at a time, across every copy of the
/// service (they share one `TaskStartLimiter`), and the scheduler's starts go through the allow-list too.
public struct TaskStartService: Sendable {
    /// Task starts (QRS `POST /qrs/task/<id>/start`) in flight at once, at most.
    public static let maxConcurrentStarts = 8

    let site: any QlikSenseTasks
    let filter: StartTaskFilter
    let logger: Logger
    let limiter: TaskStartLimiter

    public init(site: any QlikSenseTasks, filter: StartTaskFilter, logger: Logger,
                maxConcurrentStarts: Int = TaskStartService.maxConcurrentStarts) {
        self.site = site
        self.filter = filter
        self.logger = logger
        limiter = TaskStartLimiter(limit: maxConcurrentStarts)
    }

    /// Looks up and starts what `request` names, and reports it in Butler's shape.
    /// - Throws: `ButlerError` from the site when a lookup fails (unreachable → `.unavailable`).
    public func start(_ request: TaskStartRequest, allTaskIdsMustExist: Bool) async throws -> TaskStartReport {
        var report = TaskStartReport()
        var startable: [TaskSummary] = []
        // GUID and allow-list checks first, then the QRS lookups (concurrently); the report keeps the
        // request's order.
        let ids = request.taskIds.map { given in QlikGUID.normalised(given).map { (id: $0, allowed: filter.allows(taskId: $0)) } }
        let lookups = ids.compactMap { $0?.allowed == true ? $0!.id : nil }
        var found = try await lookUp(lookups)[...]
        for (given, checked) in zip(request.taskIds, ids) {
            guard let checked else {
                report.tasksId.invalid.append(.init(taskId: given))
                continue
            }
            guard checked.allowed else {
                report.tasksId.denied.append(.init(taskId: checked.id))
                continue
            }
            if let task = found.popFirst()! {
                startable.append(task)
            } else {
                report.tasksId.invalid.append(.init(taskId: checked.id))
            }
        }
        if allTaskIdsMustExist && !report.tasksId.invalid.isEmpty {
            report.tasksId.denied += startable.map { .init(taskId: $0.taskId) }
        } else {
            report.tasksId.started = startable
        }
        for tag in request.tags {
            if filter.allows(tag: tag) {
                report.tasksTag += try await site.tasks(tag: tag)
            } else {
                report.tasksTagDenied.append(.init(tag: tag))
            }
        }
        for property in request.customProperties {
            if filter.allows(customProperty: property.name, value: property.value) {
                report.tasksCP += try await site.tasks(customProperty: property.name, value: property.value)
            } else {
                report.tasksCPDenied.append(.init(name: property.name, value: property.value))
            }
        }
        startInBackground(report.startedTasks)
        return report
    }

    /// The tasks with these ids (nil where QRS knows none), in order, looked up `limiter.limit` at a time
    /// (thousands of ids in one request don't wait for thousands of sequential QRS round trips).
    private func lookUp(_ ids: [String]) async throws -> [TaskSummary?] {
        if ids.count == 1 { return [try await site.task(id: ids[0])] }
        var found = [TaskSummary?](repeating: nil, count: ids.count)
        try await withThrowingTaskGroup(of: (Int, TaskSummary?).self) { group in
            var next = 0
            func addNext() {
                guard next < ids.count else { return }
                let index = next
                next += 1
                group.addTask { [site] in (index, try await site.task(id: ids[index])) }
            }
            for _ in 0..<limiter.limit { addNext() }
            while let (index, task) = try await group.next() {
                found[index] = task
                addNext()
            }
        }
        return found
    }

    /// Starts one task by id (MQTT `taskStartTopic`, the scheduler) after the GUID and allow-list checks,
    /// and waits for QRS's answer.
    /// - Throws: `ButlerError` when QRS refuses the start or can't be reached.
    public func startTask(id given: String) async throws -> TaskStartOutcome {
        guard let id = QlikGUID.normalised(given) else { return .invalid }
        guard filter.allows(taskId: id) else { return .denied }
        try await limiter.run { try await site.startTask(id: id) }
        return .started(TaskSummary(taskId: id, taskName: ""))
    }

    /// Butler answers before the starts complete; a start that fails is logged. At most
    /// `limiter.limit` starts run at once (a sliding window of that many child tasks, each through the
    /// shared limiter), however many tasks the request named.
    private func startInBackground(_ tasks: [TaskSummary]) {
        guard !tasks.isEmpty else { return }
        Task { [site, logger, limiter] in
            await withTaskGroup(of: Void.self) { group in
                var pending = tasks[...]
                func addNext() {
                    guard let task = pending.popFirst() else { return }
                    group.addTask {
                        do {
                            try await limiter.run { try await site.startTask(id: task.taskId) }
                            logger.info("Started Qlik Sense task \(task.taskId) (\(task.taskName))")
                        } catch {
                            logger.error("Could not start Qlik Sense task \(task.taskId) (\(task.taskName)): \(error)")
                        }
                    }
                }
                for _ in 0..<limiter.limit { addNext() }
                while await group.next() != nil { addNext() }
            }
        }
    }
}

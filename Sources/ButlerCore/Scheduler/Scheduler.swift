import Foundation
import Logging
import Synchronization

/// Butler's scheduler: the schedules, their started/stopped state, their next run times, and the schedule
/// file they are kept in.
///
/// Source: Butler's scheduler (spec §5, DESIGN Decisions 1 and 12) — with the schedule's own IANA time zone
/// (Butler ignored it, B27), months 1–12 (B28), and invalid cron expressions or zones refused with 400
/// (Butler saved them, B30). At start-up each schedule's state comes from `startupState` (B33). Runs missed
/// while Butler was down are not replayed: next run times are computed from the current time.
public actor Scheduler {
    struct Entry {
        var schedule: Schedule
        /// nil when the expression or zone is invalid (a hand-written file), or the schedule is stopped.
        var cron: CronExpression?
        var zone: TimeZone?
        var nextRun: Date?
    }

    /// The result of one firing.
    public struct Firing: Sendable, Equatable {
        public let scheduleId: String
        public let taskId: String
        public let at: Date
        /// nil when the task was started; else why not.
        public let failure: String?
    }

    private var entries: [Entry] = []
    /// The last firing of each schedule since start-up.
    private var lastRuns: [String: Firing] = [:]
    private let file: ScheduleFile?
    private let taskStarts: TaskStartService?
    private let maxSchedules: Int
    private let clock: any WallClock
    private let logger: Logger
    private var changeObserver: (@Sendable () -> Void)?

    /// Loads the schedule file (see `load`) and rewrites it.
    /// - Parameters:
    ///   - file: where schedules are kept (nil keeps them in memory only).
    ///   - taskStarts: how fired schedules start tasks: through the `Butler.startTaskFilter` allow-list and
    ///     the shared limit on concurrent starts; nil when Butler has no Qlik Sense connection.
    ///   - maxSchedules: `Butler.scheduler.maxSchedules`; `add` beyond it is refused.
    /// - Throws: `ButlerError.failed` when the file can't be opened, an unreadable file can't be set
    ///   aside, or the file can't be written. Never for what is in the file.
    public init(file: ScheduleFile?, taskStarts: TaskStartService?, maxSchedules: Int = 1000,
                clock: any WallClock = SystemWallClock(), logger: Logger) throws {
        self.file = file
        self.taskStarts = taskStarts
        self.maxSchedules = max(1, maxSchedules)
        self.clock = clock
        self.logger = logger
        entries = try Self.load(file, now: clock.now, logger: logger)
        try file?.write(entries.map(\.schedule))
    }

    /// A scheduler whose schedules start tasks on `tasks` with no allow-list (tests, tools).
    public init(file: ScheduleFile?, tasks: (any QlikSenseTasks)?, maxSchedules: Int = 1000,
                clock: any WallClock = SystemWallClock(), logger: Logger) throws {
        try self.init(
            file: file, taskStarts: tasks.map { TaskStartService(site: $0, filter: .init(), logger: logger) },
            maxSchedules: maxSchedules, clock: clock, logger: logger)
    }

    /// Called after every change that may move the next due time (the runner re-plans its sleep).
    public func onChange(_ observer: @escaping @Sendable () -> Void) {
        changeObserver = observer
    }

    /// Reads the schedule file: each entry's state from its `startupState`, entries without an id get a new
    /// one, and (by the caller) the file is rewritten, as Butler does. An entry with an invalid cron
    /// expression or zone is kept but never fires, and is logged.
    ///
    /// Beyond Butler, a start never fails because of what is in the file: an entry that can't be read (or
    /// isn't a schedule), or a file that can't be read at all, is logged with its line, the original file
    /// is first copied to `<file>.unreadable-<timestamp>` next to it, and the rest loads.
    static func load(_ file: ScheduleFile?, now: Date, logger: Logger) throws -> [Entry] {
        guard let file else { return [] }
        let contents = try file.read()
        var problems = contents.problems
        var entries: [Entry] = []
        for (line, item) in contents.entries {
            var id = UUID().uuidString.lowercased()
            var created: String?
            if case .object(let fields) = item {
                if case .string(let given)? = fields["id"], !given.isEmpty { id = given }
                if case .string(let date)? = fields["created"] { created = date }
            }
            do {
                var schedule = try Schedule(json: item, id: id, created: created)
                schedule.lastKnownState = schedule.startupState.initialState
                var entry = Entry(schedule: schedule)
                do {
                    (entry.cron, entry.zone) = try check(schedule)
                } catch {
                    logger.error("SCHEDULER: schedule \(id) (\(schedule.name)) will not run: \(error)")
                }
                plan(&entry, after: now)
                entries.append(entry)
            } catch {
                problems.append("entry at line \(line) (id \(id)) is not a schedule: \(error)")
            }
        }
        if !problems.isEmpty {
            let copy = try file.setAside(at: now)
            for problem in problems {
                logger.error("SCHEDULER: schedule file \(file.path): \(problem); skipped, the original file is kept as \(copy)")
            }
            logger.warning("SCHEDULER: loaded \(entries.count) schedules from \(file.path); \(problems.count) problems (see above)")
        }
        return entries
    }

    /// A schedule as the API shows it: its fields, `nextRunTime` (ISO 8601 with the zone's offset, null when
    /// stopped) and, once it has fired since start-up, `lastRun` `{time, result}` (`started` or why not).
    /// - Throws: `.badRequest` "REST SCHEDULER: Schedule ID <id> not found."
    public func view(id: String) throws -> JSONValue {
        guard let entry = entries.first(where: { $0.schedule.id == id }) else {
            throw ButlerError.badRequest("REST SCHEDULER: Schedule ID \(id) not found.")
        }
        return view(entry)
    }

    /// Every schedule as the API shows it, in the order they were added.
    public func views() -> [JSONValue] {
        entries.map(view)
    }

    private func view(_ entry: Entry) -> JSONValue {
        let lastRun = lastRuns[entry.schedule.id].map { firing -> JSONValue in
            .object(["time": .string(Self.timestamp(firing.at)), "result": .string(firing.failure ?? "started")])
        }
        return entry.schedule.json(nextRunTime: .some(Self.format(entry.nextRun, in: entry.zone)), lastRun: lastRun)
    }

    /// Remembers the outcome of firings (for `lastRun`).
    public func record(_ firings: [Firing]) {
        for firing in firings { lastRuns[firing.scheduleId] = firing }
    }

    /// Adds a schedule from an API body: a new lower-case UUID `id`, `created` now, state from
    /// `startupState`; saved to the file.
    /// - Throws: `.badRequest` for a missing field, a bad `startupState`, an invalid cron expression
    ///   (naming the field and token), an unknown time zone, `maxSchedules` reached, or a schedule over
    ///   the size limits or text the file can't keep (`Schedule.checkStorable`); `.failed` when the file can't be written.
    public func add(_ body: JSONValue) throws -> Schedule {
        guard entries.count < maxSchedules else {
            throw ButlerError.badRequest(
                "REST SCHEDULER: there are already \(entries.count) schedules, the maximum (Butler.scheduler.maxSchedules is \(maxSchedules))")
        }
        let schedule = try Schedule(json: body, id: UUID().uuidString.lowercased(), created: Self.timestamp(clock.now))
        try schedule.checkStorable()
        let (cron, zone) = try Self.check(schedule)
        guard QlikGUID.normalised(schedule.qlikSenseTaskId) != nil else {
            throw ButlerError.badRequest("qlikSenseTaskId is not a task id (GUID): \(schedule.qlikSenseTaskId)")
        }
        var entry = Entry(schedule: schedule, cron: cron, zone: zone)
        plan(&entry, after: clock.now)
        entries.append(entry)
        try saveOrUndo { $0.removeLast() }
        changeObserver?()
        return schedule
    }

    /// - Throws: `.badRequest` "REST SCHEDULER: Delete for schedule ID <id> failed." for an unknown id.
    public func delete(id: String) throws {
        guard let index = entries.firstIndex(where: { $0.schedule.id == id }) else {
            throw ButlerError.badRequest("REST SCHEDULER: Delete for schedule ID \(id) failed.")
        }
        let removed = entries.remove(at: index)
        try saveOrUndo { $0.insert(removed, at: index) }
        changeObserver?()
    }

    /// Starts or stops one schedule and saves the file.
    /// - Throws: `.badRequest` "REST SCHEDULER: Failed starting|stopping schedule ID <id>." for an unknown id.
    public func set(_ state: Schedule.State, id: String) throws -> Schedule {
        guard let index = entries.firstIndex(where: { $0.schedule.id == id }) else {
            throw ButlerError.badRequest("REST SCHEDULER: Failed \(state == .started ? "starting" : "stopping") schedule ID \(id).")
        }
        let before = entries[index]
        entries[index].schedule.lastKnownState = state
        plan(&entries[index], after: clock.now)
        try saveOrUndo { $0[index] = before }
        changeObserver?()
        return entries[index].schedule
    }

    /// Starts or stops every schedule and saves the file; returns all schedules.
    public func setAll(_ state: Schedule.State) throws -> [Schedule] {
        let before = entries
        for index in entries.indices {
            entries[index].schedule.lastKnownState = state
            plan(&entries[index], after: clock.now)
        }
        try saveOrUndo { $0 = before }
        changeObserver?()
        return entries.map(\.schedule)
    }

    /// `GET /v4/schedules/status`: `{`, one line per schedule `'<id>': <cron>: <name>: Running|Stopped`, `}`
    /// (Butler's cron-manager dump, with the schedule's name in the part Butler filled with code).
    public func statusText() -> String {
        let lines = entries.map { entry in
            "'\(entry.schedule.id)': \(entry.schedule.cronSchedule): \(entry.schedule.name): \(entry.nextRun == nil ? "Stopped" : "Running")"
        }
        return (["{"] + lines + ["}"]).joined(separator: "\n") + "\n"
    }

    /// The earliest next run of any started schedule.
    public func nextDue() -> Date? {
        entries.compactMap(\.nextRun).min()
    }

    /// Fires every started schedule that is due at the clock's current time and waits for the starts
    /// (`takeDue` then `start`).
    public func fireDue() async -> [Firing] {
        let now = clock.now
        let firings = await start(takeDue(), at: now)
        record(firings)
        return firings
    }

    /// The started schedules due at the clock's current time; their next runs are planned after now
    /// (missed runs are not replayed).
    public func takeDue() -> [Schedule] {
        let now = clock.now
        var due: [Schedule] = []
        for index in entries.indices {
            guard let next = entries[index].nextRun, next <= now else { continue }
            due.append(entries[index].schedule)
            plan(&entries[index], after: now)
        }
        return due
    }

    /// Starts the schedules' tasks (QRS `POST /qrs/task/{id}/start`) and logs each outcome; one slow start
    /// doesn't delay the others. Starts go through `TaskStartService.startTask(id:)`: the
    /// `Butler.startTaskFilter` allow-list (beyond Butler, whose scheduler ignored it) and the shared limit
    /// of `TaskStartService.maxConcurrentStarts` starts in flight. A denied or invalid id is logged and
    /// becomes the firing's failure (shown in `lastRun`).
    public nonisolated func start(_ due: [Schedule], at now: Date) async -> [Firing] {
        guard !due.isEmpty else { return [] }
        let taskStarts = self.taskStarts
        let logger = self.logger
        return await withTaskGroup(of: Firing.self) { group in
            for schedule in due {
                group.addTask {
                    logger.info("SCHEDULER: Cron event for schedule ID \(schedule.id): \(schedule.name)")
                    func failed(_ why: String) -> Firing {
                        logger.error("SCHEDULER: could not start task \(schedule.qlikSenseTaskId) for schedule \(schedule.id): \(why)")
                        return Firing(scheduleId: schedule.id, taskId: schedule.qlikSenseTaskId, at: now, failure: why)
                    }
                    guard let taskStarts else {
                        return failed("Butler has no Qlik Sense connection (Butler.configQRS is not set, or --no-qs-connection)")
                    }
                    do {
                        switch try await taskStarts.startTask(id: schedule.qlikSenseTaskId) {
                        case .started:
                            logger.info("SCHEDULER: started task \(schedule.qlikSenseTaskId) for schedule \(schedule.id)")
                            return Firing(scheduleId: schedule.id, taskId: schedule.qlikSenseTaskId, at: now, failure: nil)
                        case .denied:
                            return failed("denied: the task is not allowed by Butler.startTaskFilter")
                        case .invalid:
                            return failed("qlikSenseTaskId is not a task id (GUID)")
                        }
                    } catch {
                        return failed("\(error)")
                    }
                }
            }
            var firings: [Firing] = []
            for await firing in group { firings.append(firing) }
            return firings
        }
    }

    private func plan(_ entry: inout Entry, after instant: Date) {
        Self.plan(&entry, after: instant)
    }

    private static func plan(_ entry: inout Entry, after instant: Date) {
        guard entry.schedule.lastKnownState == .started, let cron = entry.cron, let zone = entry.zone else {
            entry.nextRun = nil
            return
        }
        entry.nextRun = cron.nextFire(after: instant, in: zone)
    }

    private func save() throws {
        try file?.write(entries.map(\.schedule))
    }

    /// Saves; when the file can't be written, puts the schedules back as they were and rethrows.
    private func saveOrUndo(_ undo: (inout [Entry]) -> Void) throws {
        do {
            try save()
        } catch {
            undo(&entries)
            throw error
        }
    }

    /// The parsed expression and zone of a schedule.
    /// - Throws: `.badRequest` naming what is wrong.
    static func check(_ schedule: Schedule) throws -> (CronExpression, TimeZone) {
        let cron: CronExpression
        do {
            cron = try CronExpression(schedule.cronSchedule)
        } catch {
            throw ButlerError.badRequest("Invalid cronSchedule: \(error)")
        }
        guard !schedule.timezone.isEmpty, let zone = zone(schedule.timezone) else {
            throw ButlerError.badRequest("Unknown timezone '\(schedule.timezone)': use an IANA time zone name such as Europe/Stockholm")
        }
        return (cron, zone)
    }

    /// Time zones by identifier, shared: each `TimeZone` made from an identifier holds its own copy of the
    /// zone's rules, which adds up over thousands of schedules.
    private static let zones = Mutex<[String: TimeZone]>([:])

    static func zone(_ identifier: String) -> TimeZone? {
        if let known = zones.withLock({ $0[identifier] }) { return known }
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        zones.withLock { $0[identifier] = zone }
        return zone
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// ISO 8601 with the zone's offset, e.g. `2024-01-15T06:00:00+01:00`.
    public static func format(_ date: Date?, in zone: TimeZone?) -> String? {
        guard let date, let zone else { return nil }
        return date.formatted(Date.ISO8601FormatStyle(timeZoneSeparator: .colon, timeZone: zone))
    }
}

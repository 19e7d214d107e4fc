import Foundation

/// A schedule: start a Qlik Sense task whenever a cron expression fires in a time zone.
///
/// Fields are Butler's (spec §5): `id`, `created`, `name`, `cronSchedule`, `timezone`, `qlikSenseTaskId`,
/// `startupState` (`start|started|stop|stopped`), `tags`, `lastKnownState` (`started|stopped`), plus any
/// other properties the creator sent, kept as they were. `nextRunTime` and `lastRun` are computed, never
/// stored.
public struct Schedule: Equatable, Sendable {
    public var id: String
    /// ISO 8601 UTC with milliseconds; nil for hand-written entries.
    public var created: String?
    public var name: String
    public var cronSchedule: String
    public var timezone: String
    public var qlikSenseTaskId: String
    public var startupState: StartupState
    public var tags: [String]
    public var lastKnownState: State
    /// Properties beyond Butler's, kept as sent.
    public var extra: [String: JSONValue]

    public enum StartupState: String, Sendable, Codable, CaseIterable {
        case start, started, stop, stopped

        /// `start`/`started` → started, else stopped (Butler's start-up rule).
        public var initialState: State { self == .start || self == .started ? .started : .stopped }
    }

    public enum State: String, Sendable, Codable {
        case started, stopped
    }

    public init(
        id: String, created: String? = nil, name: String, cronSchedule: String, timezone: String, qlikSenseTaskId: String,
        startupState: StartupState, tags: [String] = [], lastKnownState: State? = nil, extra: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.created = created
        self.name = name
        self.cronSchedule = cronSchedule
        self.timezone = timezone
        self.qlikSenseTaskId = qlikSenseTaskId
        self.startupState = startupState
        self.tags = tags
        self.lastKnownState = lastKnownState ?? startupState.initialState
        self.extra = extra
    }

    /// Butler's field names, in Butler's order.
    static let fieldNames = ["id", "created", "name", "cronSchedule", "timezone", "qlikSenseTaskId", "startupState", "tags", "lastKnownState"]

    /// The schedule as JSON: every field, the extra properties, and (when given) `nextRunTime` and `lastRun`.
    public func json(nextRunTime: String?? = nil, lastRun: JSONValue? = nil) -> JSONValue {
        var fields = extra
        fields["id"] = .string(id)
        if let created { fields["created"] = .string(created) }
        fields["name"] = .string(name)
        fields["cronSchedule"] = .string(cronSchedule)
        fields["timezone"] = .string(timezone)
        fields["qlikSenseTaskId"] = .string(qlikSenseTaskId)
        fields["startupState"] = .string(startupState.rawValue)
        fields["tags"] = .array(tags.map(JSONValue.string))
        fields["lastKnownState"] = .string(lastKnownState.rawValue)
        if let nextRunTime { fields["nextRunTime"] = nextRunTime.map(JSONValue.string) ?? .null }
        if let lastRun { fields["lastRun"] = lastRun }
        return .object(fields)
    }

    /// Reads a schedule from JSON (an API body or a schedule-file entry).
    /// - Throws: `ButlerError.badRequest` in AJV's words for a missing or mistyped field; the cron expression
    ///   and time zone are checked by `Scheduler`, not here.
    public init(json: JSONValue, id: String, created: String?) throws {
        guard case .object(var fields) = json else { throw ButlerError.badRequest("body must be object") }
        func string(_ name: String) throws -> String {
            guard let value = fields.removeValue(forKey: name) else { throw ButlerError.badRequest("body must have required property '\(name)'") }
            switch value {
            case .string(let text): return text
            case .number(let number): return JSONValue.text(of: number)
            default: throw ButlerError.badRequest("body/\(name) must be string")
            }
        }
        let name = try string("name"), cron = try string("cronSchedule"), zone = try string("timezone")
        let task = try string("qlikSenseTaskId"), startup = try string("startupState")
        guard let startupState = StartupState(rawValue: startup) else {
            throw ButlerError.badRequest("body/startupState must be equal to one of the allowed values (start, started, stop, stopped)")
        }
        var tags: [String] = []
        switch fields.removeValue(forKey: "tags") {
        case nil, .null?: break
        case .array(let items)?:
            for item in items {
                guard case .string(let tag) = item else { throw ButlerError.badRequest("body/tags must be array of strings") }
                tags.append(tag)
            }
        default: throw ButlerError.badRequest("body/tags must be array")
        }
        var lastKnownState: State?
        if case .string(let state)? = fields["lastKnownState"] { lastKnownState = State(rawValue: state) }
        for field in Self.fieldNames { fields.removeValue(forKey: field) }
        fields.removeValue(forKey: "nextRunTime")
        fields.removeValue(forKey: "lastRun")
        self.init(id: id, created: created, name: name, cronSchedule: cron, timezone: zone, qlikSenseTaskId: task,
                  startupState: startupState, tags: tags, lastKnownState: lastKnownState, extra: fields)
    }
}

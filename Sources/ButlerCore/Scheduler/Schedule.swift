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

/// The size limits of a schedule created through the API (beyond Butler, which had none), so that no
/// request can grow the schedule file without bound: unknown properties (`extra`) at most `maxExtraBytes`
/// in all and `maxExtraDepth` levels deep, the whole schedule at most `maxEncodedBytes` in the file.
/// Over a limit is refused with 400; nothing is silently dropped. A string that begins with U+FEFF (a byte
/// order mark) is refused too: Yams drops a scalar's leading BOM when it reads the file back (it decodes
/// scalars with Foundation's `String(bytes:encoding:)`), so it couldn't round-trip.
extension Schedule {
    /// The whole schedule as written in the schedule file: 64 KiB.
    public static let maxEncodedBytes = 64 * 1024
    /// The unknown properties, keys and values as written in the schedule file, in all: 4 KiB.
    public static let maxExtraBytes = 4 * 1024
    /// Nesting of an unknown property's value (`{"a":[{}]}` is 3 levels).
    public static let maxExtraDepth = 16

    /// Whether the schedule file can keep this schedule as it is, within the limits.
    /// - Throws: `.badRequest` naming the limit that is exceeded, or the field whose text begins with U+FEFF.
    public func checkStorable() throws {
        let fields = [("name", name), ("cronSchedule", cronSchedule), ("timezone", timezone), ("qlikSenseTaskId", qlikSenseTaskId)]
            + tags.enumerated().map { ("tags/\($0)", $1) }
        for (field, text) in fields where text.unicodeScalars.first == "\u{FEFF}" {
            throw Self.byteOrderMark("body/\(field)")
        }
        var extraBytes = 0
        for (key, value) in extra {
            extraBytes += ScheduleFile.blockKey(key).utf8.count + ScheduleFile.flow(value).utf8.count
            guard !Self.nested(value, deeperThan: Self.maxExtraDepth) else {
                throw ButlerError.badRequest("body/\(key) is nested more than \(Self.maxExtraDepth) levels deep")
            }
            if key.unicodeScalars.first == "\u{FEFF}" { throw Self.byteOrderMark("a property name") }
            if let path = Self.textWithByteOrderMark(in: value, at: "body/\(key)") { throw Self.byteOrderMark(path) }
        }
        guard extraBytes <= Self.maxExtraBytes else {
            throw ButlerError.badRequest(
                "The schedule's properties beyond Butler's fields take \(extraBytes) bytes; at most \(Self.maxExtraBytes) are kept")
        }
        let encoded = ScheduleFile.yaml([self]).utf8.count
        guard encoded <= Self.maxEncodedBytes else {
            throw ButlerError.badRequest("The schedule takes \(encoded) bytes in the schedule file; at most \(Self.maxEncodedBytes) are allowed")
        }
    }

    private static func byteOrderMark(_ what: String) -> ButlerError {
        .badRequest("\(what) must not begin with U+FEFF (a byte order mark), which the schedule file can't keep")
    }

    /// The path of the first string (or key) in `value` that begins with U+FEFF.
    private static func textWithByteOrderMark(in value: JSONValue, at path: String) -> String? {
        switch value {
        case .string(let text): return text.unicodeScalars.first == "\u{FEFF}" ? path : nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = textWithByteOrderMark(in: item, at: "\(path)/\(index)") { return found }
            }
            return nil
        case .object(let fields):
            for (key, item) in fields {
                if key.unicodeScalars.first == "\u{FEFF}" { return "a property name in \(path)" }
                if let found = textWithByteOrderMark(in: item, at: "\(path)/\(key)") { return found }
            }
            return nil
        default: return nil
        }
    }

    /// Whether `value` has more than `limit` levels of arrays and objects (recursing at most `limit` deep).
    private static func nested(_ value: JSONValue, deeperThan limit: Int) -> Bool {
        let children: [JSONValue]
        switch value {
        case .array(let items): children = items
        case .object(let fields): children = Array(fields.values)
        default: return false
        }
        return limit == 0 || children.contains { nested($0, deeperThan: limit - 1) }
    }
}

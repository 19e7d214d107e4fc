/// Parses Scheduler UDP datagrams into `TaskEvent`s.
///
/// Rules (spec §7.2, qlik-wire-protocols.md §5, DESIGN Decisions 6):
/// - every field is sanitised: ASCII control characters (0x00–0x1F, 0x7F) removed, cut to 500 characters;
/// - the type is compared case-insensitively, with repeated trailing `/` collapsed, so the shipped
///   template's `/scheduler-task-success//` is a success (B43);
/// - fields are found around anchors — task id (GUID), app id (GUID or empty), log4net timestamp,
///   level — so a `;` inside the task name, app name or message neither drops nor garbles the event;
///   a `;` in the names makes their split a guess, marked `namesAmbiguous`;
/// - only the task id and app id are GUID-checked (the execution id is free text);
/// - Butler 9.4.0's legacy failed-reload form without a type is accepted only with exactly 10 fields and a
///   GUID in field 4 (B41); anything else unknown is refused.
public enum TaskEventParser {
    public static let maxFieldLength = 500

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case unknownType(String)
        /// The anchors (GUIDs, timestamp, level) weren't found where the type needs them.
        case malformed(type: String, fieldCount: Int)

        public var description: String {
            switch self {
            case .unknownType(let type): "Unknown UDP message type: \(type)"
            case .malformed(let type, let count): "Malformed \(type) message (\(count) fields, no task id;app id;timestamp;level sequence)"
            }
        }
    }

    static let kinds: [String: TaskEvent.Kind] = [
        "/scheduler-reload-failed/": .failed, "/scheduler-task-failed/": .failed, "/scheduler-reloadtask-failed/": .failed,
        "/scheduler-reload-aborted/": .aborted, "/scheduler-task-aborted/": .aborted,
        "/scheduler-reloadtask-success/": .success, "/scheduler-task-success/": .success,
        "/scheduler-distribute/": .distribute, "/engine-reload-failed/": .engineReloadFailed,
    ]

    /// Parses one datagram (UTF-8; invalid bytes replaced).
    /// - Throws: `Failure` for an unknown type or a message without its anchors.
    public static func parse(_ datagram: some Collection<UInt8>) throws -> TaskEvent {
        let text = String(decoding: datagram, as: UTF8.self)
        let fields = text.split(separator: ";", omittingEmptySubsequences: false).map { sanitise($0) }
        let type = normalisedType(fields[0])
        guard let kind = kinds[type] else {
            // Butler 9.4.0's legacy failed-reload form has no type: accepted only with exactly 10 fields
            // and a GUID in field 4 (B41).
            if fields.count == 10, QlikGUID.normalised(fields[4]) != nil {
                return try parseScheduler(["/scheduler-reload-failed/"] + fields, kind: .failed, type: "(legacy, no type)")
            }
            throw Failure.unknownType(fields[0])
        }
        return kind == .engineReloadFailed
            ? try parseEngine(fields, type: fields[0])
            : try parseScheduler(fields, kind: kind, type: fields[0])
    }

    /// `;host;taskName;appName;user;taskId;appId;date;level;executionId;message`, anchored on the
    /// first `taskId;appId;date;level` run.
    static func parseScheduler(_ fields: [String], kind: TaskEvent.Kind, type: String) throws -> TaskEvent {
        // The earliest anchor at index ≥ 5 (host, task name, app name, user come before it).
        guard fields.count >= 11,
            let anchor = (5...(fields.count - 6)).first(where: { index in
                QlikGUID.normalised(fields[index]) != nil
                    && (fields[index + 1].isEmpty || QlikGUID.normalised(fields[index + 1]) != nil)
                    && isTimestamp(fields[index + 2]) && isLevel(fields[index + 3])
            })
        else { throw Failure.malformed(type: type, fieldCount: fields.count) }
        let names = Array(fields[2..<(anchor - 1)])
        let (taskName, appName) = splitNames(names)
        return TaskEvent(
            kind: kind, messageType: type, hostName: fields[1], taskName: taskName, appName: appName, user: fields[anchor - 1],
            taskId: QlikGUID.normalised(fields[anchor])!, appId: QlikGUID.normalised(fields[anchor + 1]),
            logTimeStamp: fields[anchor + 2], logLevel: fields[anchor + 3], executionId: fields[anchor + 4],
            logMessage: capped(fields[(anchor + 5)...].joined(separator: ";")), namesAmbiguous: names.count > 2)
    }

    /// `/engine-reload-failed/;host;appId;appName;userDirectory;userId;timestamp;executionId;message`.
    static func parseEngine(_ fields: [String], type: String) throws -> TaskEvent {
        guard fields.count >= 9, let appId = QlikGUID.normalised(fields[2]),
            let stamp = (6...(fields.count - 3)).first(where: { isTimestamp(fields[$0]) })
        else { throw Failure.malformed(type: type, fieldCount: fields.count) }
        return TaskEvent(
            kind: .engineReloadFailed, messageType: type, hostName: fields[1], taskName: "",
            appName: fields[3..<(stamp - 2)].joined(separator: ";"), user: "\(fields[stamp - 2])\\\(fields[stamp - 1])",
            taskId: "", appId: appId, logTimeStamp: fields[stamp], logLevel: "", executionId: fields[stamp + 1],
            logMessage: capped(fields[(stamp + 2)...].joined(separator: ";")), namesAmbiguous: stamp > 6)
    }

    /// Task and app names when `;` split them into more than two parts: the split where the task name
    /// ends with the app name (Qlik's "Reload of <app>" naming), else everything but the last part is
    /// the task name.
    static func splitNames(_ parts: [String]) -> (String, String) {
        guard parts.count > 2 else { return (parts.first ?? "", parts.count > 1 ? parts[1] : "") }
        // Real names hold a few `;` at most; a datagram of thousands of parts takes the last-part rule
        // (no quadratic search).
        for split in 1..<min(parts.count, 16) {
            let task = parts[..<split].joined(separator: ";"), app = parts[split...].joined(separator: ";")
            if !app.isEmpty && task.hasSuffix(app) { return (task, app) }
        }
        return (parts.dropLast().joined(separator: ";"), parts.last!)
    }

    static func normalisedType(_ text: String) -> String {
        var type = text.lowercased()
        while type.hasSuffix("//") { type.removeLast() }
        return type
    }

    /// Control characters removed, cut to `maxFieldLength` characters.
    static func sanitise(_ field: Substring) -> String {
        capped(String(String.UnicodeScalarView(field.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F })))
    }

    static func capped(_ text: String) -> String {
        text.count > maxFieldLength ? String(text.prefix(maxFieldLength)) : text
    }

    /// log4net `%date`: `yyyy-MM-dd HH:mm:ss,fff`.
    static func isTimestamp(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 23 else { return false }
        let pattern = Array("dddd-dd-dd dd:dd:dd,ddd".utf8)
        return zip(bytes, pattern).allSatisfy { byte, expected in
            expected == UInt8(ascii: "d") ? (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) : byte == expected
        }
    }

    static func isLevel(_ text: String) -> Bool {
        ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"].contains(text.uppercased())
    }
}

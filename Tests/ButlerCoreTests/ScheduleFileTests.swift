import ButlerCore
import Foundation
import Logging
import Synchronization
import Testing

/// Issue 12 item 1: whatever a route accepted reads back from the schedule file, and no content of the file
/// can stop a start (an unreadable entry or file is logged with its line, set aside, and the rest loads).
@Suite("Schedule file", .serialized)
struct ScheduleFileTests {
    static let task = "e3b27f50-b1c0-4879-88fc-c7cdd9c1cf3e"

    /// Every character class libyaml refuses raw or folds, and the rest of the hostile-text zoo.
    static let hostile: [String] = {
        var texts = (0x00...0x1F).map { "c0 \(String(UnicodeScalar(UInt8($0)))) end" }
        texts += ["a\u{7F}", "\u{7F}"]
        texts += (0x80...0x9F).map { "c1 \(String(Character(UnicodeScalar($0)!))) end" }
        texts += ["\u{FFFE}", "x\u{FFFF}y", "mid\u{FEFF}bom", "line\u{2028}sep\u{2029}para", "nel\u{85}nel", "nbsp\u{A0}"]
        texts += ["\u{200E}ltr\u{200F}rtl\u{202A}\u{202B}\u{202C}\u{202D}\u{202E}\u{2066}\u{2067}\u{2068}\u{2069}\u{061C}"]
        texts += ["👩‍👩‍👧‍👦 🇸🇪 🏳️‍🌈", "e\u{301}\u{308}\u{20DD}", String(String.UnicodeScalarView([UnicodeScalar(0xFDD0)!, UnicodeScalar(0xFDEF)!])), "\u{10FFFF}\u{1FFFE}\u{E000}", "\u{D7FF}\u{E000}"]
        texts += ["", " ", "  lead and trail  ", "\t", "\"", "\\", "'", "\\x41", "\\u0041", "#", "a # b", ": ", "- x", "? x",
                  "&anchor", "*alias", "!tag", "!!str", "%YAML", "@", "`", "{", "}", "[", "]", ",", "|", ">", "---", "...",
                  "true", "false", "null", "~", "yes", "no", "on", "off", "123", "1.0", "-0", "0x10", "0o7", "1e5", ".inf", ".nan",
                  "1_000", "12:30:00", "2024-01-15", "<<", "=", "\r\n", "\n\n", String(repeating: "long ", count: 2_000)]
        return texts
    }()

    static func logger() -> (Logger, CapturedLog) {
        let log = CapturedLog()
        var logger = Logger(label: "test") { _ in log }
        logger.logLevel = .trace
        return (logger, log)
    }

    static func directory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("butler-schedule-file-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    // Every hostile string in every field, tags, extra keys and values (nested too) reads back exactly.
    @Test func everyStringRoundTripsInEveryField() throws {
        let folder = Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = ScheduleFile(path: folder.appendingPathComponent("schedule.yaml").path)
        let schedules = Self.hostile.enumerated().map { index, text in
            Schedule(
                id: "id \(text)", created: text, name: text, cronSchedule: text, timezone: text, qlikSenseTaskId: text,
                startupState: .started, tags: [text, "t\(index)", text + text], lastKnownState: .stopped,
                extra: [text.isEmpty ? "empty" : text: .string(text), "k\(index) \(text)": .object([text: .array([.string(text), .number(1.5), .bool(true), .null])]),
                        "n\(index)": .number(index % 2 == 0 ? 1e300 : -0.000001), "big": .number(12_345_678_901_234), "o": .object([:]), "a": .array([])])
        }
        try file.write(schedules)
        let contents = try file.read()
        #expect(contents.problems == [])
        #expect(contents.entries.count == schedules.count)
        let read = try contents.entries.map { try Schedule(json: $0.value, id: $0.value["id"]?.stringValue ?? "?", created: $0.value["created"]?.stringValue) }
        let lost = schedules.filter { !read.contains($0) }
        #expect(lost.isEmpty, "not read back: \(lost.map { $0.name.unicodeScalars.map { "U+" + String($0.value, radix: 16) }.prefix(8) })")
    }

    // Long keys (over libyaml's 1024-character simple-key limit) in the block and in nested mappings.
    @Test func longKeysRoundTrip() throws {
        let folder = Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = ScheduleFile(path: folder.appendingPathComponent("schedule.yaml").path)
        let key = String(repeating: "k\u{7F}é", count: 1_500)
        let schedule = Schedule(id: "1", name: "n", cronSchedule: "* * * * *", timezone: "UTC", qlikSenseTaskId: Self.task,
                                startupState: .start, extra: [key: .object([key: .string(key)])])
        try file.write([schedule])
        let contents = try file.read()
        #expect(contents.problems == [])
        #expect(try Schedule(json: try #require(contents.entries.first?.value), id: "1", created: nil) == schedule)
    }

    // The exact trigger, through the Scheduler: a DEL name (and hostile tags and extra fields) survives a reload.
    @Test func schedulerReloadsWhatItAccepted() async throws {
        let folder = Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = ScheduleFile(path: folder.appendingPathComponent("schedule.yaml").path)
        let (logger, log) = Self.logger()
        let scheduler = try Scheduler(file: file, tasks: nil, logger: logger)
        var ids: [String] = []
        for text in ["a\u{7F}"] + Self.hostile.prefix(80) {
            let body: JSONValue = .object([
                "name": .string(text), "cronSchedule": "0 6 * * *", "timezone": "Europe/Stockholm", "qlikSenseTaskId": .string(Self.task),
                "startupState": "started", "tags": .array([.string(text)]), "note \(text)": .string(text),
            ])
            ids.append(try await scheduler.add(body).id)
        }
        let before = await scheduler.views()
        let reloaded = try Scheduler(file: file, tasks: nil, logger: logger)
        #expect(await reloaded.views() == before)
        #expect(try await reloaded.view(id: ids[0])["name"] == "a\u{7F}")
        #expect(log.messages.filter { $0.contains("schedule file") }.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["schedule.yaml"])
    }

    // The one text the file can't keep (Yams drops a scalar's leading U+FEFF on reading) is refused with 400.
    @Test(arguments: [
        ("name", "body/name"), ("tag", "body/tags/1"), ("key", "a property name"), ("value", "body/note/0/k"),
    ])
    func aLeadingByteOrderMarkIsRefused(place: String, path: String) async throws {
        let scheduler = try Scheduler(file: nil, tasks: nil, logger: Logger(label: "test"))
        let bom = "\u{FEFF}x"
        var fields: [String: JSONValue] = [
            "name": .string(place == "name" ? bom : "n"), "cronSchedule": "0 6 * * *", "timezone": "UTC", "qlikSenseTaskId": .string(Self.task),
            "startupState": "start", "tags": .array(["t", .string(place == "tag" ? bom : "u")]),
        ]
        if place == "key" { fields[bom] = "v" }
        if place == "value" { fields["note"] = .array([.object(["k": .string(bom)])]) }
        do {
            _ = try await scheduler.add(.object(fields))
            Issue.record("accepted")
        } catch let error as ButlerError {
            #expect(error == .badRequest("\(path) must not begin with U+FEFF (a byte order mark), which the schedule file can't keep"))
        }
        #expect(await scheduler.views() == [])
    }

    /// Files with one bad entry between two good ones, as an older version (or a hand edit) left them.
    static func goodEntry(_ name: String) -> String {
        """
          - name: \(name)
            cronSchedule: "0 6 * * *"
            timezone: Europe/Stockholm
            qlikSenseTaskId: \(task)
            startupState: started
            id: \(name)
        """
    }

    static let badEntries: [(kind: String, bytes: [UInt8])] = [
        ("raw DEL", Array("  - name: \"a\u{7F}\"\n    cronSchedule: \"* * * * *\"\n    id: bad\n".utf8)),
        ("raw C0", Array("  - name: \"a\u{1}b\"\n    id: bad\n".utf8)),
        ("raw C1", Array("  - name: \"a\u{80}b\"\n    id: bad\n".utf8)),
        ("raw U+FFFE", Array("  - name: \"\u{FFFE}\"\n    id: bad\n".utf8)),
        ("invalid UTF-8", Array("  - name: \"".utf8) + [0xFF, 0xFE, 0xC3] + Array("\"\n    cronSchedule: x\n".utf8)),
        ("unclosed quote", Array("  - name: \"never closed\n    id: bad\n".utf8)),
        ("bad indentation", Array("  - name: x\n      id: bad\n   cronSchedule: y\n".utf8)),
        ("tab indentation", Array("  - name: x\n\tid: bad\n".utf8)),
        ("not a mapping", Array("  - just some text\n".utf8)),
        ("missing fields", Array("  - name: only a name\n    id: bad\n".utf8)),
        ("duplicate keys", Array("  - name: x\n    name: y\n    id: bad\n".utf8)),
        ("undefined alias", Array("  - name: *nowhere\n    id: bad\n".utf8)),
    ]

    // Restart after each kind of bad entry: the other two load, the error names the line, the original is set aside.
    @Test(arguments: badEntries.indices)
    func aBadEntryIsSetAsideAndTheRestLoads(index: Int) async throws {
        let (kind, bad) = Self.badEntries[index]
        let folder = Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("schedule.yaml").path
        let original = Array("butlerSchedule:\n\(Self.goodEntry("first"))\n".utf8) + bad + Array("\(Self.goodEntry("last"))\n".utf8)
        _ = FileManager.default.createFile(atPath: path, contents: Data(original))
        let (logger, log) = Self.logger()
        let clock = ManualWallClock(start: try Date("2024-01-15T04:59:00Z", strategy: .iso8601))
        let scheduler = try Scheduler(file: ScheduleFile(path: path), tasks: nil, clock: clock, logger: logger)
        let names = await scheduler.views().compactMap { $0["name"]?.stringValue }
        #expect(names == ["first", "last"], "\(kind)")
        let copy = path + ".unreadable-2024-01-15T045900Z"
        #expect(FileManager.default.contents(atPath: copy) == Data(original), "\(kind)")
        let errors = log.messages.filter { $0.contains("skipped, the original file is kept as \(copy)") }
        #expect(!errors.isEmpty, "\(kind)")
        // The bad entry starts on line 8 (header, 6 lines of the first entry).
        #expect(errors.contains { $0.contains("line 8") } || errors.contains { $0.contains("UTF-8") }, "\(kind): \(errors)")
        // The rewritten file is clean: a second start has nothing to set aside.
        let again = try Scheduler(file: ScheduleFile(path: path), tasks: nil, clock: clock, logger: logger)
        #expect(await again.views().count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 2, "\(kind)")
    }

    // A wholly unreadable file: logged, set aside, and Butler starts with no schedules.
    @Test(arguments: ["{{{{ [", "butlerSchedule: {a: 1}", "just text", "- a\n- b\n", "butlerSchedule:\n  - name: \"\u{7F}\n", "\u{1}\u{2}"])
    func aWhollyUnreadableFileIsSetAside(text: String) async throws {
        let folder = Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("schedule.yaml").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        let (logger, log) = Self.logger()
        let scheduler = try Scheduler(file: ScheduleFile(path: path), tasks: nil, logger: logger)
        #expect(await scheduler.views() == [])
        let copies = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("schedule.yaml.unreadable-") }
        #expect(copies.count == 1)
        #expect(FileManager.default.contents(atPath: folder.appendingPathComponent(copies[0]).path) == Data(text.utf8))
        #expect(log.messages.contains { $0.contains("original file is kept as") })
        #expect(try ScheduleFile(path: path).read().problems == [])
    }

    // Issue 12 item 8: the schedule file and its set-aside copy are owner-only from creation, whatever the umask.
    @Test func theFileAndItsCopyAreOwnerOnly() async throws {
        let folder = Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("schedule.yaml").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("butlerSchedule:\n  - x: \"\u{7F}\n".utf8), attributes: [.posixPermissions: 0o644])
        let previous = umask(0)
        defer { umask(previous) }
        let scheduler = try Scheduler(file: ScheduleFile(path: path), tasks: nil, logger: Logger(label: "test"))
        _ = try await scheduler.add(.object(["name": "n", "cronSchedule": "0 6 * * *", "timezone": "UTC",
                                             "qlikSenseTaskId": .string(Self.task), "startupState": "start"]))
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            var info = stat()
            #expect(stat(folder.appendingPathComponent(name).path, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o600, "\(name)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 2)
    }
}

/// A log handler that keeps every message.
final class CapturedLog: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var messages: [String] { lines.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level): \(event.message)") }
    }
}

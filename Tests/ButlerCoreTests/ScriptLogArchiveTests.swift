import ButlerCore
import Foundation
import Logging
import Testing

/// Stored script logs (issue 12, items 7 and 8): rate-limited per task, capped in total size, and created
/// readable by their owner only (folders 0700, files 0600).
struct ScriptLogArchiveTests {
    static let taskA = "7552d9fc-d1bb-4975-9a38-18357de531ea"
    static let taskB = "dec2a02a-1680-44ef-8dc2-e2bfb180af87"
    static let app = "4b1c5a1f-7a2e-4d9b-8b8f-3e6a1d2f0c22"

    /// A fresh folder, removed at the end of `body`.
    static func withFolder(_ body: (String) async throws -> Void) async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("butler-scriptlogs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try await body(url.path)
    }

    static func alert(task: String = taskA, log: String = "Connect to 'Provider=SQLOLEDB;Password=hunter2'\nExecution Failed") throws -> ReloadAlert {
        let event = try TaskEventParser.parse(Array(
            "/scheduler-task-failed/;qs-node1;Reload;App;LAB\\goran;\(task);\(app);2024-05-06 14:23:45,123;ERROR;\(UUID().uuidString);Failed".utf8))
        return ReloadAlert(event: event, scriptLog: ScriptLog(text: log))
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    static func files(_ folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".log") }.sorted()
    }

    // Item 8: folders (the log folder itself and its parents included, when Butler creates them) are
    // 0700 and files 0600. A stricter umask can only narrow these, so the modes come from creation.
    @Test func foldersAndFilesAreOwnerOnly() async throws {
        try await Self.withFolder { root in
            let folder = root + "/scriptlogs/qseow"
            let archive = ScriptLogArchive(directory: folder, clock: ManualWallClock())
            try await archive.deliver(Self.alert())
            #expect(try Self.mode(root) == 0o700)
            #expect(try Self.mode(root + "/scriptlogs") == 0o700)
            #expect(try Self.mode(folder) == 0o700)
            let stored = Self.files(folder)
            #expect(stored.count == 1)
            let day = folder + "/" + (stored.first.map { String($0.prefix(while: { $0 != "/" })) } ?? "")
            #expect(try Self.mode(day) == 0o700)
            #expect(try Self.mode(folder + "/" + (stored.first ?? "")) == 0o600)
            // No temporary file is left next to it.
            #expect(try FileManager.default.contentsOfDirectory(atPath: day).count == 1)
        }
    }

    // Beyond the cap nothing more is stored (and nothing stored is deleted); once an administrator has
    // removed old logs, storing goes on.
    @Test func theFolderIsCappedInTotalSize() async throws {
        try await Self.withFolder { folder in
            let clock = ManualWallClock()
            let log = String(repeating: "x", count: 60)
            let archive = ScriptLogArchive(directory: folder, maxTotalBytes: 100, minIntervalPerTaskSeconds: 0, clock: clock)
            try await archive.deliver(Self.alert(log: log))
            clock.advance(by: 1)
            await #expect(throws: ButlerError.self) { try await archive.deliver(Self.alert(log: log)) }
            #expect(Self.files(folder).count == 1)
            do {
                try await archive.deliver(Self.alert(log: log))
                Issue.record("stored past the cap")
            } catch let error as ButlerError {
                #expect(error.message.contains("maxTotalSizeMB"))
            }
            try FileManager.default.removeItem(atPath: folder + "/" + Self.files(folder)[0])
            clock.advance(by: 1)
            try await archive.deliver(Self.alert(log: log))
            #expect(Self.files(folder).count == 1)
            // A log that alone is over the cap is refused too.
            let big = ScriptLogArchive(directory: folder + "/big", maxTotalBytes: 10, minIntervalPerTaskSeconds: 0, clock: clock)
            await #expect(throws: ButlerError.self) { try await big.deliver(Self.alert(log: log)) }
        }
    }

    /// QRS with a failed run and a script log for every task.
    final class Site: QlikSenseRepository {
        func taskDetails(id: String) async throws -> TaskDetails? { TaskDetails(taskType: 0, tags: [], customProperties: [], raw: .object([:])) }
        func lastExecution(taskId: String) async throws -> ExecutionDetails? {
            ExecutionDetails(id: "r1", fileReferenceId: "5a0fe8d8-5b4c-4a5e-9f1c-0e6b7c1d2e3f", executingNodeName: "n1", status: 8, duration: 1,
                             startTime: "", stopTime: "", details: [], scriptLogSize: 10)
        }
        func scriptLog(taskId: String, execution: ExecutionDetails) async throws -> ScriptLog? { ScriptLog(text: "line 1\r\nExecution Failed\r\n") }
        func appDetails(id: String) async throws -> AppDetails? { nil }
        func appOwner(appId: String) async throws -> AppOwner? { nil }
    }

    // At most one log per task every minIntervalPerTaskSeconds (through the dispatcher's per-task limit);
    // other tasks are not held back.
    @Test func logsAreRateLimitedPerTask() async throws {
        try await Self.withFolder { folder in
            let clock = ManualWallClock()
            let archive = ScriptLogArchive(directory: folder, maxTotalBytes: 1 << 20, minIntervalPerTaskSeconds: 60, clock: clock)
            let logger = Logger(label: "test")
            let dispatcher = ReloadEventDispatcher(
                destinations: [archive], enricher: ReloadEventEnricher(site: Site(), logger: logger, clock: clock), clock: clock, logger: logger)
            for _ in 0..<20 {
                _ = try await dispatcher.dispatch(Self.alert().event)
                clock.advance(by: 1)
            }
            #expect(Self.files(folder).count == 1)
            _ = try await dispatcher.dispatch(Self.alert(task: Self.taskB).event)
            #expect(Self.files(folder).count == 2)
            clock.advance(by: 41)
            _ = try await dispatcher.dispatch(Self.alert().event)
            #expect(Self.files(folder).count == 3)
            #expect(Self.files(folder).filter { $0.contains(Self.taskA) }.count == 2)
        }
    }

    @Test func configKeys() throws {
        let yaml = """
            Butler:
              scriptLog:
                storeOnDisk:
                  clientManaged:
                    reloadTaskFailure:
                      enable: true
                      logDirectory: /var/log/butler/scriptlogs
                      maxTotalSizeMB: 5
                      minIntervalPerTaskSeconds: 0

            """
        let config = try ConfigLoader.load(yaml: yaml).config.scriptLog
        #expect(config.failedReloadDirectory == "/var/log/butler/scriptlogs")
        #expect(config.maxTotalBytes == 5 * 1_048_576)
        #expect(config.minIntervalPerTaskSeconds == 0)
        let defaults = try ConfigLoader.load(yaml: "Butler:\n  scriptLog:\n    storeOnDisk:\n      clientManaged:\n        reloadTaskFailure:\n          enable: false\n").config.scriptLog
        #expect(defaults.maxTotalBytes == 1024 * 1_048_576 && defaults.minIntervalPerTaskSeconds == 60)
        for bad in ["maxTotalSizeMB: 0", "maxTotalSizeMB: -5", "minIntervalPerTaskSeconds: -1", "minIntervalPerTaskSeconds: 100000"] {
            #expect(throws: ConfigError.self, "\(bad)") {
                try ConfigLoader.load(yaml: "Butler:\n  scriptLog:\n    storeOnDisk:\n      clientManaged:\n        reloadTaskFailure:\n          enable: false\n          \(bad)\n")
            }
        }
    }
}

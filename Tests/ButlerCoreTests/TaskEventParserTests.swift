import ButlerCore
import Foundation
import Testing

/// Scheduler UDP messages (qlik-wire-protocols.md §5; B41, B43, B49; Decisions 6).
struct TaskEventParserTests {
    static let task = "dec2a02a-1680-44ef-8dc2-e2bfb180af87"
    static let app = "e7af59a0-c243-480d-9571-08727551a66f"
    static let execution = "14a81bf5-f81c-4047-b1a1-193b0920de28"

    static func parse(_ text: String) throws -> TaskEvent { try TaskEventParser.parse(Array(text.utf8)) }

    // The spec's documented failure, with every accepted type of each kind.
    @Test(arguments: [
        ("/scheduler-task-failed/", TaskEvent.Kind.failed), ("/scheduler-reload-failed/", .failed),
        ("/scheduler-reloadtask-failed/", .failed), ("/SCHEDULER-RELOAD-FAILED/", .failed),
        ("/scheduler-task-aborted/", .aborted), ("/scheduler-reload-aborted/", .aborted),
        ("/scheduler-task-success/", .success), ("/scheduler-reloadtask-success/", .success),
        ("/scheduler-task-success//", .success), ("/scheduler-distribute/", .distribute),
    ])
    func everyType(type: String, kind: TaskEvent.Kind) throws {
        let event = try Self.parse(
            "\(type);pro2-win1;Manually triggered reload of Test failing reloads 2;Test failing reloads 2;LAB\\goran;\(Self.task);\(Self.app);2021-02-16 09:24:59,099;INFO;\(Self.execution);Max retries reached")
        #expect(event == TaskEvent(
            kind: kind, messageType: type, hostName: "pro2-win1", taskName: "Manually triggered reload of Test failing reloads 2",
            appName: "Test failing reloads 2", user: "LAB\\goran", taskId: Self.task, appId: Self.app,
            logTimeStamp: "2021-02-16 09:24:59,099", logLevel: "INFO", executionId: Self.execution, logMessage: "Max retries reached"))
    }

    // Distribute: empty app fields.
    @Test func distributeWithoutApp() throws {
        let event = try Self.parse(
            "/scheduler-distribute/;qlik-node-1;Distribute Sales Dashboard to cloud;;INTERNAL\\sa_scheduler;9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a;;2024-01-15 10:35:00,001;INFO;6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d;Exiting execute of Distribute task request.")
        #expect(event.kind == .distribute)
        #expect(event.appId == nil && event.appName == "")
        #expect(event.logMessage == "Exiting execute of Distribute task request.")
    }

    @Test func engineReloadFailed() throws {
        let event = try Self.parse(
            "/engine-reload-failed/;qlik-node-1;3a0b4f0e-6f1d-4c8a-9a7e-2d5f0c1e9b11;Sales Dashboard;LAB;goran;2024-01-15 10:31:05,250;0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b;Reload failed")
        #expect(event.kind == .engineReloadFailed)
        #expect(event.appId == "3a0b4f0e-6f1d-4c8a-9a7e-2d5f0c1e9b11" && event.appName == "Sales Dashboard")
        #expect(event.user == "LAB\\goran" && event.executionId == "0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b")
        #expect(event.logMessage == "Reload failed")
    }

    // Decisions 6: `;` in a name or the message neither drops nor garbles the event.
    @Test func separatorsInsideFreeText() throws {
        let inMessage = try Self.parse(
            "/scheduler-task-failed/;n1;Reload of Sales;Sales;LAB\\goran;\(Self.task);\(Self.app);2024-05-06 14:23:45,123;ERROR;\(Self.execution);Error: a;b;c")
        #expect(inMessage.logMessage == "Error: a;b;c")
        #expect(!inMessage.namesAmbiguous)
        let inNames = try Self.parse(
            "/scheduler-task-failed/;n1;Reload of Sales; EU;Sales; EU;LAB\\goran;\(Self.task);\(Self.app);2024-05-06 14:23:45,123;ERROR;\(Self.execution);Max retries reached")
        #expect(inNames.taskName == "Reload of Sales; EU" && inNames.appName == "Sales; EU")
        #expect(inNames.namesAmbiguous)
        #expect(inNames.taskId == Self.task && inNames.executionId == Self.execution)
        let free = try Self.parse(
            "/scheduler-task-failed/;n1;T;A;U;\(Self.task.uppercased());\(Self.app);2024-05-06 14:23:45,123;WARN;not-a-guid;m")
        #expect(free.taskId == Self.task && free.executionId == "not-a-guid")
    }

    // B41: unknown types are refused; the legacy 10-field form is accepted only with a GUID in field 4.
    @Test func unknownAndLegacy() throws {
        #expect(throws: TaskEventParser.Failure.unknownType("TestMsg")) { try Self.parse("TestMsg") }
        #expect(throws: TaskEventParser.Failure.unknownType("/scheduler-something/")) {
            try Self.parse("/scheduler-something/;n1;T;A;U;\(Self.task);\(Self.app);2024-05-06 14:23:45,123;INFO;e;m")
        }
        let legacy = try Self.parse(
            "qs-node1;Reload of Sales;Sales;DOMAIN\\user1;\(Self.task);\(Self.app);2024-05-06 14:23:45,123;ERROR;\(Self.execution);Max retries reached")
        #expect(legacy.kind == .failed && legacy.hostName == "qs-node1" && legacy.taskName == "Reload of Sales")
    }

    @Test(arguments: [
        "/scheduler-task-failed/;n1;T;A;U;not-a-guid;\(app);2024-05-06 14:23:45,123;INFO;e;m",
        "/scheduler-task-failed/;n1;T;A;U;\(task);bad-app;2024-05-06 14:23:45,123;INFO;e;m",
        "/scheduler-task-failed/;n1;T;A;U;\(task);\(app);yesterday;INFO;e;m",
        "/scheduler-task-failed/;n1;T;A;U;\(task);\(app);2024-05-06 14:23:45,123;LOUD;e;m",
        "/scheduler-task-failed/;n1;\(task);\(app);2024-05-06 14:23:45,123;INFO;e",
        "/scheduler-task-failed/",
        "/engine-reload-failed/;n1;not-a-guid;A;LAB;u;2024-05-06 14:23:45,123;e;m",
    ])
    func malformed(text: String) {
        #expect(throws: TaskEventParser.Failure.self) { try Self.parse(text) }
    }

    // B49 (a): control characters removed, fields capped at 500 characters; invalid UTF-8 replaced.
    @Test func sanitising() throws {
        let long = String(repeating: "x", count: 900)
        var bytes = Array("/scheduler-task-failed/;n1;Re\u{0}lo\u{1b}[31mad\nX;A;U;\(Self.task);\(Self.app);2024-05-06 14:23:45,123;INFO;e;\(long)".utf8)
        bytes.insert(0xFF, at: 30)
        let event = try TaskEventParser.parse(bytes)
        #expect(!event.taskName.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        #expect(event.taskName.hasSuffix("[31madX"))
        #expect(event.logMessage.count == 500)
    }

    // B43: every pattern of the shipped appender template, filled in as log4net would, parses.
    @Test func shippedAppenderTemplateProducesWhatWeParse() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let xml = try String(contentsOf: root.appendingPathComponent("config/log_appender_xml/scheduler/LocalLogConfig.xml"), encoding: .utf8)
        let patterns = xml.components(separatedBy: "name=\"conversionpattern\" value=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(patterns.count == 4)
        var kinds: [TaskEvent.Kind] = []
        for pattern in patterns {
            let message = String(pattern)
                .replacingOccurrences(of: "%hostname", with: "qs-node1")
                .replacingOccurrences(of: "%property{TaskName}", with: "Reload of Sales")
                .replacingOccurrences(of: "%property{AppName}", with: "Sales")
                .replacingOccurrences(of: "%property{User}", with: "DOMAIN\\user1")
                .replacingOccurrences(of: "%property{TaskId}", with: Self.task)
                .replacingOccurrences(of: "%property{AppId}", with: Self.app)
                .replacingOccurrences(of: "%date", with: "2024-05-06 14:23:45,123")
                .replacingOccurrences(of: "%level", with: "INFO")
                .replacingOccurrences(of: "%property{ExecutionId}", with: Self.execution)
                .replacingOccurrences(of: "%message", with: "Execution State Change to FinishedSuccess")
            #expect(!message.contains("%"), "unfilled placeholder in \(pattern)")
            let event = try Self.parse(message)
            #expect(event.taskId == Self.task && event.executionId == Self.execution && event.hostName == "qs-node1")
            kinds.append(event.kind)
        }
        #expect(kinds == [.failed, .aborted, .success, .distribute])
    }
}

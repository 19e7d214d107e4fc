import ButlerCore
@testable import ButlerNotifications
import Foundation
import Testing

/// Every shipped template rendered with awkward data: backslashes and quotes in names, non-ASCII, an
/// empty script log and a 10,000-line one. The renderings in docs/samples/ are checked against the
/// templates (run with BUTLER_WRITE_SAMPLES=1 to rewrite them after changing a template).
struct TemplateRenderingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let urls = QlikSenseURLsConfig(
        qmc: "https://sense.example.com/qmc", hub: "https://sense.example.com/hub", appBaseUrl: "https://sense.example.com/sense/app",
        generic: [.init(id: "runbook", linkText: "Reload runbook", url: "https://wiki.example.com/qlik/runbook?x=1&y=2")])

    static func alert(kind: TaskEvent.Kind = .failed, logLines: [String]? = nil) -> ReloadAlert {
        let event = TaskEvent(
            kind: kind, messageType: "/scheduler-task-failed/", hostName: "qs-node1", taskName: #"Reload of "Försäljning" \ 日本 <EU>"#,
            appName: #"Försäljning "EU" \ 日本"#, user: #"LAB\o'brien"#, taskId: "7552d9fc-d1bb-4975-9a38-18357de531ea",
            appId: "4b1c5a1f-7a2e-4d9b-8b8f-3e6a1d2f0c22", logTimeStamp: "2024-05-06 14:23:45,123", logLevel: "ERROR",
            executionId: "8539e537-55bd-4516-9f55-4638ce56cc87", logMessage: "Max retries reached")
        let lines = logLines ?? [
            "20240506T142300.000+0000 Execution started.",
            #"20240506T142310.000+0000 0010  LOAD * FROM [lib://Data\Sales "2024".qvd] (qvd)"#,
            "20240506T142345.000+0000       Error: Cannot open file: 'lib://Data/sales.qvd' – åäö",
            "20240506T142345.100+0000 Execution Failed",
        ]
        return ReloadAlert(
            event: event,
            task: TaskDetails(taskType: 0, tags: ["nightly", "finance"], customProperties: [.init(name: "taskGroup", value: "tasks2")],
                              raw: ["isManuallyTriggered": false, "maxRetries": 0, "modifiedDate": "2024-05-01T10:00:00.000Z"]),
            execution: ExecutionDetails(
                id: "e1", fileReferenceId: "f1", executingNodeName: "qs-node1", status: 8, duration: 3_725_000,
                startTime: "2024-05-06T13:23:00.000Z", stopTime: "2024-05-06T14:25:05.000Z",
                details: [.init(created: "2024-05-06T13:23:00.010Z", message: "Changing task state from NeverStarted to Triggered", type: 2),
                          .init(created: "2024-05-06T14:25:05.000Z", message: "Changing task state from Started to FinishedFail", type: 0)],
                scriptLogSize: 4096),
            scriptLog: ScriptLog(text: lines.joined(separator: "\r\n")),
            app: AppDetails(name: #"Försäljning "EU" \ 日本"#, description: "Sales <b>by</b> region", stream: "Everyone", tags: ["finance"],
                            customProperties: [], raw: ["fileSize": 1_234_567, "lastReloadTime": "2024-05-05T10:00:00.000Z"]),
            owner: AppOwner(name: #"Anna O'Neil "AO""#, userDirectory: "LAB", userId: "anna", email: "anna@example.com"))
    }

    static func chat(_ path: String, tail: Int = 10) throws -> ChatMessageTemplates {
        try ChatMessageTemplates(
            ChatAlertConfig(webhookURL: "x", messageType: .formatted, templateFile: root.appendingPathComponent(path).path),
            section: "test", textLimit: 2900)
    }

    static let chatTemplates = ["config/slack_templates/failed-reload-qseow.handlebars", "config/slack_templates/aborted-reload-qseow.handlebars",
                                "config/teams_templates/failed-reload-qseow.handlebars", "config/teams_templates/aborted-reload-qseow.handlebars"]

    // Every chat template renders valid JSON that keeps the awkward text intact, also with no script log
    // and with 10,000 lines (cut under the channel's limit).
    @Test(arguments: chatTemplates)
    func chatTemplatesRenderValidJSON(path: String) throws {
        let templates = try Self.chat(path)
        for (lines, label) in [(nil, "normal"), ([], "empty"), ((0..<10_000).map { #"line \#($0) "q" \ å"# }, "10,000 lines")] as [([String]?, String)] {
            var config = ChatAlertConfig(webhookURL: "x")
            config.tailScriptLogLines = 10_000
            let fields = templates.fields(Self.alert(logLines: lines), urls: Self.urls, alert: config)
            let message = try #require(templates.formattedMessage(fields), "\(path) with a \(label) script log")
            let text = JSONValue.object(message).jsonText
            #expect(text.contains(#"Reload of \"Försäljning\" \\ 日本 <EU>"#), "\(path), \(label)")
            #expect(text.count < 12_000, "\(path), \(label): \(text.count) characters")
        }
    }

    @Test(arguments: ["failed-reload-qseow", "aborted-reload-qseow", "success-reload-qseow"])
    func emailTemplatesEscapeHTML(name: String) throws {
        let file = Self.root.appendingPathComponent("config/email_templates/\(name).handlebars").path
        let template = try Template(name: file, text: String(contentsOfFile: file, encoding: .utf8))
        let html = template.render(.object(Self.alert().templateFields(urls: Self.urls, head: 15, tail: 15)))
        #expect(html.contains("Reload of &quot;Försäljning&quot; \\ 日本 &lt;EU&gt;"))
        #expect(html.contains("Anna O&#x27;Neil &quot;AO&quot; (LAB&#92;anna)"))
        if name != "success-reload-qseow" { #expect(html.contains("lib://Data\\Sales &quot;2024&quot;.qvd")) }
        #expect(html.contains("1 h 2 min 5 s"))
        #expect(html.contains(#"<a href="https://wiki.example.com/qlik/runbook?x&#x3D;1&amp;y&#x3D;2">Reload runbook</a>"#))
        #expect(!html.contains("{{"))
        let empty = template.render(.object(Self.alert(logLines: []).templateFields(urls: Self.urls, head: 15, tail: 15)))
        #expect(empty.contains("(no script log)") || name == "success-reload-qseow")
    }

    // docs/samples/ shows what users receive; it must match the templates.
    @Test func samplesInDocsAreCurrent() throws {
        let fields = Self.alert().templateFields(urls: Self.urls, head: 15, tail: 15)
        var samples: [(String, String)] = []
        let emailFile = Self.root.appendingPathComponent("config/email_templates/failed-reload-qseow.handlebars").path
        samples.append(("email-failed-reload.html", try Template(name: emailFile, text: String(contentsOfFile: emailFile, encoding: .utf8)).render(.object(fields))))
        for (path, name) in [(Self.chatTemplates[0], "slack-failed-reload.json"), (Self.chatTemplates[2], "teams-failed-reload.json")] {
            let message = try #require(try Self.chat(path).formattedMessage(fields))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            samples.append((name, String(decoding: try encoder.encode(JSONValue.object(message)), as: UTF8.self) + "\n"))
        }
        for (name, text) in samples {
            let url = Self.root.appendingPathComponent("docs/samples/\(name)")
            if ProcessInfo.processInfo.environment["BUTLER_WRITE_SAMPLES"] == "1" {
                try text.write(to: url, atomically: true, encoding: .utf8)
            }
            #expect((try? String(contentsOf: url, encoding: .utf8)) == text, "docs/samples/\(name) is out of date: run the tests with BUTLER_WRITE_SAMPLES=1")
        }
    }

    // Slack: values can't mention people or make links; link fields stay usable.
    @Test func slackControlCharactersAreEscaped() {
        let escaped = ChatReloadEvents.slackEscaped([
            "taskName": "<!channel> R&D <https://evil.example|click>", "appUrl": "https://sense.example.com/app?a=1&b=2",
            "genericUrls": [["linkText": "<b>", "url": "https://x.example/?a&b"]],
        ])
        #expect(escaped["taskName"] == "&lt;!channel&gt; R&amp;D &lt;https://evil.example|click&gt;")
        #expect(escaped["appUrl"] == "https://sense.example.com/app?a=1&b=2")
        #expect(escaped["genericUrls"]?[0]?["linkText"] == "&lt;b&gt;" && escaped["genericUrls"]?[0]?["url"] == "https://x.example/?a&b")
    }
}

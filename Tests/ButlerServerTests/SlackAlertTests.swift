import ButlerCore
import ButlerServer
import Foundation
import HummingbirdTesting
import QlikSenseSimulator
import Testing

/// Slack alerts for failed and aborted reloads: the shipped formatted template, the basic message,
/// template errors and fallbacks, and long script logs (B45).
@Suite("Slack reload alerts", .serialized)
struct SlackAlertTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func config(_ sim: RunningSimulator, capture: Int, database: String, failure: ChatAlertConfig?, aborted: ChatAlertConfig? = nil) -> ButlerConfig {
        var config = sim.butlerConfig(ReloadEventPipelineTests.config(capture: capture, database: database))
        config.webhooks = WebhookConfig()
        config.slack = SlackConfig(reloadTaskFailure: failure, reloadTaskAborted: aborted)
        config.urls = QlikSenseURLsConfig(qmc: "https://sense.example.com/qmc", hub: "https://sense.example.com/hub",
                                          appBaseUrl: "https://sense.example.com/sense/app")
        return config
    }

    static func alert(_ port: Int, path: String, template: String? = nil, tail: Int = 10) -> ChatAlertConfig {
        var alert = ChatAlertConfig(
            webhookURL: "http://127.0.0.1:\(port)/\(path)", messageType: template == nil ? .basic : .formatted, templateFile: template)
        alert.channel = "qlik-alerts"
        alert.tailScriptLogLines = tail
        alert.basicMsgTemplate = "Reload failed: \"{{taskName}}\" on {{hostName}}"
        return alert
    }

    @Test func shippedTemplatesAndTheBasicMessage() async throws {
        try await ReloadEventPipelineTests.withDatabase { database in
            try await CaptureServer.run { server, port in
                try await withSimulator { sim in
                    let failed = Self.alert(port, path: "failed", template: Self.root.appendingPathComponent("config/slack_templates/failed-reload-qseow.handlebars").path)
                    let aborted = Self.alert(port, path: "aborted")
                    let config = Self.config(sim, capture: port, database: database, failure: failed, aborted: aborted)
                    let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                    sim.site.onRun { task, result in sender.send(for: task, result, site: sim.site) }
                    try await withButler(config, testing: .live) { client in
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.hrTask)/start", json: "[]")
                        let posted = try await ReloadEventPipelineTests.waitFor(1, server)
                        let message = try #require(posted.first?.json)
                        #expect(posted.first?.path == "/failed")
                        #expect(message["channel"] == "qlik-alerts" && message["username"] == "Qlik Sense")
                        #expect(message["blocks"]?[0]?["text"]?["text"] == ":x: Reload failed: Reload of HR Overview")
                        let appField = message["blocks"]?[1]?["fields"]?[0]?["text"]?.stringValue
                        #expect(appField == "*App*\n<https://sense.example.com/sense/app/\(TestSite.hrApp)|HR Overview>")
                        #expect(message["blocks"]?[1]?["fields"]?[5]?["text"] == "*App owner*\nAnna O'Neil")
                        let log = message["blocks"]?[2]?["text"]?["text"]?.stringValue ?? ""
                        #expect(log.contains("Execution Failed") && log.hasSuffix("Execution finished.```"))
                        #expect(message["blocks"]?[3]?["elements"]?[1]?["url"] == "https://sense.example.com/hub")

                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.financeTask)/start", json: "[]")
                        let both = try await ReloadEventPipelineTests.waitFor(2, server)
                        let basic = try #require(both.last?.json)
                        #expect(both.last?.path == "/aborted")
                        #expect(basic["text"] == "Reload failed: \"Reload of Finance Close\" on qlik-sim-node")
                        #expect(basic["blocks"]?[0]?["type"] == "header")
                        #expect(basic["blocks"]?[2]?["elements"]?[0]?["text"]?["text"] == "Open QMC")
                    }
                }
            }
        }
    }

    // B45: a 10,000-line script log with quotes, backslashes and non-ASCII stays valid JSON under 3,000 characters.
    @Test func longAndNastyScriptLogs() async throws {
        var description = try TestSite.description()
        let index = try #require(description.tasks.firstIndex { $0.id == TestSite.hrTask })
        description.tasks[index].scriptLog = (0..<10_000).map { "Line \($0): \"quoted\" C:\\data\\file.qvd åäö\ttab" }
        try await ReloadEventPipelineTests.withDatabase { database in
            try await CaptureServer.run { server, port in
                try await withSimulator(description) { sim in
                    let failed = Self.alert(port, path: "failed", template: Self.root.appendingPathComponent("config/slack_templates/failed-reload-qseow.handlebars").path, tail: 10_000)
                    let config = Self.config(sim, capture: port, database: database, failure: failed)
                    let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                    sim.site.onRun { task, result in sender.send(for: task, result, site: sim.site) }
                    try await withButler(config, testing: .live) { client in
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.hrTask)/start", json: "[]")
                        let posted = try await ReloadEventPipelineTests.waitFor(1, server)
                        let log = try #require(posted.first?.json?["blocks"]?[2]?["text"]?["text"]?.stringValue)
                        #expect(log.count < 3000)
                        #expect(log.contains("Line 9999: \"quoted\" C:\\data\\file.qvd åäö\ttab"))
                    }
                }
            }
        }
    }

    // A template outside the subset stops start-up naming the file and line; one that renders something
    // that isn't JSON falls back to the basic message.
    @Test func templateErrorsAndFallback() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("butler-slack-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let broken = directory.appendingPathComponent("broken.handlebars").path
        try "{\n\"text\": \"{{formatDate logTimeStamp}}\"\n}".write(toFile: broken, atomically: true, encoding: .utf8)
        let notJSON = directory.appendingPathComponent("text.handlebars").path
        try "Task {{taskName}} failed".write(toFile: notJSON, atomically: true, encoding: .utf8)
        try await ReloadEventPipelineTests.withDatabase { database in
            try await CaptureServer.run { server, port in
                try await withSimulator { sim in
                    let config = Self.config(sim, capture: port, database: database, failure: Self.alert(port, path: "failed", template: broken))
                    #expect(throws: ConfigError(path: "Butler.slackNotification.reloadTaskFailure",
                                                problem: "template \(broken) line 2: unknown helper 'formatDate'")) {
                        try buildApplication(config: config)
                    }
                    let fallback = Self.config(sim, capture: port, database: database, failure: Self.alert(port, path: "failed", template: notJSON))
                    let sender = SchedulerUDPSender(port: fallback.udpServer.portTaskFailure)
                    sim.site.onRun { task, result in sender.send(for: task, result, site: sim.site) }
                    try await withButler(fallback, testing: .live) { client in
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.hrTask)/start", json: "[]")
                        let posted = try await ReloadEventPipelineTests.waitFor(1, server)
                        #expect(posted.first?.json?["text"] == "Reload failed: \"Reload of HR Overview\" on qlik-sim-node")
                    }
                }
            }
        }
    }
}

import ButlerCore
import ButlerServer
import Foundation
import HummingbirdTesting
import QlikSenseSimulator
import Testing

/// Teams (shipped adaptive-card template and the basic MessageCard), Signl4 and New Relic alerts from
/// simulated runs.
@Suite("Teams, Signl4 and New Relic reload alerts", .serialized)
struct TeamsSignl4AlertTests {
    @Test func teamsCardsAndSignl4Alerts() async throws {
        try await ReloadEventPipelineTests.withDatabase { database in
            try await CaptureServer.run { server, port in
                try await withSimulator { sim in
                    var config = sim.butlerConfig(ReloadEventPipelineTests.config(capture: port, database: database))
                    config.webhooks = WebhookConfig()
                    var failed = ChatAlertConfig(
                        webhookURL: "http://127.0.0.1:\(port)/teams/failed", messageType: .formatted,
                        templateFile: SlackAlertTests.root.appendingPathComponent("config/teams_templates/failed-reload-qseow.handlebars").path)
                    failed.tailScriptLogLines = 3
                    var aborted = ChatAlertConfig(webhookURL: "http://127.0.0.1:\(port)/teams/aborted")
                    aborted.basicMsgTemplate = "Reload aborted: {{taskName}}"
                    config.teams = TeamsConfig(reloadTaskFailure: failed, reloadTaskAborted: aborted)
                    config.signl4 = Signl4Config(url: "http://127.0.0.1:\(port)/signl4", reloadTaskFailure: .init(serviceName: "Qlik Sense prod", severity: 2))
                    config.urls = QlikSenseURLsConfig(qmc: "https://sense.example.com/qmc", appBaseUrl: "https://sense.example.com/sense/app")
                    let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                    sim.site.onRun { task, result in sender.send(for: task, result, site: sim.site) }
                    try await withButler(config, testing: .live) { client in
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.hrTask)/start", json: "[]")
                        let two = try await ReloadEventPipelineTests.waitFor(2, server)
                        let teams = try #require(two.first { $0.path == "/teams/failed" }?.json)
                        let card = teams["attachments"]?[0]?["content"]
                        #expect(teams["type"] == "message")
                        #expect(card?["body"]?[0]?["text"] == "Reload failed: Reload of HR Overview")
                        #expect(card?["body"]?[1]?["facts"]?[5]?["value"] == "Anna O'Neil")
                        #expect(card?["body"]?[3]?["text"]?.stringValue?.hasSuffix("Execution finished.") == true)
                        #expect(card?["actions"]?[0]?["url"] == .string("https://sense.example.com/sense/app/\(TestSite.hrApp)"))
                        #expect(card?["actions"]?[1]?["title"] == "Open QMC")
                        let signl4 = try #require(two.first { $0.path == "/signl4" }?.json)
                        #expect(signl4["Title"] == "Qlik Sense reload task failed")
                        #expect(signl4["Message"] == "Task: Reload of HR Overview")
                        #expect(signl4["Severity"] == 2 && signl4["X-S4-Service"] == "Qlik Sense prod")
                        #expect(signl4["X-S4-ExternalID"] == .string(TestSite.hrTask) && signl4["X-S4-Status"] == "new")

                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.financeTask)/start", json: "[]")
                        let three = try await ReloadEventPipelineTests.waitFor(3, server)
                        let basic = try #require(three.first { $0.path == "/teams/aborted" }?.json)
                        #expect(basic["@type"] == "MessageCard" && basic["title"] == "Reload aborted: Reload of Finance Close")
                        #expect(basic["sections"]?[0]?["facts"]?[0]?["value"] == "Reload of Finance Close")
                        #expect(basic["potentialAction"]?[0]?["name"] == "Open QMC")
                        #expect(three.count == 3)
                    }
                }
            }
        }
    }

    // New Relic: an event to the always-account and the account the task's custom property names, and a log
    // entry with the script log's tail; Api-Key per account.
    @Test func newRelicEventsAndLogs() async throws {
        try await ReloadEventPipelineTests.withDatabase { database in
            try await CaptureServer.run(status: 202, body: "{}") { server, port in
                try await withSimulator { sim in
                    var config = sim.butlerConfig(ReloadEventPipelineTests.config(capture: port, database: database))
                    config.webhooks = WebhookConfig()
                    config.newRelic.accounts = [
                        .init(accountName: "First", insertApiKey: "key-1", accountId: "123"),
                        .init(accountName: "tasks2", insertApiKey: "key-2", accountId: "456"),
                    ]
                    var event = NewRelicIncidentConfig.Destination(alwaysAccounts: ["First"], accountCustomProperty: "taskGroup")
                    event.staticAttributes = [.init(name: "event-source", value: "butler")]
                    event.useTaskTags = true
                    var log = NewRelicIncidentConfig.Destination(alwaysAccounts: ["First"])
                    log.tailScriptLogLines = 2
                    config.newRelicIncidents = NewRelicIncidentConfig(
                        eventURL: "http://127.0.0.1:\(port)/", logURL: "http://127.0.0.1:\(port)/log/v1",
                        reloadTaskFailure: .init(event: event, log: log))
                    let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                    sim.site.onRun { task, result in sender.send(for: task, result, site: sim.site) }
                    try await withButler(config, testing: .live) { client in
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.hrTask)/start", json: "[]")
                        let posted = try await ReloadEventPipelineTests.waitFor(3, server)
                        #expect(Set(posted.map(\.path)) == ["/v1/accounts/123/events", "/v1/accounts/456/events", "/log/v1"])
                        let first = try #require(posted.first { $0.path == "/v1/accounts/123/events" })
                        #expect(first.headers[.init("Api-Key")!] == "key-1")
                        let record = first.json?[0]
                        #expect(record?["eventType"] == "qs_reloadTaskFailedEvent")
                        #expect(record?["qs_taskName"] == "Reload of HR Overview" && record?["event-source"] == "butler")
                        #expect(record?["qs_taskTag_startTask1"] == "startTask1")
                        #expect(posted.first { $0.path == "/v1/accounts/456/events" }?.headers[.init("Api-Key")!] == "key-2")
                        let entry = try #require(posted.first { $0.path == "/log/v1" }?.json?[0])
                        #expect(entry["common"]?["attributes"]?["logtype"] == "qs_reloadTaskFailedLog")
                        let message = entry["logs"]?[0]?["message"]?.stringValue ?? ""
                        #expect(message.hasPrefix("Qlik Sense reload failed: Reload of HR Overview\n"))
                        #expect(message.contains("Execution Failed") && message.hasSuffix("Execution finished."))
                        #expect(message.split(separator: "\n").count == 3)
                    }
                }
            }
        }
    }
}

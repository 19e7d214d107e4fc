import ButlerCore
import ButlerServer
import Foundation
import HummingbirdTesting
import QlikSenseSimulator
import Testing

/// Teams (shipped adaptive-card template and the basic MessageCard) and Signl4 alerts from simulated runs.
@Suite("Teams and Signl4 reload alerts", .serialized)
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
}

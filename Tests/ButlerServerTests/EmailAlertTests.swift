import ButlerCore
import ButlerServer
import Foundation
import HummingbirdTesting
import QlikSenseSimulator
import Testing

/// E-mail alerts for failed and aborted reloads, sent through libcurl to a real SMTP server (aiosmtpd):
/// recipients from the config, the task's custom property and the app owner; the shipped template; the
/// per-task-and-recipient rate limit (B46); owner exclusion and custom-property gating; an SMTP server
/// that is down leaves the other channels alone.
@Suite("E-mail reload alerts (real SMTP server)", .serialized)
struct EmailAlertTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func config(_ sim: RunningSimulator, capture: Int, database: String, smtpPort: Int, alert: EmailConfig.Alert) -> ButlerConfig {
        var config = sim.butlerConfig(ReloadEventPipelineTests.config(capture: capture, database: database))
        config.email = EmailConfig(enable: true, smtp: .init(host: "127.0.0.1", port: smtpPort), reloadTaskFailure: alert)
        config.urls = QlikSenseURLsConfig(qmc: "https://sense.example.com/qmc", hub: "https://sense.example.com/hub",
                                          appBaseUrl: "https://sense.example.com/sense/app")
        return config
    }

    static func alert() -> EmailConfig.Alert {
        var alert = EmailConfig.Alert()
        alert.bodyFileDirectory = root.appendingPathComponent("config/email_templates").path
        alert.priority = "high"
        alert.fromAddress = "Qlik Sense <qliksense-noreply@example.com>"
        alert.recipients = ["qlik-admins@example.com", "not an address", "OPS@example.com"]
        alert.addressCustomProperty = "Butler_FailedTaskAlertEmail"
        alert.appOwner = .init()
        return alert
    }

    static func run(_ sim: RunningSimulator, _ config: ButlerConfig, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
        sim.site.onRun { task, result in sender.send(for: task, result, site: sim.site) }
        try await withButler(config, testing: .live, body)
    }

    @Test func failedReloadMailsTheRightPeopleOnce() async throws {
        let sink = try SMTPSink()
        try await sink.ready()
        try await ReloadEventPipelineTests.withDatabase { database in
            try await CaptureServer.run { server, port in
                try await withSimulator { sim in
                    try await Self.run(sim, Self.config(sim, capture: port, database: database, smtpPort: sink.port, alert: Self.alert())) { client in
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.hrTask)/start", json: "[]")
                        let mail = try #require(try await sink.waitFor(1).first)
                        #expect(mail["from"] == "qliksense-noreply@example.com")
                        // The task's custom property, the global list (ops@ only once), the app owner.
                        #expect(mail["to"] == ["ops@example.com", "qlik-admins@example.com", "anna@example.com"])
                        #expect(mail["subject"] == "Qlik Sense reload failed: \"Reload of HR Overview\"")
                        #expect(mail["priority"] == "1 (Highest)")
                        let html = mail["html"]?.stringValue ?? ""
                        #expect(html.contains("Reload of HR Overview") && html.contains("Anna O&#x27;Neil (LAB&#92;anna)"))
                        #expect(html.contains("Execution Failed") && html.contains("https://sense.example.com/sense/app/\(TestSite.hrApp)"))
                        #expect(mail["text"]?.stringValue?.contains("Script log (last lines):") == true)

                        // B46: a second failure of the same task within rateLimit mails nobody.
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.hrTask)/start", json: "[]")
                        _ = try await ReloadEventPipelineTests.waitFor(2, server)
                        try await Task.sleep(for: .milliseconds(500))
                        #expect(sink.messages.count == 1)
                    }
                }
            }
        }
    }

    // The owner excluded, and the global list gated by a custom property the task doesn't have.
    @Test func ownerExclusionAndCustomPropertyGating() async throws {
        let sink = try SMTPSink()
        try await sink.ready()
        var gated = Self.alert()
        gated.appOwner = .init(includeAll: true, exclude: [.init(directory: "lab", userId: "ANNA")])
        gated.enableByCustomProperty = NameValue(name: "taskGroup", value: "tasks9")
        let alert = gated
        try await ReloadEventPipelineTests.withDatabase { database in
            try await CaptureServer.run { _, port in
                try await withSimulator { sim in
                    try await Self.run(sim, Self.config(sim, capture: port, database: database, smtpPort: sink.port, alert: alert)) { client in
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.hrTask)/start", json: "[]")
                        let mail = try #require(try await sink.waitFor(1).first)
                        #expect(mail["to"] == ["ops@example.com"])
                    }
                }
            }
        }
    }

    // An SMTP server that is down: the failure is logged, the webhook still gets the alert.
    @Test func smtpDownLeavesOtherChannelsAlone() async throws {
        try await ReloadEventPipelineTests.withDatabase { database in
            try await CaptureServer.run { server, port in
                try await withSimulator { sim in
                    let config = Self.config(sim, capture: port, database: database, smtpPort: RawConnection.freePort(), alert: Self.alert())
                    try await Self.run(sim, config) { client in
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.hrTask)/start", json: "[]")
                        let delivered = try await ReloadEventPipelineTests.waitFor(1, server)
                        #expect(delivered.first?.json?["taskId"] == .string(TestSite.hrTask))
                    }
                }
            }
        }
    }
}

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
                        // One e-mail each: the task's custom property, the global list (ops@ only once), the app owner.
                        let mails = try await sink.waitFor(3)
                        #expect(Set(mails.compactMap { $0["to"]?[0]?.stringValue }) == ["ops@example.com", "qlik-admins@example.com", "anna@example.com"])
                        #expect(mails.allSatisfy { $0["to"]?.arrayValue?.count == 1 })
                        let mail = try #require(mails.first)
                        #expect(mail["from"] == "qliksense-noreply@example.com")
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
                        #expect(sink.messages.count == 3)
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

    // A successful reload mails the list when the task has the enabling custom property (sales: tasks1).
    @Test func successfulReloadWithCustomPropertyGating() async throws {
        let sink = try SMTPSink()
        try await sink.ready()
        var success = Self.alert()
        success.recipients = ["qlik-admins@example.com"]
        success.addressCustomProperty = nil
        success.appOwner = nil
        success.priority = "normal"
        success.subject = "Qlik Sense reload succeeded: \"{{taskName}}\""
        success.htmlTemplateFile = "success-reload-qseow"
        success.enableByCustomProperty = NameValue(name: "taskGroup", value: "tasks1")
        let gated = success
        try await ReloadEventPipelineTests.withDatabase { database in
            try await CaptureServer.run { _, port in
                try await withSimulator { sim in
                    var config = Self.config(sim, capture: port, database: database, smtpPort: sink.port, alert: Self.alert())
                    config.email.reloadTaskFailure = nil
                    config.email.reloadTaskSuccess = gated
                    try await Self.run(sim, config) { client in
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.salesTask)/start", json: "[]")
                        let mail = try #require(try await sink.waitFor(1).first)
                        #expect(mail["to"] == ["qlik-admins@example.com"])
                        #expect(mail["subject"] == "Qlik Sense reload succeeded: \"Reload of Sales Dashboard\"")
                        #expect(mail["html"]?.stringValue?.contains("FinishedSuccess") == true)
                        #expect(mail["priority"] == "")
                    }
                }
            }
        }
    }

    // B47: no recipients at all (empty list, no custom property, an owner without e-mail) sends nothing and
    // harms nothing: the webhook still gets the alert.
    @Test func noRecipientsIsNotAnError() async throws {
        let sink = try SMTPSink()
        try await sink.ready()
        var noOne = Self.alert()
        noOne.recipients = []
        noOne.addressCustomProperty = "NoSuchProperty"
        let empty = noOne
        try await ReloadEventPipelineTests.withDatabase { database in
            try await CaptureServer.run { server, port in
                var description = try TestSite.description()
                if let index = description.users.firstIndex(where: { $0.userId == "anna" }) { description.users[index].email = nil }
                try await withSimulator(description) { sim in
                    let config = Self.config(sim, capture: port, database: database, smtpPort: sink.port, alert: empty)
                    try await Self.run(sim, config) { client in
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.hrTask)/start", json: "[]")
                        #expect(try await ReloadEventPipelineTests.waitFor(1, server).count == 1)
                        try await Task.sleep(for: .milliseconds(300))
                        #expect(sink.messages.isEmpty)
                    }
                }
            }
        }
    }

    // A server that wants a login: the right password sends, a wrong one is a logged failure and the
    // webhook still gets the alert; a server that accepts the connection and never answers holds up nothing.
    @Test func loginRefusedAndSilentServer() async throws {
        let sink = try SMTPSink(login: "butler:s3cret")
        try await sink.ready()
        let silent = try SilentListener()
        try await ReloadEventPipelineTests.withDatabase { database in
            try await CaptureServer.run { server, port in
                try await withSimulator { sim in
                    var good = Self.config(sim, capture: port, database: database, smtpPort: sink.port, alert: Self.alert())
                    good.email.smtp.user = "butler"
                    good.email.smtp.password = "s3cret"
                    try await Self.run(sim, good) { client in
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.hrTask)/start", json: "[]")
                        #expect(try await sink.waitFor(3).count == 3)
                    }
                    var wrong = good
                    wrong.email.smtp.password = "wrong"
                    wrong.email.reloadTaskFailure?.rateLimit = 0
                    try await Self.run(sim, wrong) { client in
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.hrTask)/start", json: "[]")
                        #expect(try await ReloadEventPipelineTests.waitFor(2, server).count == 2)
                        try await Task.sleep(for: .milliseconds(500))
                        #expect(sink.messages.count == 3)
                    }
                    let stuck = Self.config(sim, capture: port, database: database, smtpPort: silent.port, alert: Self.alert())
                    try await Self.run(sim, stuck) { client in
                        let sent = ContinuousClock.now
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.hrTask)/start", json: "[]")
                        #expect(try await ReloadEventPipelineTests.waitFor(3, server).count == 3)
                        #expect(ContinuousClock.now - sent < .seconds(5))
                    }
                }
            }
        }
    }
}

import ButlerCore
import ButlerServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import QlikSenseSimulator
import Synchronization
import Testing

/// Issue 12, item 5: secrets never reach a caller or a log line. Every destination is configured with a
/// distinctive secret (webhook paths and queries, API keys, passwords), run against a server that refuses
/// connections, one that accepts and never answers, and one that answers 500, through the REST routes
/// (Slack, New Relic event and metric, MQTT) and reload-event datagrams (UDP → every destination); every
/// response body and every log line at level `trace` (Butler's `silly`) is searched for every secret.
@Suite("Secrets never reach a caller or a log line", .serialized)
struct SecretLeakTests {
    static let secrets = [
        "slackRestPathS3CRET", "slackRestQueryS3CRET", "slackAlertS3CRET", "teamsAlertS3CRET", "signl4TeamS3CRET",
        "webhookPathS3CRET", "webhookQueryS3CRET", "webhookUserS3CRET", "newRelicInsertKeyS3CRET", "newRelicHeaderS3CRET",
        "newRelicIncidentHeaderS3CRET", "smtpPasswordS3CRET", "mqttPasswordS3CRET", "influxPasswordS3CRET",
    ]
    static let task = "7552d9fc-d1bb-4975-9a38-18357de531ea"
    static let app = "4b1c5a1f-7a2e-4d9b-8b8f-3e6a1d2f0c22"

    /// Every destination on, all pointed at `127.0.0.1:<port>`, each with its secret.
    static func config(port: Int, templates: String) -> ButlerConfig {
        let base = "http://127.0.0.1:\(port)"
        var config = ButlerConfig.forTests()
        config.database.file = templates + "/butler.sqlite"
        config.slack = SlackConfig(
            restMessageWebhookURL: "\(base)/services/T0/slackRestPathS3CRET?token=slackRestQueryS3CRET",
            reloadTaskFailure: chat("\(base)/services/T0/slackAlertS3CRET"), reloadTaskAborted: chat("\(base)/services/T0/slackAlertS3CRET"))
        config.teams = TeamsConfig(reloadTaskFailure: chat("\(base)/webhookb2/teamsAlertS3CRET"), reloadTaskAborted: chat("\(base)/webhookb2/teamsAlertS3CRET"))
        config.signl4 = Signl4Config(url: "\(base)/webhook/signl4TeamS3CRET", reloadTaskFailure: .init(rateLimit: 0), reloadTaskAborted: .init(rateLimit: 0))
        let hook = "http://butler:webhookUserS3CRET@127.0.0.1:\(port)/hooks/webhookPathS3CRET?key=webhookQueryS3CRET"
        config.webhooks = WebhookConfig(
            enable: true,
            reloadTaskFailure: .init(rateLimit: 0, webhooks: [.init(description: "post", url: hook, method: .POST)]),
            reloadTaskAborted: .init(rateLimit: 0, webhooks: [.init(description: "get", url: hook, method: .GET), .init(description: "put", url: hook, method: .PUT)]))
        config.newRelic = NewRelicConfig(
            accounts: [.init(accountName: "prod", insertApiKey: "newRelicInsertKeyS3CRET", accountId: "1234567")],
            event: .init(destinationAccount: ["prod"], url: base + "/", header: [NameValue(name: "X-Extra", value: "newRelicHeaderS3CRET")]),
            metric: .init(destinationAccount: ["prod"], url: base + "/metric/v1", header: [NameValue(name: "X-Extra", value: "newRelicHeaderS3CRET")]))
        var incident = NewRelicIncidentConfig.Alert(event: .init(alwaysAccounts: ["prod"]), log: .init(alwaysAccounts: ["prod"]))
        incident.rateLimit = 0
        incident.headers = [NameValue(name: "X-Extra", value: "newRelicIncidentHeaderS3CRET")]
        config.newRelicIncidents = NewRelicIncidentConfig(eventURL: base, logURL: base + "/log/v1", reloadTaskFailure: incident, reloadTaskAborted: incident)
        var smtp = EmailConfig.SMTP(host: "127.0.0.1", port: port)
        smtp.user = "butler"
        smtp.password = "smtpPasswordS3CRET"
        smtp.ignoreTLS = true
        var mail = EmailConfig.Alert()
        mail.rateLimit = 0
        mail.recipients = ["ops@example.com"]
        mail.bodyFileDirectory = templates
        mail.htmlTemplateFile = "failed"
        config.email = EmailConfig(enable: true, smtp: smtp, reloadTaskFailure: mail, reloadTaskAborted: mail)
        config.mqtt = MQTTConfig(enable: true, brokerHost: "127.0.0.1", brokerPort: port, username: "butler", password: "mqttPasswordS3CRET")
        config.influxDB.enable = true
        config.influxDB.port = port
        config.influxDB.username = "butler"
        config.influxDB.password = "influxPasswordS3CRET"
        config.influxDB.measurements = ["reloadTaskFailure": .init(enable: true)]
        config.udpServer.enable = true
        config.udpServer.portTaskFailure = 0
        return config
    }

    static func chat(_ url: String) -> ChatAlertConfig {
        var alert = ChatAlertConfig(webhookURL: url)
        alert.rateLimit = 0
        return alert
    }

    static func datagram(_ type: String) -> String {
        "\(type);qs-node1;Reload of HR;HR;LAB\\goran;\(task);\(app);2024-05-06 14:23:45,123;ERROR;\(UUID().uuidString);Max retries reached"
    }

    /// Runs Butler against `127.0.0.1:<port>`, calls the REST routes and sends a failed and an aborted
    /// datagram; returns every response body and every log line.
    static func exercise(port: Int) async throws -> (bodies: [String], logs: [String], statuses: [String: Int]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("butler-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "<p>{{taskName}}</p>".write(to: folder.appendingPathComponent("failed.handlebars"), atomically: true, encoding: .utf8)
        let capture = LogCapture()
        var options = ServerOptions()
        options.apiRateLimit = 0
        options.keyValueStore = InMemoryKeyValueStore()
        options.outboundTimeout = .seconds(1)
        options.logger = capture.logger()
        let (bound, boundInput) = AsyncStream.makeStream(of: Int.self)
        options.onUDPBound = { boundInput.yield($0) }
        let app = try buildApplication(config: config(port: port, templates: folder.path), options: options)
        let bodies = Mutex<[String]>([])
        let statuses = Mutex<[String: Int]>([:])
        try await app.test(.live) { client in
            let calls: [(String, String, HTTPRequest.Method, String)] = [
                ("slack", "/v4/slackpostmessage", .put, #"{"channel":"ops","from_user":"Butler","msg":"hello"}"#),
                ("newrelic event", "/v4/newrelic/event", .post, #"{"eventType":"ButlerTest","attributes":[{"name":"a","value":"b"}]}"#),
                ("newrelic metric", "/v4/newrelic/metric", .post, #"{"name":"butler.test","type":"gauge","value":1}"#),
                ("mqtt", "/v4/mqttpublishmessage", .put, #"{"topic":"qliksense/test","message":"hello"}"#),
            ]
            for (name, path, method, body) in calls {
                let response = try await client.send(method, path, json: body)
                bodies.withLock { $0.append(response.text) }
                statuses.withLock { $0[name] = Int(response.status.code) }
            }
            var iterator = bound.makeAsyncIterator()
            guard let udpPort = await iterator.next() else { return }
            let sender = SchedulerUDPSender(port: udpPort)
            sender.send(datagram("/scheduler-task-failed/"))
            sender.send(datagram("/scheduler-task-aborted/"))
            // Every destination failed for both events: the intake logs each (a signal, bounded in time).
            #expect(await capture.wait(for: "UDP: handling", count: 2, within: 30), "\(capture.lines.suffix(20))")
        }
        return (bodies.withLock { $0 }, capture.lines, statuses.withLock { $0 })
    }

    static func expectNoSecrets(_ result: (bodies: [String], logs: [String], statuses: [String: Int]), scenario: String) {
        let everything = result.bodies + result.logs
        for secret in secrets {
            let hits = everything.filter { $0.contains(secret) }
            #expect(hits.isEmpty, "\(scenario): \(secret) in \(hits)")
        }
        // The REST routes report the failure (never a 2xx), and name the destination by host.
        for (name, status) in result.statuses {
            #expect(status >= 500, "\(scenario): \(name) answered \(status)")
        }
        #expect(result.logs.contains { $0.contains("not delivered") }, "\(scenario): no delivery failure logged")
    }

    // Nothing listens: every connection is refused at once.
    @Test func refusingServer() async throws {
        let port = RawConnection.freePort()
        let result = try await Self.exercise(port: port)
        Self.expectNoSecrets(result, scenario: "refusing")
        #expect(result.statuses["slack"] == 503)
        #expect(result.bodies.first?.contains("http://127.0.0.1:\(port)") == true, "\(result.bodies.first ?? "")")
    }

    // A server that accepts connections and never answers: every call runs into the outbound timeout.
    @Test func silentServer() async throws {
        let silent = try SilentListener()
        let result = try await Self.exercise(port: silent.port)
        Self.expectNoSecrets(result, scenario: "silent")
        #expect(result.statuses["slack"] == 503)
        withExtendedLifetime(silent) {}
    }

    // A server that answers 500 to everything; it also shows what reached the destinations: InfluxDB's
    // credentials arrive in an Authorization header (Basic), never in the URL.
    @Test func failingServer() async throws {
        try await CaptureServer.run(status: 500, body: "internal error") { server, port in
            let result = try await Self.exercise(port: port)
            Self.expectNoSecrets(result, scenario: "answering 500")
            #expect(result.statuses["slack"] == 502)
            let influx = server.captured.filter { $0.path == "/query" || $0.path == "/write" }
            #expect(!influx.isEmpty)
            for request in influx {
                #expect(!request.query.contains("influxPasswordS3CRET") && !request.query.contains("p="), "\(request.query)")
                let expected = "Basic " + Data("butler:influxPasswordS3CRET".utf8).base64EncodedString()
                #expect(request.headers[.authorization] == expected)
            }
            // New Relic's key goes in its header, as New Relic requires.
            #expect(server.captured.contains { $0.headers[HTTPField.Name("Api-Key")!] == "newRelicInsertKeyS3CRET" })
        }
    }
}

import ButlerCore
import ButlerServer
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HummingbirdTesting
import QlikSenseSimulator
import Synchronization
import Testing

/// The reload-event pipeline end to end: the simulator runs a task and sends the Scheduler's UDP datagram
/// to Butler, which delivers it to webhooks (a capture server) and MQTT (a real broker).
@Suite("Reload-event pipeline (UDP)", .serialized)
struct ReloadEventPipelineTests {
    static let task = "7552d9fc-d1bb-4975-9a38-18357de531ea"
    static let app = "4b1c5a1f-7a2e-4d9b-8b8f-3e6a1d2f0c22"

    static func datagram(type: String = "/scheduler-task-failed/", task: String = task, execution: String = UUID().uuidString.lowercased(), name: String = "Reload of HR Overview") -> String {
        "\(type);qs-node1;\(name);HR Overview;LAB\\goran;\(task);\(app);2024-05-06 14:23:45,123;ERROR;\(execution);Max retries reached"
    }

    static func config(capture: Int, database: String, rateLimit: Int = 0) -> ButlerConfig {
        var config = ButlerConfig.forTests()
        config.database.file = database
        config.udpServer.enable = true
        config.udpServer.portTaskFailure = RawConnection.freePort()
        config.webhooks = WebhookConfig(
            enable: true,
            reloadTaskFailure: .init(rateLimit: rateLimit, webhooks: [.init(description: "ticket", url: "http://127.0.0.1:\(capture)/failed", method: .POST)]),
            reloadTaskAborted: .init(rateLimit: rateLimit, webhooks: [.init(description: "chat", url: "http://127.0.0.1:\(capture)/aborted?team=bi", method: .GET)]))
        return config
    }

    /// The fields of Butler's InfluxDB points for a failed reload task (with its script log's tail) and a
    /// successful one.
    static let successFields = ["log_timestamp", "execution_id", "log_message", "task_executionStatusText", "task_executionDuration"]
    static let failureFields = successFields + ["reload_log"]

    static func waitFor(_ count: Int, _ server: CaptureServer, seconds: Int = 10) async throws -> [CaptureServer.Captured] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while server.captured.count < count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return server.captured
    }

    /// Butler, live, with the body run once its UDP listener is bound (`onUDPBound`), so no datagram is
    /// sent before anyone listens: a datagram sent too early is lost, and the test would wait in vain.
    static func withListeningButler(_ config: ButlerConfig, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let (bound, boundInput) = AsyncStream.makeStream(of: Int.self)
        try await withButler(config, testing: .live, udpBound: { boundInput.yield($0) }) { client in
            var iterator = bound.makeAsyncIterator()
            let port = await iterator.next()
            try #require(port == config.udpServer.portTaskFailure, "the UDP listener was not bound")
            try await body(client)
        }
    }

    /// The files under a script-log folder (`<day>/<file>`, relative), once one ending with `suffix` is
    /// there, or as they are after `seconds`. The archive is one destination among others, written
    /// concurrently with the webhook and MQTT ones, to a temporary sibling that is then renamed: a listing
    /// taken as soon as the webhook has arrived can find no folder yet, or only the temporary name.
    static func archivedLogs(in folder: String, endingWith suffix: String, seconds: Int = 10) async throws -> [String] {
        func list() -> [String] {
            let days = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            return days.flatMap { day in
                ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/" + day)) ?? []).map { day + "/" + $0 }
            }
        }
        let deadline = ContinuousClock.now + .seconds(seconds)
        var files = list()
        while !files.contains(where: { $0.hasSuffix(suffix) }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            files = list()
        }
        return files
    }

    static func withDatabase(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("butler-udp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory.appendingPathComponent("butler.sqlite").path)
    }

    // A failed run on the simulator reaches a POST webhook, MQTT, InfluxDB and the script-log folder; an
    // aborted one a GET webhook; a successful one InfluxDB only.
    @Test func simulatedRunsReachEveryDestination() async throws {
        let broker = try MosquittoBroker()
        try await broker.start()
        let influx = try InfluxDBServer()
        try await influx.start()
        try await Self.withDatabase { database in
            let logFolder = URL(fileURLWithPath: database).deletingLastPathComponent().appendingPathComponent("scriptlogs").path
            try await CaptureServer.run { server, port in
                try await withSimulator { sim in
                    var config = sim.butlerConfig(Self.config(capture: port, database: database))
                    config.mqtt = MQTTConfig(enable: true, brokerHost: "127.0.0.1", brokerPort: broker.port)
                    config.scriptLog = ScriptLogConfig(failedReloadDirectory: logFolder)
                    config.influxDB.enable = true
                    config.influxDB.port = influx.port
                    config.influxDB.staticTags = [NameValue(name: "butler_instance", value: "test")]
                    var failure = InfluxDBConfig.Measurement(enable: true)
                    failure.useTaskTags = true
                    failure.tailScriptLogLines = 3
                    config.influxDB.measurements = ["reloadTaskFailure": failure, "reloadTaskSuccess": .init(enable: true)]
                    let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                    sim.site.onRun { task, result in sender.send(for: task, result, site: sim.site) }
                    try await Self.withListeningButler(config) { client in
                        try await MQTTRouteTests.expectAccepted(client, topic: "t/ready", message: "x")
                        let subscriber = try await broker.subscribed("qliksense/task_failure")
                        let fullSubscriber = try await broker.subscribed("qliksense/task_failure_full")
                        let started = try await client.send(.put, "/v4/reloadtask/\(TestSite.hrTask)/start", json: "[]")
                        #expect(started.status == .ok)
                        let posted = try await Self.waitFor(1, server)
                        #expect(posted.first?.method == .post)
                        #expect(posted.first?.path == "/failed")
                        let body = posted.first?.json
                        #expect(body?["event"] == "Qlik Sense reload failed")
                        #expect(body?["taskId"] == .string(TestSite.hrTask))
                        #expect(body?["taskName"] == "Reload of HR Overview")
                        #expect(body?["appName"] == "HR Overview")
                        #expect(body?["user"] == "INTERNAL\\sa_scheduler")
                        #expect(body?["executionId"] == .string(sim.site.lastResult(ofTask: TestSite.hrTask)?.id ?? "?"))
                        // Enriched from QRS: the app owner, and in the full MQTT message the task's tags and properties.
                        #expect(body?["appOwnerName"] == "Anna O'Neil")
                        #expect(body?["appOwnerEmail"] == "anna@example.com")
                        #expect(body?["appOwnerUserDirectory"] == "LAB" && body?["appOwnerUserId"] == "anna")
                        #expect(subscriber.receive() == "Reload of HR Overview\n")
                        let full = try JSONDecoder().decode(JSONValue.self, from: Data(fullSubscriber.receive().utf8))
                        #expect(full["qs_taskTags"] == ["startTask1"])
                        #expect(full["qs_appTags"] == ["hr"])
                        #expect(full["qs_taskCustomProperties"]?[1]?["value"] == "ops@example.com")
                        #expect(full["qs_taskMetadata"]?["name"] == "Reload of HR Overview")

                        // The script log of the failed run, at Butler's path.
                        let suffix = "_appId=\(TestSite.hrApp)_taskId=\(TestSite.hrTask).log"
                        let logs = try await Self.archivedLogs(in: logFolder, endingWith: suffix)
                        #expect(logs.count == 1 && logs.first?.hasSuffix(suffix) == true, "\(logs)")
                        #expect(logs.first?.split(separator: "/").count == 2, "one day folder, then the file")
                        let stored = try String(contentsOfFile: logFolder + "/" + (logs.first ?? ""), encoding: .utf8)
                        #expect(stored.contains("Execution Failed") && !stored.contains("\r"))

                        // InfluxDB: the failed run with its tags and the script log's tail.
                        // Waits for every field Butler writes, not just for the point: InfluxDB shows a point
                        // whose write is still under way with some fields null.
                        let points = try await influx.points(in: "reload_task_failed", withFields: Self.failureFields)
                        #expect(points.count == 1)
                        #expect(points.first?["task_id"] == .string(TestSite.hrTask))
                        #expect(points.first?["task_name"] == "Reload of HR Overview")
                        #expect(points.first?["user"] == "INTERNAL/sa_scheduler")
                        #expect(points.first?["butler_instance"] == "test")
                        #expect(points.first?["taskTag_startTask1"] == "startTask1")
                        #expect(points.first?["task_executionStatusText"] == "FinishedFail")
                        #expect(points.first?["reload_log"]?.stringValue?.hasSuffix("Execution finished.") == true)
                        let failedRun = sim.site.lastResult(ofTask: TestSite.hrTask)
                        #expect(points.first?["execution_id"] == .string(failedRun?.id ?? "?"))
                        #expect(points.first?["task_executionDuration"] == 1250)
                        #expect(points.first?["log_timestamp"]?.stringValue?.wholeMatch(of: /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}/) != nil)

                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.financeTask)/start", json: "[]")
                        let both = try await Self.waitFor(2, server)
                        #expect(both.count == 2)
                        #expect(both.last?.method == .get && both.last?.path == "/aborted")
                        #expect(both.last?.query.contains("team=bi") == true)
                        #expect(both.last?.query.contains("event=Qlik%20Sense%20reload%20aborted") == true)

                        // A success goes to InfluxDB only (allReloadTasks).
                        _ = try await client.send(.put, "/v4/reloadtask/\(TestSite.salesTask)/start", json: "[]")
                        let successes = try await influx.points(in: "reload_task_success", withFields: Self.successFields)
                        #expect(successes.count == 1)
                        #expect(successes.first?["task_id"] == .string(TestSite.salesTask))
                        #expect(successes.first?["task_executionStatusText"] == "FinishedSuccess")
                        #expect(successes.first?["execution_id"] == .string(sim.site.lastResult(ofTask: TestSite.salesTask)?.id ?? "?"))
                        #expect(server.captured.count == 2)
                    }
                }
            }
        }
    }

    // QRS unreachable: the alert still goes out with the event's own fields.
    @Test func alertsWithoutQRS() async throws {
        try await Self.withDatabase { database in
            try await CaptureServer.run { server, port in
                var config = Self.config(capture: port, database: database)
                config.qlikSense.qrs = .init(host: "127.0.0.1", port: RawConnection.freePort())
                config.qlikSense.certificates = .init(
                    clientCert: TestSite.certificates.clientCertificate, clientCertKey: TestSite.certificates.clientKey)
                let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                try await Self.withListeningButler(config) { _ in
                    sender.send(Self.datagram())
                    let delivered = try await Self.waitFor(1, server, seconds: 15)
                    #expect(delivered.first?.json?["taskName"] == "Reload of HR Overview")
                    #expect(delivered.first?.json?["appOwnerEmail"] == "")
                }
            }
        }
    }

    // A datagram longer than NIO's 2 KiB default arrives whole; a destination that is down releases the
    // execution id, so the Scheduler's resend is delivered once it is back.
    @Test func longDatagramsAndResendsAfterAFailedDelivery() async throws {
        try await Self.withDatabase { database in
            try await CaptureServer.run(status: 500) { server, port in
                let config = Self.config(capture: port, database: database)
                let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                let message = String(repeating: "Error: lib://Data/part.qvd missing. ", count: 100)
                let execution = UUID().uuidString.lowercased()
                let datagram = Self.datagram(execution: execution).replacingOccurrences(of: "Max retries reached", with: message)
                #expect(datagram.utf8.count > 3000)
                try await Self.withListeningButler(config) { _ in
                    sender.send(datagram)
                    _ = try await Self.waitFor(1, server)
                    try await Task.sleep(for: .milliseconds(200))
                    server.reply(status: 200, body: "ok")
                    sender.send(datagram)
                    let delivered = try await Self.waitFor(2, server)
                    #expect(delivered.count == 2)
                    #expect(delivered.last?.json?["logMessage"]?.stringValue?.count == 500)
                }
            }
        }
    }

    // Spec §7.3 step 1: an event for a task QRS doesn't know is dropped.
    @Test func eventsForUnknownTasksAreDropped() async throws {
        try await Self.withDatabase { database in
            try await CaptureServer.run { server, port in
                try await withSimulator { sim in
                    let config = sim.butlerConfig(Self.config(capture: port, database: database))
                    let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                    try await Self.withListeningButler(config) { _ in
                        sender.send(Self.datagram(task: "11111111-2222-4333-8444-555555555555"))
                        sender.send(Self.datagram(task: TestSite.hrTask))
                        let delivered = try await Self.waitFor(1, server)
                        try await Task.sleep(for: .milliseconds(300))
                        #expect(server.captured.count == 1)
                        #expect(delivered.first?.json?["taskId"] == .string(TestSite.hrTask))
                    }
                }
            }
        }
    }

    // B40: MQTT on but the broker down: the other destinations still get the alert, nothing crashes.
    @Test func brokerDownDoesNotStopOtherDestinations() async throws {
        try await Self.withDatabase { database in
            try await CaptureServer.run { server, port in
                var config = Self.config(capture: port, database: database)
                config.mqtt = MQTTConfig(enable: true, brokerHost: "127.0.0.1", brokerPort: RawConnection.freePort())
                let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                try await Self.withListeningButler(config) { client in
                    sender.send(Self.datagram())
                    let delivered1 = try await Self.waitFor(1, server)
                    #expect(delivered1.count == 1)
                    sender.send(Self.datagram(task: "dec2a02a-1680-44ef-8dc2-e2bfb180af87"))
                    let delivered2 = try await Self.waitFor(2, server)
                    #expect(delivered2.count == 2)
                    let ping = try await client.send(.get, "/v4/butlerping")
                    #expect(ping.status == .ok)
                }
            }
        }
    }

    // B49, B41: garbage, oversize, unknown types and control characters never stop the listener.
    @Test func hostileDatagramsAreDroppedAndTheListenerGoesOn() async throws {
        try await Self.withDatabase { database in
            try await CaptureServer.run { server, port in
                var config = Self.config(capture: port, database: database)
                config.udpServer.maxMessageSize = 4096
                let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                try await Self.withListeningButler(config) { _ in
                    sender.send("TestMsg")
                    sender.send(String(repeating: "x", count: 5000))
                    sender.send(Self.datagram(task: "not-a-guid"))
                    sender.send(String(decoding: [0xFF, 0xFE, 0x00, 0x3B, 0x3B], as: UTF8.self))
                    sender.send(String(repeating: ";", count: 3000))
                    sender.send(Self.datagram(name: "Reload\u{1b}[31m of\u{0} HR\nOverview"))
                    let delivered = try await Self.waitFor(1, server)
                    #expect(delivered.count == 1)
                    #expect(delivered.first?.json?["taskName"] == "Reload[31m of HROverview")
                }
            }
        }
    }

    // De-duplication survives a restart (SQLite); the per-task rate limit holds back a second alert.
    @Test func duplicatesAndRateLimit() async throws {
        try await Self.withDatabase { database in
            try await CaptureServer.run { server, port in
                let config = Self.config(capture: port, database: database)
                let execution = UUID().uuidString.lowercased()
                let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                try await Self.withListeningButler(config) { _ in
                    sender.send(Self.datagram(execution: execution))
                    _ = try await Self.waitFor(1, server)
                    sender.send(Self.datagram(execution: execution))
                }
                try await Self.withListeningButler(config) { _ in
                    sender.send(Self.datagram(execution: execution))
                    sender.send(Self.datagram(type: "/scheduler-reload-failed/", task: "dec2a02a-1680-44ef-8dc2-e2bfb180af87"))
                    let delivered = try await Self.waitFor(2, server)
                    try await Task.sleep(for: .milliseconds(300))
                    #expect(server.captured.count == 2)
                    #expect(delivered.map { $0.json?["executionId"] }.first == .string(execution))
                }
            }
            try await CaptureServer.run { server, port in
                let config = Self.config(capture: port, database: database, rateLimit: 300)
                let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                try await Self.withListeningButler(config) { _ in
                    sender.send(Self.datagram())
                    _ = try await Self.waitFor(1, server)
                    sender.send(Self.datagram())
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(server.captured.count == 1)
                }
            }
        }
    }

    // Fuzz: random and mutated datagrams (deterministic generator), then a valid one is still delivered.
    @Test func fuzzedDatagramsLeaveTheListenerServing() async throws {
        try await Self.withDatabase { database in
            try await CaptureServer.run { server, port in
                let config = Self.config(capture: port, database: database)
                let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                try await Self.withListeningButler(config) { _ in
                    var state: UInt64 = 0x5EED
                    func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
                    let valid = Array(Self.datagram(type: "/scheduler-task-aborted/").utf8)
                    for round in 0..<2000 {
                        var bytes: [UInt8]
                        if round % 2 == 0 {
                            bytes = (0..<Int(next() % 600)).map { _ in UInt8(truncatingIfNeeded: next()) }
                        } else {
                            bytes = valid
                            for _ in 0..<(1 + Int(next() % 6)) {
                                let index = Int(next() % UInt64(bytes.count))
                                switch next() % 3 {
                                case 0: bytes[index] = UInt8(truncatingIfNeeded: next())
                                case 1: bytes.insert(UInt8(ascii: ";"), at: index)
                                default: bytes.remove(at: index)
                                }
                            }
                        }
                        sender.send(String(decoding: bytes, as: UTF8.self))
                        if round % 200 == 0 { try await Task.sleep(for: .milliseconds(5)) }
                    }
                    try await Task.sleep(for: .milliseconds(500))
                    let before = server.captured.count
                    sender.send(Self.datagram(task: "dec2a02a-1680-44ef-8dc2-e2bfb180af87", name: "After the storm"))
                    let deadline = ContinuousClock.now + .seconds(10)
                    while !server.captured.contains(where: { $0.json?["taskName"] == "After the storm" }) && ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    #expect(server.captured.contains { $0.json?["taskName"] == "After the storm" }, "\(before) deliveries before")
                }
            }
        }
    }

    // One destination that doesn't answer delays no other: the fast webhook gets the alert at once.
    @Test func aSlowDestinationDelaysNoOther() async throws {
        try await Self.withDatabase { database in
            try await CaptureServer.run { server, port in
                var config = Self.config(capture: port, database: database)
                config.webhooks.reloadTaskFailure.webhooks = [
                    .init(description: "slow", url: "http://127.0.0.1:\(port)/failed/slow", method: .POST),
                    .init(description: "fast", url: "http://127.0.0.1:\(port)/failed/fast", method: .POST),
                ]
                let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                try await Self.withListeningButler(config) { _ in
                    let sent = ContinuousClock.now
                    sender.send(Self.datagram())
                    let deadline = ContinuousClock.now + .seconds(5)
                    while !server.captured.contains(where: { $0.path == "/failed/fast" }) && ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    #expect(server.captured.contains { $0.path == "/failed/fast" })
                    #expect(ContinuousClock.now - sent < .seconds(2), "the slow webhook answers after 3 s")
                }
            }
        }
    }

    // B49 (c, d): validation with only other sources refuses our datagrams; a host name resolves.
    @Test func sourceAllowList() async throws {
        try await Self.withDatabase { database in
            try await CaptureServer.run { server, port in
                var config = Self.config(capture: port, database: database)
                config.udpServer.enableSourceValidation = true
                config.udpServer.allowedSources = ["192.0.2.10"]
                let sender = SchedulerUDPSender(port: config.udpServer.portTaskFailure)
                try await Self.withListeningButler(config) { _ in
                    sender.send(Self.datagram())
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(server.captured.isEmpty)
                }
                config.udpServer.allowedSources = ["localhost"]
                try await Self.withListeningButler(config) { _ in
                    sender.send(Self.datagram())
                    let delivered1 = try await Self.waitFor(1, server)
                    #expect(delivered1.count == 1)
                }
            }
        }
        #expect(throws: ConfigError.self) {
            try ConfigLoader.load(yaml: "Butler:\n  udpServerConfig:\n    enableSourceValidation: true\n    allowedSources: []\n")
        }
    }
}

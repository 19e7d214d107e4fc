import ButlerCore
import ButlerServer
import Foundation
import HummingbirdTesting
import QlikSenseSimulator
import Testing

/// MQTT against a real mosquitto broker: `PUT /v4/mqttpublishmessage`, reconnection, broker login and TLS,
/// and task starts from `taskStartTopic`.
@Suite("MQTT (real mosquitto broker)", .serialized)
struct MQTTRouteTests {
    static func config(
        broker port: Int, username: String? = nil, password: String? = nil, tls: MQTTConfig.TLS? = nil, enable: Bool = true
    ) -> ButlerConfig {
        var config = ButlerConfig.forTests()
        config.mqtt = MQTTConfig(
            enable: enable, brokerHost: "127.0.0.1", brokerPort: port, username: username, password: password, tls: tls)
        return config
    }

    static func publish(_ client: some TestClientProtocol, topic: String, message: String) async throws -> TestResponse {
        let body = try JSONEncoder().encode(["topic": topic, "message": message])
        return try await client.execute(uri: "/v4/mqttpublishmessage", method: .put, headers: [.contentType: "application/json"], body: .init(data: body))
    }

    /// Publishes until the broker acknowledges (Butler connects in the background), for up to 10 s.
    static func publishWhenConnected(_ client: some TestClientProtocol, topic: String, message: String) async throws -> TestResponse {
        let deadline = ContinuousClock.now + .seconds(10)
        var response = try await publish(client, topic: topic, message: message)
        while response.status == .serviceUnavailable && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            response = try await publish(client, topic: topic, message: message)
        }
        return response
    }

    /// Expects the broker to accept a publish once Butler has connected.
    static func expectAccepted(
        _ client: some TestClientProtocol, topic: String, message: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let response = try await publishWhenConnected(client, topic: topic, message: message)
        #expect(response.status == .created, "\(response.text)", sourceLocation: sourceLocation)
    }

    /// Publishes until Butler notices the broker is gone, for up to 10 s.
    static func publishUntilUnavailable(_ client: some TestClientProtocol) async throws -> TestResponse {
        let deadline = ContinuousClock.now + .seconds(10)
        var response = try await publish(client, topic: "t/1", message: "x")
        while response.status == .created && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            response = try await publish(client, topic: "t/1", message: "x")
        }
        return response
    }

    // The seed's sample, B39: a 201 echo once the broker has the message, and it reaches a subscriber.
    @Test func publishedMessageReachesASubscriber() async throws {
        let broker = try MosquittoBroker()
        try await broker.start()
        try await withButler(Self.config(broker: broker.port), testing: .live) { client in
            try await Self.expectAccepted(client, topic: "qliksense/warmup", message: "x")
            let subscriber = try broker.subscribe("qliksense/new_data_notification/sales")
            let message = #"dt=20201028 "quoted" \ back"#
            var response = try await Self.publish(client, topic: "qliksense/new_data_notification/sales", message: message)
            let deadline = ContinuousClock.now + .seconds(10)
            while !subscriber.hasReceived && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                response = try await Self.publish(client, topic: "qliksense/new_data_notification/sales", message: message)
            }
            #expect(response.status == .created)
            #expect(response.json == ["topic": "qliksense/new_data_notification/sales", "message": .string(message)])
            #expect(subscriber.receive() == message + "\n")

            let missing = try await client.send(.put, "/v4/mqttpublishmessage", json: #"{"topic":"t/1"}"#)
            #expect(missing.json == butlerError(400, "Bad Request", "body must have required property 'message'", code: "FST_ERR_VALIDATION"))
            let wildcard = try await Self.publish(client, topic: "t/#", message: "m")
            #expect(wildcard.json == butlerError(400, "Bad Request", "Not a valid MQTT topic for publishing: t/#"))
        }
    }

    // B39: MQTT off answers at once (Butler hung).
    @Test func disabledMQTTAnswersPromptly() async throws {
        try await withButler(Self.config(broker: 1, enable: false)) { client in
            let response = try await Self.publish(client, topic: "t/1", message: "hello")
            #expect(response.json == butlerError(503, "Service Unavailable", "MQTT is disabled (Butler.mqttConfig.enable is false)"))
        }
    }

    // A broker that is down gives a prompt 503; when it comes back, Butler reconnects by itself.
    @Test func brokerDownThenBackAgain() async throws {
        let broker = try MosquittoBroker()
        try await withButler(Self.config(broker: broker.port), testing: .live) { client in
            let started = ContinuousClock.now
            let down = try await Self.publish(client, topic: "t/1", message: "hello")
            #expect(down.json == butlerError(503, "Service Unavailable", "MQTT broker 127.0.0.1:\(broker.port) is not connected"))
            #expect(ContinuousClock.now - started < .seconds(2))
            try await broker.start()
            try await Self.expectAccepted(client, topic: "t/1", message: "hello")
            broker.stop()
            let stopped = try await Self.publishUntilUnavailable(client)
            #expect(stopped.status == .serviceUnavailable)
            try await broker.start()
            try await Self.expectAccepted(client, topic: "t/1", message: "again")
        }
    }

    @Test func brokerWithUsernameAndPassword() async throws {
        let broker = try MosquittoBroker(users: ["butler": "s3cret"])
        try await broker.start()
        try await withButler(Self.config(broker: broker.port, username: "butler", password: "s3cret"), testing: .live) { client in
            try await Self.expectAccepted(client, topic: "t/auth", message: "m")
        }
        try await withButler(Self.config(broker: broker.port, username: "butler", password: "wrong"), testing: .live) { client in
            try await Task.sleep(for: .milliseconds(500))
            let refused = try await Self.publish(client, topic: "t/auth", message: "m")
            #expect(refused.json == butlerError(503, "Service Unavailable", "MQTT broker 127.0.0.1:\(broker.port) is not connected"))
        }
    }

    // TLS to the broker: trusted with the right CA, refused with another CA, allowed by rejectUnauthorized: false.
    @Test func brokerWithTLS() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("butler-mqtt-pki-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let site = try CertificateSet.write(to: directory.appendingPathComponent("site"))
        let other = try CertificateSet.write(to: directory.appendingPathComponent("other"))
        let broker = try MosquittoBroker(tls: site)
        try await broker.start()
        let trusted = MQTTConfig.TLS(ca: site.rootCA, cert: site.clientCertificate, key: site.clientKey)
        try await withButler(Self.config(broker: broker.port, tls: trusted), testing: .live) { client in
            try await Self.expectAccepted(client, topic: "t/tls", message: "m")
        }
        try await withButler(Self.config(broker: broker.port, tls: .init(ca: other.rootCA)), testing: .live) { client in
            try await Task.sleep(for: .milliseconds(500))
            let refused = try await Self.publish(client, topic: "t/tls", message: "m")
            #expect(refused.status == .serviceUnavailable)
        }
        let unverified = MQTTConfig.TLS(ca: other.rootCA, rejectUnauthorized: false)
        try await withButler(Self.config(broker: broker.port, tls: unverified), testing: .live) { client in
            try await Self.expectAccepted(client, topic: "t/tls", message: "m")
        }
    }

    // A task id on taskStartTopic starts the task; Butler.startTaskFilter applies as on the REST route.
    @Test func taskStartMessagesStartAllowedTasks() async throws {
        let allowed = "e3b27f50-b1c0-4879-88fc-c7cdd9c1cf3e"
        let denied = "fbf645f0-0c92-40a4-af9a-6e3eb1d3c35c"
        let site = InMemoryQlikSenseTasks([.init(id: allowed, name: "Reload sales"), .init(id: denied, name: "Reload HR")])
        let broker = try MosquittoBroker()
        try await broker.start()
        var config = Self.config(broker: broker.port)
        config.startTaskFilter = StartTaskFilter(enable: true, taskIds: [allowed])
        try await withButler(config, testing: .live, qlikSense: site) { client in
            try await Self.expectAccepted(client, topic: "t/ready", message: "x")
            try broker.publish("qliksense/start_task", denied)
            try broker.publish("qliksense/start_task", "not-a-guid")
            try broker.publish("qliksense/other_topic", allowed)
            try broker.publish("qliksense/start_task", allowed.uppercased())
            let first = try await site.waitForStarts(1)
            #expect(first == [allowed])
            try broker.publish("qliksense/start_task", allowed)
            // Messages from one publisher arrive in order, so the denied one was handled before these.
            let both = try await site.waitForStarts(2)
            #expect(both == [allowed, allowed])
        }
    }

    // The same over QRS: a message on taskStartTopic starts the task on the Qlik Sense simulator (B37).
    @Test func taskStartMessageStartsTheTaskOnTheSimulator() async throws {
        let broker = try MosquittoBroker()
        try await broker.start()
        try await withSimulator { sim in
            var config = sim.butlerConfig(Self.config(broker: broker.port))
            config.startTaskFilter = StartTaskFilter(enable: true, taskIds: [TestSite.salesTask])
            try await withButler(config, testing: .live) { client in
                try await Self.expectAccepted(client, topic: "t/ready", message: "x")
                try broker.publish("qliksense/start_task", TestSite.hrTask)
                try broker.publish("qliksense/start_task", TestSite.salesTask)
                let deadline = ContinuousClock.now + .seconds(10)
                while sim.site.startedTaskIds.isEmpty && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await Task.sleep(for: .milliseconds(200))
                #expect(sim.site.startedTaskIds == [TestSite.salesTask])
                #expect(sim.site.lastResult(ofTask: TestSite.salesTask)?.status == 7)
            }
        }
    }
}

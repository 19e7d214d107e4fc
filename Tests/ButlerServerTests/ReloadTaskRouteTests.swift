import ButlerCore
import ButlerServer
import Foundation
import HummingbirdTesting
import QlikSenseSimulator
import Testing

/// `PUT|POST /v4/reloadtask/:taskId/start` against the Qlik Sense simulator, over real TLS with client
/// certificates (B34, B36).
@Suite("Start-task route (Qlik Sense simulator)", .serialized)
struct ReloadTaskRouteTests {
    static let empty: JSONValue = [
        "tasksId": ["started": [], "invalid": [], "denied": []],
        "tasksTag": [], "tasksTagDenied": [], "tasksCP": [], "tasksCPDenied": [],
    ]

    static func startedEntry(_ id: String, _ name: String) -> JSONValue { ["taskId": .string(id), "taskName": .string(name)] }

    /// Waits until the simulator has recorded `count` starts (Butler answers before the starts complete).
    static func starts(_ sim: RunningSimulator, count: Int) async throws -> [String] {
        let deadline = ContinuousClock.now + .seconds(10)
        while sim.site.startedTaskIds.count < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        return sim.site.startedTaskIds
    }

    // B34 (b), (d), (e): the path id alone, with `[]`, no body, `{}`, and POST with method override.
    @Test func startsTheTaskInThePath() async throws {
        try await withSimulator { sim in
            try await withButler(sim.butlerConfig()) { client in
                var expected = Self.empty
                expected["tasksId"]?["started"] = [Self.startedEntry(TestSite.salesTask, "Reload of Sales Dashboard")]
                for body in ["[]", "", "{}"] {
                    let response = try await client.send(.put, "/v4/reloadtask/\(TestSite.salesTask)/start", json: body)
                    #expect(response.status == .ok)
                    #expect(response.json == expected)
                }
                let overridden = try await client.execute(
                    uri: "/v4/reloadtask/\(TestSite.salesTask.uppercased())/start", method: .post,
                    headers: [.contentType: "application/json", .init("X-HTTP-Method-Override")!: "PUT"], body: .init(string: "[]"))
                #expect(overridden.json == expected)
                #expect(try await Self.starts(sim, count: 4) == Array(repeating: TestSite.salesTask, count: 4))
            }
        }
    }

    // B34 (a) and the seed's sample: `-` is never reported; ids, tags and custom properties in the body.
    @Test func startsWhatTheBodyNames() async throws {
        try await withSimulator { sim in
            try await withButler(sim.butlerConfig()) { client in
                let body = """
                [{"type":"starttaskid","payload":{"taskId":"\(TestSite.hrTask)"}},
                 {"type":"starttaskid","payload":{"taskId":"abc"}},
                 {"type":"starttasktag","payload":{"tag":"finance"}},
                 {"type":"starttaskcustomproperty","payload":{"customPropertyName":"taskGroup","customPropertyValue":"tasks1"}},
                 {"type":"keyvaluestore","payload":{"namespace":"MyFineNamespace","key":"AnImportantKey","value":"TheValue","ttl":10000}}]
                """
                let response = try await client.send(.put, "/v4/reloadtask/-/start", json: body)
                var expected = Self.empty
                expected["tasksId"]?["started"] = [Self.startedEntry(TestSite.hrTask, "Reload of HR Overview")]
                expected["tasksId"]?["invalid"] = [["taskId": "abc"]]
                expected["tasksTag"] = [Self.startedEntry(TestSite.financeTask, "Reload of Finance Close")]
                expected["tasksCP"] = [Self.startedEntry(TestSite.salesTask, "Reload of Sales Dashboard")]
                #expect(response.status == .ok)
                #expect(response.json == expected)
                let started = try await Self.starts(sim, count: 3)
                #expect(Set(started) == [TestSite.hrTask, TestSite.financeTask, TestSite.salesTask])
                let stored = try await client.send(.get, "/v4/keyvalues/MyFineNamespace?key=AnImportantKey")
                #expect(stored.json == ["namespace": "MyFineNamespace", "key": "AnImportantKey", "value": "TheValue"])
            }
        }
    }

    // B36 (a): with allTaskIdsMustExist=true one missing id stops every id-based start.
    @Test func allTaskIdsMustExist() async throws {
        let missing = "11111111-2222-4333-8444-555555555555"
        try await withSimulator { sim in
            try await withButler(sim.butlerConfig()) { client in
                let body = """
                [{"type":"starttaskid","payload":{"taskId":"\(TestSite.salesTask)"}},
                 {"type":"starttaskid","payload":{"taskId":"\(missing)"}},
                 {"type":"starttasktag","payload":{"tag":"finance"}}]
                """
                let strict = try await client.send(.put, "/v4/reloadtask/-/start?allTaskIdsMustExist=true", json: body)
                var expected = Self.empty
                expected["tasksId"]?["invalid"] = [["taskId": .string(missing)]]
                expected["tasksId"]?["denied"] = [["taskId": .string(TestSite.salesTask)]]
                expected["tasksTag"] = [Self.startedEntry(TestSite.financeTask, "Reload of Finance Close")]
                #expect(strict.json == expected)
                #expect(try await Self.starts(sim, count: 1) == [TestSite.financeTask])

                let lenient = try await client.send(.put, "/v4/reloadtask/-/start?allTaskIdsMustExist=false", json: body)
                #expect(lenient.json?["tasksId"]?["started"] == [Self.startedEntry(TestSite.salesTask, "Reload of Sales Dashboard")])
                #expect(lenient.json?["tasksId"]?["invalid"] == [["taskId": .string(missing)]])
            }
        }
    }

    // B36 (b): the allow-list, each list for its own kind.
    @Test func startTaskFilter() async throws {
        try await withSimulator { sim in
            var config = sim.butlerConfig()
            config.startTaskFilter = StartTaskFilter(
                enable: true, taskIds: [TestSite.salesTask], tags: ["startTask1"], customProperties: [.init(name: "taskGroup", value: "tasks1")])
            try await withButler(config) { client in
                let body = """
                [{"type":"starttaskid","payload":{"taskId":"\(TestSite.hrTask)"}},
                 {"type":"starttasktag","payload":{"tag":"other"}},
                 {"type":"starttaskcustomproperty","payload":{"customPropertyName":"taskGroup","customPropertyValue":"tasks9"}}]
                """
                let response = try await client.send(.put, "/v4/reloadtask/\(TestSite.salesTask)/start", json: body)
                var expected = Self.empty
                expected["tasksId"]?["started"] = [Self.startedEntry(TestSite.salesTask, "Reload of Sales Dashboard")]
                expected["tasksId"]?["denied"] = [["taskId": .string(TestSite.hrTask)]]
                expected["tasksTagDenied"] = [["tag": "other"]]
                expected["tasksCPDenied"] = [["name": "taskGroup", "value": "tasks9"]]
                #expect(response.json == expected)
                #expect(try await Self.starts(sim, count: 1) == [TestSite.salesTask])
            }
        }
    }

    @Test func badBodiesAreRefused() async throws {
        try await withSimulator { sim in
            try await withButler(sim.butlerConfig()) { client in
                let string = try await client.send(.put, "/v4/reloadtask/-/start", json: #""x""#)
                #expect(string.json == butlerError(400, "Bad Request", "body must be array", code: "FST_ERR_VALIDATION"))
                let unknown = try await client.send(.put, "/v4/reloadtask/-/start", json: #"[{"type":"startall","payload":{}}]"#)
                #expect(unknown.json == butlerError(
                    400, "Bad Request", "body/0/type must be equal to one of the allowed values", code: "FST_ERR_VALIDATION"))
                #expect(sim.site.startedTaskIds.isEmpty)
            }
        }
    }

    // Decisions 9: the site unreachable → 503 at once; no Qlik Sense connection → 503.
    @Test func siteDownOrNotConfigured() async throws {
        let port = RawConnection.freePort()
        var config = ButlerConfig.forTests()
        config.qlikSense.qrs = .init(host: "127.0.0.1", port: port)
        config.qlikSense.certificates = .init(
            clientCert: TestSite.certificates.clientCertificate, clientCertKey: TestSite.certificates.clientKey)
        try await withButler(config) { client in
            let started = ContinuousClock.now
            let response = try await client.send(.put, "/v4/reloadtask/\(TestSite.salesTask)/start", json: "[]")
            #expect(response.status == .serviceUnavailable)
            #expect(response.json?["message"]?.stringValue?.hasPrefix("Qlik Sense QRS at 127.0.0.1:\(port) could not be reached") == true)
            #expect(ContinuousClock.now - started < .seconds(3))
        }
        try await withButler(.forTests()) { client in
            let response = try await client.send(.put, "/v4/reloadtask/\(TestSite.salesTask)/start", json: "[]")
            #expect(response.json == butlerError(
                503, "Service Unavailable", "Butler has no Qlik Sense connection (Butler.configQRS is not set, or --no-qs-connection)"))
        }
    }

    // A client certificate from another CA is refused by the site's TLS: 503 naming the handshake.
    @Test func foreignClientCertificateIsRefused() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("butler-foreign-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let foreign = try CertificateSet.write(to: directory)
        try await withSimulator { sim in
            var config = sim.butlerConfig()
            config.qlikSense.certificates = .init(
                clientCert: foreign.clientCertificate, clientCertKey: foreign.clientKey, clientCertCA: sim.certificates.rootCA)
            try await withButler(config) { client in
                let response = try await client.send(.put, "/v4/reloadtask/\(TestSite.salesTask)/start", json: "[]")
                #expect(response.status == .serviceUnavailable)
                #expect(sim.site.startedTaskIds.isEmpty)
            }
        }
    }

    // Issue 12 item 6: 2,000 items in one request start at most 8 tasks at a time (a gated fake site records
    // the most starts in flight at once); the answer still comes before the starts, with all 2,000.
    @Test func thousandsOfItemsStartAtMostEightAtATime() async throws {
        let site = GatedQlikSenseTasks()
        let ids = (0..<2_000).map { String(format: "00000000-0000-4000-8000-%012d", $0) }
        let body = "[" + ids.map { #"{"type":"starttaskid","payload":{"taskId":"\#($0)"}}"# }.joined(separator: ",") + "]"
        try await withButler(.forTests(), qlikSense: site) { client in
            let response = try await client.send(.put, "/v4/reloadtask/-/start", json: body)
            #expect(response.status == .ok)
            #expect(response.json?["tasksId"]?["started"]?.arrayValue?.count == 2_000)
            try await site.drive(total: 2_000, window: TaskStartService.maxConcurrentStarts)
        }
        #expect(site.maxInFlight == 8)
        #expect(Set(site.startedIds) == Set(ids))
    }
}

import ButlerCore
import ButlerServer
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HTTPTypes
import HummingbirdTesting
import Logging
import QlikSenseSimulator
import Synchronization
import Testing

/// The Qlik Sense app routes against the simulated site's Engine (and QRS for follow-up tasks), over
/// real TLS with client certificates.
@Suite("App routes (Engine)", .serialized)
struct AppRouteTests {
    static let unknownApp = "9d9d9d9d-1111-4222-8333-444444444444"

    /// Waits until `condition` holds, for up to 10 s.
    func eventually(_ condition: @Sendable () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return condition()
    }

    @Test("GET /v4/apps/list and /v4/senselistapps: every app as {id, name}, over a socket without a path")
    func listApps() async throws {
        try await withSimulator { sim in
            try await withButler(sim.butlerConfig()) { client in
                for path in ["/v4/apps/list", "/v4/senselistapps"] {
                    let response = try await client.send(.get, path)
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                    #expect(response.json == [
                        ["id": "3a0b4f0e-6f1d-4c8a-9a7e-2d5f0c1e9b11", "name": "Sales Dashboard"],
                        ["id": "4b1c5a1f-7a2e-4d9b-8b8f-3e6a1d2f0c22", "name": "HR Overview"],
                        ["id": "5c2d6b2a-8b3f-4eac-9c90-4f7b2e3a1d33", "name": "Finance Close"],
                    ])
                }
            }
            let connections = sim.site.engine.connections
            #expect(connections.count == 2)
            #expect(connections.allSatisfy { $0.path == "/" && $0.user == "UserDirectory=Internal;UserId=sa_repository" })
        }
    }

    @Test("GET /v4/app/:appId/dump: every section of the Sales Dashboard, plus lineage and appId")
    func dump() async throws {
        try await withSimulator { sim in
            try await withButler(sim.butlerConfig()) { client in
                let response = try await client.send(.get, "/v4/app/\(TestSite.salesApp.uppercased())/dump")
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let dump = try #require(response.json)
                let sections = ["sheets", "stories", "masterobjects", "appprops", "dataconnections", "dimensions", "bookmarks",
                                "embeddedmedia", "snapshots", "fields", "variables", "measures", "lineage"]
                #expect(Set(dump.objectValue?.keys.map { $0 } ?? []) == Set(sections + ["properties", "loadScript", "appId"]))
                for section in sections { #expect(dump[section]?.arrayValue?.isEmpty == false, "\(section) is empty") }
                #expect(dump["appId"] == .string(TestSite.salesApp))
                #expect(dump["properties"]?["qTitle"] == "Sales Dashboard")
                #expect(dump["properties"]?["sheetTitleBgColor"] == "#f2f2f2")
                #expect(dump["loadScript"]?.stringValue?.hasPrefix("///$tab Main\r\nSET ThousandSep=',';\r\n") == true)

                let sheet = try #require(dump["sheets"]?.arrayValue?.first)
                #expect(sheet["qProperty"]?["qInfo"] == ["qId": "vEYgftD", "qType": "sheet"])
                #expect(sheet["qProperty"]?["qMetaDef"]?["title"] == "Overview")
                #expect(sheet["qChildren"]?.arrayValue?.first?["qProperty"]?["qInfo"] == ["qId": "mpHTWaD", "qType": "combochart"])
                #expect(dump["stories"]?.arrayValue?.first?["qProperty"]?["qInfo"] == ["qId": "sTyQ2rW", "qType": "story"])
                #expect(dump["masterobjects"]?.arrayValue?.first?["qProperty"]?["qInfo"] == ["qId": "kPxLmR", "qType": "barchart"])
                #expect(dump["appprops"]?.arrayValue?.first?["qProperty"]?["qInfo"]?["qType"] == "appprops")
                #expect(dump["dimensions"]?.arrayValue?.first?["qDim"]?["qFieldDefs"] == ["Region"])
                #expect(dump["measures"]?.arrayValue?.first?["qMeasure"]?["qDef"] == "Sum(Amount)")
                let bookmark = try #require(dump["bookmarks"]?.arrayValue?.first)
                #expect(bookmark["qInfo"] == ["qId": "bmEMEA", "qType": "bookmark"])
                #expect(bookmark["qData"]?["qBookMark"]?["qStateData"]?.arrayValue?.count == 1)
                #expect(dump["snapshots"]?.arrayValue?.first?["qInfo"] == ["qId": "snap1", "qType": "snapshot"])
                #expect(dump["embeddedmedia"] == [["qUrlDef": "/media/Logo/sales-logo.png", "qUrl": "/media/Logo/sales-logo.png"]])
                #expect(dump["fields"]?.arrayValue?.compactMap { $0["qName"]?.stringValue } == ["Region", "Amount", "$Field"])
                #expect(dump["dataconnections"]?.arrayValue?.first?["qName"] == "Data")
                #expect(dump["dataconnections"]?.arrayValue?.first?["qConnectionString"] == "C:\\QlikData\\")
                let variables = dump["variables"]?.arrayValue ?? []
                #expect(variables.map { $0["qName"] } == ["vToday", "vTarget"])
                #expect(variables.first?["qIsScriptCreated"] == true)
                #expect(variables.last?["qIsScriptCreated"] == nil)
                #expect(dump["lineage"]?.arrayValue?.first?["qDiscriminator"] == "lib://Data/sales.qvd")

                let again = try await client.send(.get, "/v4/senseappdump/\(TestSite.salesApp)")
                #expect(again.status == .ok)
                #expect(again.json == dump)
            }
            #expect(sim.site.engine.connections.map(\.path) == ["/app/engineData", "/app/engineData"])
            #expect(sim.site.engine.reloads.isEmpty)
        }
    }

    @Test("PUT /v4/app/:appId/reload: 201 {appId} once open; reloaded with mode/partial, saved, success tasks started")
    func reloadSuccess() async throws {
        try await withSimulator { sim in
            try await withButler(sim.butlerConfig()) { client in
                let body = """
                    {"reloadMode":1,"partialReload":"true","startQSEoWTaskOnSuccess":["\(TestSite.salesTask)","\(TestSite.userSyncTask.uppercased())"],\
                    "startQSEoWTaskOnFailure":["\(TestSite.hrTask)"]}
                    """
                let response = try await client.send(.put, "/v4/app/\(TestSite.salesApp.uppercased())/reload", json: body)
                #expect(response.status == .created)
                #expect(response.json == ["appId": .string(TestSite.salesApp)])
                let site = sim.site
                #expect(try await eventually { site.startedTaskIds.count == 2 })
                #expect(site.startedTaskIds == [TestSite.salesTask, TestSite.userSyncTask])
                #expect(site.engine.reloads == [.init(appId: TestSite.salesApp, mode: 1, partial: true, succeeded: true)])
                #expect(site.engine.saves == [TestSite.salesApp])
                #expect(site.engine.connections.map(\.path) == ["/app/\(TestSite.salesApp)"])
            }
        }
    }

    @Test("A failed reload starts the failure tasks and doesn't save the app")
    func reloadFailure() async throws {
        try await withSimulator { sim in
            try await withButler(sim.butlerConfig()) { client in
                let body = """
                    {"startQSEoWTaskOnSuccess":["\(TestSite.salesTask)"],"startQSEoWTaskOnFailure":["\(TestSite.financeTask)"]}
                    """
                let response = try await client.send(.put, "/v4/app/\(TestSite.hrApp)/reload", json: body)
                #expect(response.status == .created)
                let site = sim.site
                #expect(try await eventually { site.startedTaskIds.count == 1 })
                #expect(site.startedTaskIds == [TestSite.financeTask])
                #expect(site.engine.reloads == [.init(appId: TestSite.hrApp, mode: 0, partial: false, succeeded: false)])
                #expect(site.engine.saves.isEmpty)
            }
        }
    }

    @Test("No body, or reloadMode outside 0-2: mode 0, full reload (B38); POST with X-HTTP-Method-Override")
    func reloadDefaults() async throws {
        try await withSimulator { sim in
            try await withButler(sim.butlerConfig()) { client in
                let bodies: [String?] = [nil, #"{"reloadMode":7,"partialReload":"yes"}"#, #"{"reloadMode":"2","partialReload":true}"#]
                for body in bodies {
                    let response = try await client.send(.put, "/v4/app/\(TestSite.salesApp)/reload", json: body)
                    #expect(response.status == .created)
                }
                // The Qlik REST connector can only POST (B51).
                let overridden = try await client.send(.post, "/v4/app/\(TestSite.salesApp)/reload", json: "{}", headers: [.init("X-HTTP-Method-Override")!: "PUT"])
                #expect(overridden.status == .created)
                let site = sim.site
                let saved = try await eventually { site.engine.saves.count == 4 }
                #expect(saved)
                let modes = Set(site.engine.reloads.map { "\($0.mode)/\($0.partial)" })
                #expect(modes == ["0/false", "2/true"])
                #expect(site.engine.reloads.count == 4)
            }
        }
    }

    @Test("Bad task id lists are 400 with AJV's wording")
    func reloadBadBody() async throws {
        try await withSimulator { sim in
            try await withButler(sim.butlerConfig()) { client in
                let notArray = try await client.send(.put, "/v4/app/\(TestSite.salesApp)/reload", json: #"{"startQSEoWTaskOnSuccess":"x"}"#)
                #expect(notArray.status == .badRequest)
                #expect(notArray.json == butlerError(400, "Bad Request", "body/startQSEoWTaskOnSuccess must be array", code: "FST_ERR_VALIDATION"))
                let notString = try await client.send(.put, "/v4/app/\(TestSite.salesApp)/reload", json: #"{"startQSEoWTaskOnFailure":[1]}"#)
                #expect(notString.json == butlerError(400, "Bad Request", "body/startQSEoWTaskOnFailure/0 must be string", code: "FST_ERR_VALIDATION"))
                #expect(sim.site.engine.connections.isEmpty)
            }
        }
    }

    @Test("An app the Engine doesn't know is 422 with the Engine's message; a malformed id is 400")
    func unknownAndMalformedApps() async throws {
        try await withSimulator { sim in
            try await withButler(sim.butlerConfig()) { client in
                for (method, path) in [(HTTPRequest.Method.put, "/v4/app/\(Self.unknownApp)/reload"), (.get, "/v4/app/\(Self.unknownApp)/dump"),
                                       (.get, "/v4/senseappdump/\(Self.unknownApp)")] {
                    let response = try await client.send(method, path)
                    #expect(response.status == .unprocessableContent, "\(path)")
                    #expect(response.json == butlerError(422, "Unprocessable Entity",
                        "Qlik Sense Engine could not open app \(Self.unknownApp): App not found (Engine error 1003, \(Self.unknownApp))"))
                }
                for (method, path) in [(HTTPRequest.Method.put, "/v4/app/not-a-guid/reload"), (.get, "/v4/app/not-a-guid/dump"), (.get, "/v4/senseappdump/123")] {
                    let response = try await client.send(method, path)
                    #expect(response.status == .badRequest, "\(path)")
                    #expect(response.json?["message"]?.stringValue?.contains("is not a valid Qlik Sense app id") == true)
                }
            }
            #expect(sim.site.engine.reloads.isEmpty)
        }
    }

    @Test("A stopped site, a client certificate from another CA, no Engine configured, --no-qs-connection: prompt 503s")
    func unavailable() async throws {
        let config = try await withSimulatorConfig()
        let started = ContinuousClock.now
        try await withButler(config) { client in
            for (method, path) in [(HTTPRequest.Method.get, "/v4/apps/list"), (.get, "/v4/app/\(TestSite.salesApp)/dump"), (.put, "/v4/app/\(TestSite.salesApp)/reload")] {
                let response = try await client.send(method, path)
                #expect(response.status == .serviceUnavailable, "\(path)")
                #expect(response.json?["message"]?.stringValue?.contains("could not be reached") == true)
            }
        }
        #expect(ContinuousClock.now - started < .seconds(3))

        let otherCA = try CertificateSet.write(to: FileManager.default.temporaryDirectory.appendingPathComponent("butler-other-ca-\(UUID().uuidString)"))
        try await withSimulator { sim in
            var config = sim.butlerConfig()
            config.qlikSense.certificates.clientCert = otherCA.clientCertificate
            config.qlikSense.certificates.clientCertKey = otherCA.clientKey
            try await withButler(config) { client in
                let response = try await client.send(.get, "/v4/apps/list")
                #expect(response.status == .serviceUnavailable)
                #expect(response.json?["message"]?.stringValue?.contains("Qlik Sense Engine at 127.0.0.1:\(sim.enginePort)") == true)
            }
            #expect(sim.site.engine.connections.isEmpty)

            try await withButler(.forTests()) { client in
                let response = try await client.send(.get, "/v4/apps/list")
                #expect(response.json == butlerError(503, "Service Unavailable",
                    "Butler has no Qlik Sense Engine connection (Butler.configEngine is not set, or --no-qs-connection)"))
            }
            var options = ServerOptions()
            options.qlikSenseConnection = false
            options.keyValueStore = InMemoryKeyValueStore()
            try await buildApplication(config: sim.butlerConfig(), options: options).test(.router) { client in
                let reload = try await client.send(.put, "/v4/app/\(TestSite.salesApp)/reload")
                #expect(reload.status == .serviceUnavailable)
                let dump = try await client.send(.get, "/v4/app/\(TestSite.salesApp)/dump")
                #expect(dump.status == .serviceUnavailable)
            }
            #expect(sim.site.engine.connections.isEmpty)
        }
    }

    @Test("An Engine port that accepts TCP but never answers TLS: 503 after the connect timeout, not a hang")
    func silentEngine() async throws {
        let listener = try SilentListener()
        defer { withExtendedLifetime(listener) {} }
        let port = listener.port
        try await withSimulator { sim in
            var config = sim.butlerConfig()
            config.qlikSense.engine?.port = port
            config.qlikSense.connectTimeout = .milliseconds(500)
            try await withButler(config) { client in
                let started = ContinuousClock.now
                let response = try await client.send(.get, "/v4/app/\(TestSite.salesApp)/dump")
                #expect(response.status == .serviceUnavailable)
                #expect(response.json?["message"] == .string("Qlik Sense Engine at 127.0.0.1:\(port) did not accept a session within 0.5 seconds"))
                #expect(ContinuousClock.now - started < .seconds(3))
            }
        }
    }

    @Test("An Engine that doesn't answer a call: 503 after the request timeout, not a hang")
    func silentCall() async throws {
        var description = try TestSite.description()
        description.apps[0].content.unansweredMethods = ["GetScript"]
        try await withSimulator(description) { sim in
            var config = sim.butlerConfig()
            config.qlikSense.requestTimeout = .milliseconds(500)
            try await withButler(config) { client in
                let started = ContinuousClock.now
                let response = try await client.send(.get, "/v4/app/\(TestSite.salesApp)/dump")
                #expect(response.status == .serviceUnavailable)
                #expect(response.json?["message"] == .string("The Qlik Sense Engine at 127.0.0.1:\(sim.enginePort) did not answer GetScript within 0.5 seconds"))
                #expect(ContinuousClock.now - started < .seconds(3))
            }
        }
    }

    /// The config of a simulator that has been stopped again.
    func withSimulatorConfig() async throws -> ButlerConfig {
        let config = Mutex<ButlerConfig?>(nil)
        try await withSimulator { sim in config.withLock { $0 = sim.butlerConfig() } }
        return try #require(config.withLock { $0 })
    }
}

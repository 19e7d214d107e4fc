import ButlerCore
import Foundation
import QlikSenseSimulator
import Testing

/// The simulator's QRS on the wire, checked with curl as an independent client: mutual TLS, xrfkey and
/// X-Qlik-User checks, filters and entity shapes (qlik-wire-protocols.md §1).
@Suite("Simulator QRS wire format", .serialized)
struct SimulatorQRSTests {
    struct Reply {
        let status: Int
        let body: String
        let exitCode: Int32
        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) }
    }

    /// One curl call; `certificate: false` presents no client certificate.
    static func curl(
        _ sim: RunningSimulator, _ pathAndQuery: String, method: String = "GET", xrfkey: String? = "abcdefghijklmnop",
        header: String? = nil, user: String? = "UserDirectory=Internal; UserId=sa_repository", certificate: Bool = true
    ) throws -> Reply {
        var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, "--cacert", sim.certificates.rootCA]
        if certificate { arguments += ["--cert", sim.certificates.clientCertificate, "--key", sim.certificates.clientKey] }
        if let header = header ?? xrfkey { arguments += ["-H", "X-Qlik-Xrfkey: \(header)"] }
        if let user { arguments += ["-H", "X-Qlik-User: \(user)"] }
        let separator = pathAndQuery.contains("?") ? "&" : "?"
        let url = "https://127.0.0.1:\(sim.qrsPort)/qrs/\(pathAndQuery)" + (xrfkey.map { "\(separator)Xrfkey=\($0)" } ?? "")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments + [url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let split = text.range(of: "\n", options: .backwards)
        let status = Int(split.map { String(text[$0.upperBound...]) } ?? "") ?? 0
        return Reply(status: status, body: split.map { String(text[..<$0.lowerBound]) } ?? text, exitCode: process.terminationStatus)
    }

    @Test func refusesCallsWithoutTheRightKeyUserOrCertificate() async throws {
        try await withSimulator { sim in
            #expect(try Self.curl(sim, "about").status == 200)
            let mismatch = try Self.curl(sim, "about", header: "ponmlkjihgfedcba")
            #expect(mismatch.status == 403)
            #expect(mismatch.body == "XSRF prevention check failed. Possible XSRF discovered.")
            #expect(try Self.curl(sim, "about", xrfkey: nil).status == 403)
            #expect(try Self.curl(sim, "about", xrfkey: "short").status == 403)
            #expect(try Self.curl(sim, "about", user: nil).status == 403)
            let anonymous = try Self.curl(sim, "about", certificate: false)
            #expect(anonymous.status == 0)
            #expect(anonymous.exitCode != 0)
        }
    }

    // §1.2: tags and custom properties match any element; quotes doubled; case-insensitive; + and %20.
    @Test func filters() async throws {
        try await withSimulator { sim in
            let byTag = try Self.curl(sim, "task/full?filter=tags.name%20eq%20%27STARTTASK1%27")
            #expect(byTag.json.map(Self.ids) == [TestSite.salesTask, TestSite.hrTask])
            let byProperty = try Self.curl(
                sim, "task/full?filter=(customProperties.definition.name+eq+'taskGroup')+and+(customProperties.value+eq+'tasks2')")
            #expect(byProperty.json.map(Self.ids) == [TestSite.hrTask, TestSite.financeTask])
            let byId = try Self.curl(sim, "task?filter=id%20eq%20\(TestSite.salesTask.uppercased())")
            #expect(byId.json == [[
                "id": .string(TestSite.salesTask), "name": "Reload of Sales Dashboard", "taskType": 0, "enabled": true, "privileges": .null,
            ]])
            let either = try Self.curl(sim, "task?filter=name%20sw%20'reload%20of%20h'%20or%20taskType%20eq%202")
            #expect(either.json.map(Self.ids) == [TestSite.hrTask, TestSite.userSyncTask])
            let quoted = try Self.curl(sim, "user/full?filter=name%20eq%20'Anna%20O''Neil'")
            #expect(quoted.json.map(Self.ids) == ["6c8f1b4d-2a3e-4f7b-9cad-1e2f3a4b5c6d"])
            #expect(try Self.curl(sim, "task/full?filter=tags.name%20eq%20'nobody'").body == "[]")
            #expect(try Self.curl(sim, "task/full?filter=tags.name%20like%20'x'").status == 400)
            #expect(try Self.curl(sim, "task/full?filter=(tags.name%20eq%20'x'").status == 400)
        }
    }

    // §1.3 #7, #8, #11–13: a start is 204; the run's execution result and script log can be read back.
    @Test func startRunAndScriptLog() async throws {
        try await withSimulator { sim in
            #expect(try Self.curl(sim, "task/\(TestSite.hrTask)/start", method: "POST").status == 204)
            #expect(try Self.curl(sim, "task/11111111-2222-4333-8444-555555555555/start", method: "POST").status == 404)
            let task = try #require(try Self.curl(sim, "reloadtask/\(TestSite.hrTask)").json)
            let result = try #require(task["operational"]?["lastExecutionResult"])
            #expect(result["status"] == 8)
            #expect(task["app"]?["name"] == "Reload of HR Overview".replacingOccurrences(of: "Reload of ", with: "").asJSON)
            #expect(task["tags"]?[0]?["name"] == "startTask1")
            #expect(task["customProperties"]?[0]?["definition"]?["name"] == "taskGroup")
            let reference = try #require(result["fileReferenceID"]?.stringValue)
            let link = try Self.curl(sim, "reloadtask/\(TestSite.hrTask)/scriptlog?fileReferenceId=\(reference)")
            let value = try #require(link.json?["value"]?.stringValue)
            let log = try Self.curl(sim, "download/reloadtask/\(value)/scriptlog.txt")
            #expect(log.status == 200)
            #expect(log.body.contains("Execution Failed\r\n"))
            #expect(try Self.curl(sim, "reloadtask/11111111-2222-4333-8444-555555555555").status == 404)
        }
    }

    @Test func appsAndOwners() async throws {
        try await withSimulator { sim in
            let app = try #require(try Self.curl(sim, "app/\(TestSite.salesApp)").json)
            #expect(app["name"] == "Sales Dashboard")
            #expect(app["stream"]?["name"] == "Everyone")
            let owner = try #require(app["owner"]?["id"]?.stringValue)
            let user = try #require(try Self.curl(sim, "user/\(owner)").json)
            #expect(user["attributes"]?[0]?["attributeType"] == "Email")
            #expect(user["attributes"]?[0]?["attributeValue"] == "goran@example.com")
            let full = try Self.curl(sim, "app/full?filter=id%20eq%20\(TestSite.salesApp)")
            #expect(full.json.map(Self.ids) == [TestSite.salesApp])
        }
    }

    static func ids(_ list: JSONValue) -> [String] {
        guard case .array(let items) = list else { return [] }
        return items.compactMap { $0["id"]?.stringValue }
    }
}

extension String {
    fileprivate var asJSON: JSONValue { .string(self) }
}

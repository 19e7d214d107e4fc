import ButlerCore
import ButlerServer
import Foundation
import HummingbirdTesting
import QlikSenseSimulator
import Synchronization
import Testing

/// The schedule routes (DESIGN Decisions 1 and 10; B26, B27, B30, B32, B33) with a real schedule file.
@Suite("Schedule routes", .serialized)
struct ScheduleRouteTests {
    /// `GET /v4/schedules?id=` once the schedule shows a `lastRun` (or after 5 s, when the test then fails).
    static func afterFirstRun(_ id: String, _ client: some TestClientProtocol) async throws -> TestResponse {
        var shown = try await client.send(.get, "/v4/schedules?id=\(id)")
        let until = ContinuousClock.now + .seconds(5)
        while shown.json?["lastRun"] == nil && ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(20))
            shown = try await client.send(.get, "/v4/schedules?id=\(id)")
        }
        return shown
    }

    static let task = "e3b27f50-b1c0-4879-88fc-c7cdd9c1cf3e"

    static func config(file: String, endpoints: EndpointSwitches = .all) -> ButlerConfig {
        var config = ButlerConfig.forTests(endpoints: endpoints)
        config.scheduler = SchedulerConfig(enable: true, configFile: file)
        return config
    }

    static func withFile(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("butler-schedules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory.appendingPathComponent("schedule.yaml").path)
    }

    static func body(name: String = "Every 2 hours", cron: String = "0 */2 * * *", zone: String = "Europe/London",
                     task: String = task, startupState: String = "started") -> String {
        """
        {"name":"\(name)","cronSchedule":"\(cron)","timezone":"\(zone)","qlikSenseTaskId":"\(task)",\
        "startupState":"\(startupState)","tags":["tag 3","abc 123 åäö"],"id":"ignored","owner":"ops"}
        """
    }

    // B26, B27: 201 with the object, a new id, created, lastKnownState, nextRunTime in the schedule's zone.
    @Test func createReturnsTheScheduleAndSavesIt() async throws {
        let clock = ManualWallClock(start: try Date("2024-01-15T00:00:00Z", strategy: .iso8601))
        try await Self.withFile { file in
            try await withButler(Self.config(file: file), clock: clock) { client in
                let response = try await client.send(.post, "/v4/schedules", json: Self.body(cron: "0 6 * * *", zone: "Europe/Stockholm"))
                #expect(response.status == .created)
                let json = try #require(response.json)
                let id = try #require(json["id"]?.stringValue)
                #expect(id != "ignored" && QlikGUID.normalised(id) == id)
                #expect(json["created"] == "2024-01-15T00:00:00.000Z")
                #expect(json["lastKnownState"] == "started")
                #expect(json["nextRunTime"] == "2024-01-15T06:00:00+01:00")
                #expect(json["tags"] == ["tag 3", "abc 123 åäö"])
                #expect(json["owner"] == "ops")
                let saved = try String(contentsOfFile: file, encoding: .utf8)
                #expect(saved.contains("butlerSchedule:") && saved.contains(id) && saved.contains("abc 123 åäö"))
                #expect(!saved.contains("nextRunTime"))

                let summer = try await client.send(.post, "/v4/schedules", json: Self.body(cron: "0 6 15 7 *", zone: "Europe/Stockholm"))
                #expect(summer.json?["nextRunTime"] == "2024-07-15T06:00:00+02:00")
            }
        }
    }

    // B27, B30 and the required fields: 400 with a clear message, nothing saved.
    @Test(arguments: [
        (body(cron: "0 0 32 * *"), "Invalid cronSchedule: day-of-month: 32 is out of range 1–31 (in '0 0 32 * *')"),
        (body(cron: "* * * *"), "Invalid cronSchedule: expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found 4 in '* * * *'"),
        (body(zone: "Europe/Stokholm"), "Unknown timezone 'Europe/Stokholm': use an IANA time zone name such as Europe/Stockholm"),
        (body(zone: ""), "Unknown timezone '': use an IANA time zone name such as Europe/Stockholm"),
        (body(startupState: "running"), "body/startupState must be equal to one of the allowed values (start, started, stop, stopped)"),
        (body(task: "task-1"), "qlikSenseTaskId is not a task id (GUID): task-1"),
        (#"{"name":"x","cronSchedule":"* * * * *","timezone":"UTC","startupState":"start"}"#, "body must have required property 'qlikSenseTaskId'"),
        (#"{"name":1e300,"cronSchedule":"* * * * *","timezone":"UTC","qlikSenseTaskId":"x","startupState":"start"}"#, "qlikSenseTaskId is not a task id (GUID): x"),
    ])
    func invalidSchedulesAreRefused(body: String, message: String) async throws {
        try await Self.withFile { file in
            try await withButler(Self.config(file: file)) { client in
                let response = try await client.send(.post, "/v4/schedules", json: body)
                #expect(response.json == butlerError(400, "Bad Request", message))
                let all = try await client.send(.get, "/v4/schedules")
                #expect(all.json == [])
            }
        }
    }

    // B33 and Decisions 1: shapes and status codes of every route; unknown ids are 400.
    @Test func routeShapesAndUnknownIds() async throws {
        try await Self.withFile { file in
            try await withButler(Self.config(file: file)) { client in
                let created = try await client.send(.post, "/v4/schedules", json: Self.body())
                let id = try #require(created.json?["id"]?.stringValue)
                let one = try await client.send(.get, "/v4/schedules?id=\(id)")
                #expect(one.json == created.json)
                let reply1 = try await client.send(.get, "/v4/schedules?id=nope")
                #expect(reply1.json
                    == butlerError(400, "Bad Request", "REST SCHEDULER: Schedule ID nope not found."))
                let reply2 = try await client.send(.delete, "/v4/schedules/nope")
                #expect(reply2.json
                    == butlerError(400, "Bad Request", "REST SCHEDULER: Delete for schedule ID nope failed."))
                let reply3 = try await client.send(.put, "/v4/schedules/nope/start")
                #expect(reply3.json
                    == butlerError(400, "Bad Request", "REST SCHEDULER: Failed starting schedule ID nope."))
                let reply4 = try await client.send(.put, "/v4/schedules/nope/stop")
                #expect(reply4.json
                    == butlerError(400, "Bad Request", "REST SCHEDULER: Failed stopping schedule ID nope."))

                let stopped = try await client.send(.put, "/v4/schedules/\(id)/stop")
                #expect(stopped.status == .ok)
                #expect(stopped.json?[0]?["lastKnownState"] == "stopped")
                #expect(stopped.json?[0]?["nextRunTime"] == .null)
                let status = try await client.send(.get, "/v4/schedules/status")
                #expect(status.headers[.contentType] == "text/plain; charset=utf-8")
                #expect(String(buffer: status.body) == "{\n'\(id)': 0 */2 * * *: Every 2 hours: Stopped\n}\n")

                _ = try await client.send(.post, "/v4/schedules", json: Self.body(name: "second", startupState: "stop"))
                let all = try await client.send(.put, "/v4/schedules/startall")
                guard case .array(let items)? = all.json else { Issue.record("not an array"); return }
                #expect(items.count == 2 && items.allSatisfy { $0["lastKnownState"] == "started" })
                let none = try await client.send(.put, "/v4/schedules/stopall")
                guard case .array(let stoppedItems)? = none.json else { Issue.record("not an array"); return }
                #expect(stoppedItems.allSatisfy { $0["lastKnownState"] == "stopped" })

                let deleted = try await client.send(.delete, "/v4/schedules/\(id)")
                #expect(deleted.status == .noContent)
                #expect(deleted.body.readableBytes == 0)
                let reply5 = try await client.send(.get, "/v4/schedules?id=\(id)")
                #expect(reply5.status == .badRequest)
            }
        }
    }

    // B33: after a restart every schedule is back, with its state from startupState (not lastKnownState).
    @Test func restartKeepsSchedulesAndAppliesStartupState() async throws {
        try await Self.withFile { file in
            let created = Mutex<[String]>([])
            try await withButler(Self.config(file: file)) { client in
                let a = try await client.send(.post, "/v4/schedules", json: Self.body(name: "a", startupState: "started"))
                let b = try await client.send(.post, "/v4/schedules", json: Self.body(name: "b", startupState: "stop"))
                let aId = a.json?["id"]?.stringValue ?? "", bId = b.json?["id"]?.stringValue ?? ""
                _ = try await client.send(.put, "/v4/schedules/\(aId)/stop")
                _ = try await client.send(.put, "/v4/schedules/\(bId)/start")
                created.withLock { $0 = [aId, bId] }
            }
            let ids = created.withLock { $0 }
            try await withButler(Self.config(file: file)) { client in
                let all = try await client.send(.get, "/v4/schedules")
                #expect(all.json?[0]?["id"] == .string(ids[0]))
                #expect(all.json?[0]?["lastKnownState"] == "started")
                #expect(all.json?[1]?["id"] == .string(ids[1]))
                #expect(all.json?[1]?["lastKnownState"] == "stopped")
                #expect(all.json?[0]?["tags"] == ["tag 3", "abc 123 åäö"])
            }
        }
    }

    // An existing Butler schedule file: hand-written ids, quoted cron, extra properties kept.
    @Test func readsButlersScheduleFile() async throws {
        try await Self.withFile { file in
            try """
            butlerSchedule:
              - name: Every 30 sec
                cronSchedule: '*/30 * * * * *'
                timezone: Europe/Stockholm
                qlikSenseTaskId: 0fe447a9-ba1f-44a9-ac23-68c3a1d88d8b
                startupState: started
                tags:
                  - Sales
                  - Transform
                id: task-1
                lastKnownState: stopped
                comment: kept as written
            """.write(toFile: file, atomically: true, encoding: .utf8)
            try await withButler(Self.config(file: file)) { client in
                let one = try await client.send(.get, "/v4/schedules?id=task-1")
                #expect(one.json?["lastKnownState"] == "started")
                #expect(one.json?["comment"] == "kept as written")
                #expect(one.json?["cronSchedule"] == "*/30 * * * * *")
            }
        }
    }

    // B32, Decision 10: a switched-off route and a disabled scheduler are 404.
    @Test func disabledRoutesAre404() async throws {
        try await Self.withFile { file in
            let endpoints = EndpointSwitches(enabling: Endpoint.allCases.filter { $0 != .getScheduleStatusAll })
            try await withButler(Self.config(file: file, endpoints: endpoints)) { client in
                let reply6 = try await client.send(.get, "/v4/schedules/status")
                #expect(reply6.status == .notFound)
                let reply7 = try await client.send(.get, "/v4/schedules")
                #expect(reply7.status == .ok)
            }
            var off = Self.config(file: file)
            off.scheduler.enable = false
            try await withButler(off) { client in
                let reply8 = try await client.send(.get, "/v4/schedules")
                #expect(reply8.status == .notFound)
            }
        }
    }

    // A started schedule fires on time against the simulator: the task is started there over QRS.
    @Test func firesTheTaskOnTheSimulator() async throws {
        try await Self.withFile { file in
            try await withSimulator { sim in
                let config = sim.butlerConfig(Self.config(file: file))
                try await withButler(config, testing: .live) { client in
                    let body = Self.body(name: "every second", cron: "* * * * * *", zone: "UTC", task: TestSite.salesTask)
                    let created = try await client.send(.post, "/v4/schedules", json: body)
                    #expect(created.status == .created)
                    let deadline = ContinuousClock.now + .seconds(5)
                    while sim.site.startedTaskIds.isEmpty && ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    #expect(sim.site.startedTaskIds.first == TestSite.salesTask)
                    let id = created.json?["id"]?.stringValue ?? ""
                    let shown = try await Self.afterFirstRun(id, client)
                    #expect(shown.json?["lastRun"]?["result"] == "started")
                    _ = try await client.send(.put, "/v4/schedules/stopall")
                }
            }
        }
    }

    // Issue 12 item 1, the exact trigger: a DEL name answered 201 made the next start fail. Now it reloads.
    @Test func hostileTextSurvivesARestart() async throws {
        try await Self.withFile { file in
            let created = Mutex<JSONValue?>(nil)
            try await withButler(Self.config(file: file)) { client in
                let body = #"{"name":"a\u007f","cronSchedule":"0 6 * * *","timezone":"UTC","qlikSenseTaskId":"\#(Self.task)","#
                    + #""startupState":"started","tags":["\u0000\u001f\u0085\u009f","\u2028\u2029\ufeff\ufffe\uffff"],"#
                    + #""\u200f\u202e":{"\u007f":["\ud83d\ude00",1e300,"true","null","0x10"]}}"#
                let response = try await client.send(.post, "/v4/schedules", json: body)
                #expect(response.status == .created)
                #expect(response.json?["name"] == "a\u{7F}")
                created.withLock { $0 = response.json }
            }
            try await withButler(Self.config(file: file)) { client in
                let all = try await client.send(.get, "/v4/schedules")
                #expect(all.json == .array([try #require(created.withLock { $0 })]))
            }
        }
    }

    // Issue 12 item 6: maxSchedules and the size caps answer 400 in Butler's error shape, and save nothing.
    @Test func limitsAnswer400() async throws {
        try await Self.withFile { file in
            var config = Self.config(file: file)
            config.scheduler.maxSchedules = 1
            try await withButler(config) { client in
                #expect(try await client.send(.post, "/v4/schedules", json: Self.body()).status == .created)
                let full = try await client.send(.post, "/v4/schedules", json: Self.body(name: "second"))
                #expect(full.json == butlerError(
                    400, "Bad Request", "REST SCHEDULER: there are already 1 schedules, the maximum (Butler.scheduler.maxSchedules is 1)"))
            }
            try await withButler(Self.config(file: file)) { client in
                let big = #"{"name":"x","cronSchedule":"0 6 * * *","timezone":"UTC","qlikSenseTaskId":"\#(Self.task)","#
                    + #""startupState":"started","blob":"\#(String(repeating: "b", count: 5_000))"}"#
                let response = try await client.send(.post, "/v4/schedules", json: big)
                #expect(response.status == .badRequest)
                #expect(response.json?["message"]?.stringValue?.hasSuffix("at most 4096 are kept") == true)
                #expect(try await client.send(.get, "/v4/schedules").json?.arrayValue?.count == 1)
            }
        }
    }

    // Issue 12 item 6: with startTaskFilter enabled, a scheduled start of a task outside it is not sent to
    // the site, and lastRun says why (Butler's scheduler ignored the filter).
    @Test func scheduledStartsObeyTheStartTaskFilter() async throws {
        try await Self.withFile { file in
            try await withSimulator { sim in
                var config = sim.butlerConfig(Self.config(file: file))
                config.startTaskFilter = StartTaskFilter(enable: true, taskIds: [TestSite.hrTask])
                try await withButler(config, testing: .live) { client in
                    let body = Self.body(name: "every second", cron: "* * * * * *", zone: "UTC", task: TestSite.salesTask)
                    let created = try await client.send(.post, "/v4/schedules", json: body)
                    let id = created.json?["id"]?.stringValue ?? ""
                    let shown = try await Self.afterFirstRun(id, client)
                    #expect(shown.json?["lastRun"]?["result"] == "denied: the task is not allowed by Butler.startTaskFilter")
                    _ = try await client.send(.put, "/v4/schedules/stopall")
                    #expect(sim.site.startedTaskIds.isEmpty)
                }
            }
        }
    }
}

import ButlerCore
import Foundation
import Logging
import Synchronization
import Testing

/// Issue 12 item 6: bounded schedules (count, size, unknown properties), scheduled starts through the
/// start-task allow-list, and at most `TaskStartService.maxConcurrentStarts` starts in flight.
@Suite("Schedule limits and bounded starts", .serialized)
struct ScheduleLimitsTests {
    static let task = "e3b27f50-b1c0-4879-88fc-c7cdd9c1cf3e"
    static let other = "fbf645f0-0c92-40a4-af9a-6e3eb1d3c35c"

    static func body(name: String = "n", task: String = task, extra: [String: JSONValue] = [:], cron: String = "0 6 * * *") -> JSONValue {
        var fields: [String: JSONValue] = [
            "name": .string(name), "cronSchedule": .string(cron), "timezone": "UTC", "qlikSenseTaskId": .string(task),
            "startupState": "started",
        ]
        fields.merge(extra) { $1 }
        return .object(fields)
    }

    static func refusal(_ body: () async throws -> Void) async -> ButlerError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? ButlerError
        }
    }

    @Test func maxSchedulesRefusesTheExcess() async throws {
        let scheduler = try Scheduler(file: nil, tasks: nil, maxSchedules: 3, logger: Logger(label: "test"))
        for index in 0..<3 { _ = try await scheduler.add(Self.body(name: "s\(index)")) }
        let error = await Self.refusal { _ = try await scheduler.add(Self.body(name: "s3")) }
        #expect(error == .badRequest("REST SCHEDULER: there are already 3 schedules, the maximum (Butler.scheduler.maxSchedules is 3)"))
        #expect(await scheduler.views().count == 3)
        // Room again after a delete.
        let first = try #require(await scheduler.views().first?["id"]?.stringValue)
        try await scheduler.delete(id: first)
        _ = try await scheduler.add(Self.body(name: "s3"))
    }

    @Test func unknownPropertiesAreCappedAt4KiBInAll() async throws {
        let scheduler = try Scheduler(file: nil, tasks: nil, logger: Logger(label: "test"))
        // Just under: kept as sent.
        let kept = try await scheduler.add(Self.body(extra: ["note": .string(String(repeating: "x", count: 3_000))]))
        #expect(kept.extra["note"]?.stringValue?.count == 3_000)
        let over = await Self.refusal {
            _ = try await scheduler.add(Self.body(extra: ["a": .string(String(repeating: "x", count: 2_100)), "b": .string(String(repeating: "y", count: 2_100))]))
        }
        #expect(over?.kind == .badRequest)
        #expect(over?.message.hasPrefix("The schedule's properties beyond Butler's fields take ") == true)
        // Many small keys add up too; escaped characters count as written (\x7F is 4 bytes).
        let many = await Self.refusal {
            _ = try await scheduler.add(Self.body(extra: Dictionary(uniqueKeysWithValues: (0..<300).map { ("k\($0)", JSONValue.string("\u{7F}\u{7F}\u{7F}")) })))
        }
        #expect(many?.kind == .badRequest)
        var deep: JSONValue = .null
        for _ in 0..<17 { deep = .array([deep]) }
        let nested = await Self.refusal { _ = try await scheduler.add(Self.body(extra: ["deep": deep])) }
        #expect(nested == .badRequest("body/deep is nested more than 16 levels deep"))
        #expect(await scheduler.views().count == 1)
    }

    @Test func oneScheduleIsAtMost64KiB() async throws {
        let scheduler = try Scheduler(file: nil, tasks: nil, logger: Logger(label: "test"))
        let error = await Self.refusal { _ = try await scheduler.add(Self.body(name: String(repeating: "n", count: 70_000))) }
        #expect(error?.kind == .badRequest)
        #expect(error?.message.hasSuffix("at most 65536 are allowed") == true)
        let tags = await Self.refusal {
            _ = try await scheduler.add(.object(["name": "n", "cronSchedule": "0 6 * * *", "timezone": "UTC", "qlikSenseTaskId": .string(Self.task),
                                                 "startupState": "start", "tags": .array((0..<20_000).map { .string("t\($0)") })]))
        }
        #expect(tags?.kind == .badRequest)
        _ = try await scheduler.add(Self.body(name: String(repeating: "n", count: 60_000)))
    }

    // 100 POSTs of the largest accepted body can't grow the file past 100 × 64 KiB (Butler: 100 × body size).
    @Test func hundredLargePostsKeepTheFileBounded() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("butler-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("schedule.yaml").path
        let scheduler = try Scheduler(file: ScheduleFile(path: path), tasks: nil, logger: Logger(label: "test"))
        var refused = 0
        for index in 0..<100 {
            let body = Self.body(name: "s\(index)", extra: ["blob": .string(String(repeating: "z", count: 1_000_000))])
            if await Self.refusal({ _ = try await scheduler.add(body) }) != nil { refused += 1 }
        }
        #expect(refused == 100)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size < 100)
    }

    // Beyond Butler: with startTaskFilter enabled, a scheduled start of a task outside it is denied, logged,
    // and shown in lastRun; an allowed one starts.
    @Test func scheduledStartsGoThroughTheStartTaskFilter() async throws {
        let clock = ManualWallClock(start: try Date("2024-01-15T05:59:00Z", strategy: .iso8601))
        let site = InMemoryQlikSenseTasks([.init(id: Self.task, name: "Allowed"), .init(id: Self.other, name: "Not allowed")])
        let log = CapturedLog()
        let logger = Logger(label: "test") { _ in log }
        let starts = TaskStartService(site: site, filter: StartTaskFilter(enable: true, taskIds: [Self.task.uppercased()]), logger: logger)
        let scheduler = try Scheduler(file: nil, taskStarts: starts, clock: clock, logger: logger)
        let allowed = try await scheduler.add(Self.body(name: "allowed", task: Self.task))
        let denied = try await scheduler.add(Self.body(name: "denied", task: Self.other))
        clock.advance(by: 60)
        let firings = await scheduler.fireDue()
        #expect(firings.count == 2)
        #expect(site.started == [Self.task])
        #expect(try await scheduler.view(id: allowed.id)["lastRun"]?["result"] == "started")
        #expect(try await scheduler.view(id: denied.id)["lastRun"]?["result"] == "denied: the task is not allowed by Butler.startTaskFilter")
        #expect(log.messages.contains {
            $0.contains("could not start task \(Self.other) for schedule \(denied.id): denied: the task is not allowed by Butler.startTaskFilter")
        })
    }

    // PUT /v4/reloadtask/-/start with 1,000 ids: never more than 8 starts in flight, and 8 are used.
    @Test func routeStartsAreBoundedToEightInFlight() async throws {
        let site = GatedQlikSenseTasks()
        let service = TaskStartService(site: site, filter: .init(), logger: Logger(label: "test"))
        let ids = (0..<1_000).map { String(format: "00000000-0000-4000-8000-%012d", $0) }
        let report = try await service.start(TaskStartRequest(taskIds: ids), allTaskIdsMustExist: false)
        #expect(report.tasksId.started.count == 1_000)
        try await site.drive(total: 1_000, window: TaskStartService.maxConcurrentStarts)
        #expect(site.maxInFlight == 8)
        #expect(Set(site.startedIds) == Set(ids))
    }

    // Schedules due at the same instant share the limit: 50 due, at most 8 in flight.
    @Test func scheduledStartsShareTheLimit() async throws {
        let clock = ManualWallClock(start: try Date("2024-01-15T05:59:00Z", strategy: .iso8601))
        let site = GatedQlikSenseTasks()
        let service = TaskStartService(site: site, filter: .init(), logger: Logger(label: "test"))
        let scheduler = try Scheduler(file: nil, taskStarts: service, clock: clock, logger: Logger(label: "test"))
        for index in 0..<50 { _ = try await scheduler.add(Self.body(name: "s\(index)", task: String(format: "00000000-0000-4000-8000-%012d", index))) }
        clock.advance(by: 60)
        let firing = Task { await scheduler.fireDue() }
        try await site.drive(total: 50, window: 8)
        #expect(await firing.value.allSatisfy { $0.failure == nil })
        #expect(site.maxInFlight == 8)
    }

    // The config key: default 1,000, set from the file, 0 refused naming the key.
    @Test func maxSchedulesConfigKey() throws {
        #expect(try ConfigLoader.load(yaml: "Butler:\n  scheduler:\n    enable: true\n").config.scheduler.maxSchedules == 1_000)
        let loaded = try ConfigLoader.load(yaml: "Butler:\n  scheduler:\n    maxSchedules: 25\n")
        #expect(loaded.config.scheduler.maxSchedules == 25)
        #expect(loaded.warnings == [])
        do {
            _ = try ConfigLoader.load(yaml: "Butler:\n  scheduler:\n    maxSchedules: 0\n")
            Issue.record("accepted 0")
        } catch {
            #expect("\(error)" == "Butler.scheduler.maxSchedules: expected an integer from 1 to 10000000, found 0")
        }
    }
}

import ButlerCore
import Foundation
import Logging
import Testing

/// Firing with an injected clock: a started schedule starts its task at the due instant, a stopped one
/// doesn't, missed runs are not replayed.
struct SchedulerTests {
    static let task = "e3b27f50-b1c0-4879-88fc-c7cdd9c1cf3e"

    static func body(_ name: String, cron: String, startupState: String) -> JSONValue {
        .object(["name": .string(name), "cronSchedule": .string(cron), "timezone": .string("Europe/Stockholm"),
                 "qlikSenseTaskId": .string(task), "startupState": .string(startupState)])
    }

    static func date(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test func startedSchedulesFireAtTheDueInstant() async throws {
        let clock = ManualWallClock(start: try Date("2024-01-15T04:59:00Z", strategy: .iso8601))
        let site = InMemoryQlikSenseTasks([.init(id: Self.task, name: "Reload")])
        let scheduler = try Scheduler(file: nil, tasks: site, clock: clock, logger: Logger(label: "test"))
        let started = try await scheduler.add(Self.body("six", cron: "0 6 * * *", startupState: "started"))
        _ = try await scheduler.add(Self.body("six too", cron: "0 6 * * *", startupState: "stopped"))
        #expect(await scheduler.nextDue() == Self.date("2024-01-15T05:00:00Z"))

        clock.advance(by: 59)
        #expect(await scheduler.fireDue().isEmpty)
        #expect(site.started.isEmpty)

        clock.advance(by: 1)
        let firings = await scheduler.fireDue()
        #expect(firings.map(\.scheduleId) == [started.id])
        #expect(firings.first?.failure == nil)
        #expect(site.started == [Self.task])
        #expect(await scheduler.nextDue() == Self.date("2024-01-16T05:00:00Z"))

        // Three days pass unseen (Butler down): one firing, not three; the next run is planned from now.
        clock.advance(by: 3 * 86_400 + 600)
        #expect(await scheduler.fireDue().count == 1)
        #expect(await scheduler.nextDue() == Self.date("2024-01-19T05:00:00Z"))
    }

    @Test func withoutAQlikSenseConnectionAFiringSaysSo() async throws {
        let clock = ManualWallClock(start: try Date("2024-01-15T04:59:59Z", strategy: .iso8601))
        let scheduler = try Scheduler(file: nil, tasks: nil, clock: clock, logger: Logger(label: "test"))
        _ = try await scheduler.add(Self.body("six", cron: "0 6 * * *", startupState: "start"))
        clock.advance(by: 1)
        let firings = await scheduler.fireDue()
        #expect(firings.first?.failure == "Butler has no Qlik Sense connection (Butler.configQRS is not set, or --no-qs-connection)")
    }
}

import ButlerCore
import Foundation
import Logging
import Synchronization
import Testing

/// Issue 12, item 7: distribute events whose task is still running used to hold the UDP intake's ten
/// workers for up to 6 h (outcome polling), so real failure alerts were dropped. Now they are polled only
/// when a destination wants distribute outcomes, in the dispatcher's own bounded pool, on the injected clock.
struct DistributeEventsSilenceNoAlertTests {
    static let failedTask = "7552d9fc-d1bb-4975-9a38-18357de531ea"

    /// QRS where every distribute task runs (status 2, DistributionRunning 14 …) until `finish(with:)`,
    /// and the failed reload task is a reload task. Counts distribute look-ups.
    final class RunningSite: QlikSenseRepository {
        let status = Mutex(2)
        let distributeLookups = Atomic<Int>(0)
        func finish(with status: Int) { self.status.withLock { $0 = status } }

        func taskDetails(id: String) async throws -> TaskDetails? {
            if id == DistributeEventsSilenceNoAlertTests.failedTask { return TaskDetails(taskType: 0, tags: [], customProperties: [], raw: .object([:])) }
            distributeLookups.add(1, ordering: .relaxed)
            let status = self.status.withLock { $0 }
            return TaskDetails(taskType: 3, tags: [], customProperties: [],
                               raw: .object(["operational": .object(["lastExecutionResult": .object(["status": .number(Double(status))])])]))
        }
        func lastExecution(taskId: String) async throws -> ExecutionDetails? { nil }
        func scriptLog(taskId: String, execution: ExecutionDetails) async throws -> ScriptLog? { nil }
        func appDetails(id: String) async throws -> AppDetails? { nil }
        func appOwner(appId: String) async throws -> AppOwner? { nil }
    }

    /// What a destination received, with a wait for a count bounded in time (a signal, not a timer).
    final class Deliveries: Sendable {
        private struct State {
            var items: [(TaskEvent.Kind, String)] = []
            var waiters: [Int: (count: Int, wake: CheckedContinuation<Bool, Never>)] = [:]
            var nextWaiter = 0
        }
        private let state = Mutex(State())

        var items: [(TaskEvent.Kind, String)] { state.withLock { $0.items } }

        func append(_ item: (TaskEvent.Kind, String)) {
            let due = state.withLock { state in
                state.items.append(item)
                let due = state.waiters.filter { $0.value.count <= state.items.count }
                for key in due.keys { state.waiters.removeValue(forKey: key) }
                return due.values.map(\.wake)
            }
            for wake in due { wake.resume(returning: true) }
        }

        /// true once `count` deliveries have arrived; false if that takes longer than `seconds`.
        func wait(for count: Int, within seconds: Int = 2) async -> Bool {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask { await self.reached(count) }
                group.addTask {
                    try? await Task.sleep(for: .seconds(seconds))
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
        }

        private func reached(_ count: Int) async -> Bool {
            let id = state.withLock { state in
                state.nextWaiter += 1
                return state.nextWaiter
            }
            return await withTaskCancellationHandler {
                await withCheckedContinuation { (wake: CheckedContinuation<Bool, Never>) in
                    let answer: Bool? = state.withLock { state in
                        if state.items.count >= count { return true }
                        if Task.isCancelled { return false }
                        state.waiters[id] = (count, wake)
                        return nil
                    }
                    if let answer { wake.resume(returning: answer) }
                }
            } onCancel: {
                state.withLock { $0.waiters.removeValue(forKey: id) }?.wake.resume(returning: false)
            }
        }
    }

    /// Wants failures of reload tasks and (when `distribute`) outcomes of distribute tasks, like InfluxDB.
    final class Signalling: ReloadEventDestination {
        let distribute: Bool
        let deliveries = Deliveries()
        init(distribute: Bool) { self.distribute = distribute }
        var name: String { "signalling" }
        func accepts(_ kind: TaskEvent.Kind) -> Bool { kind == .failed || kind == .success }
        func accepts(_ kind: TaskEvent.Kind, taskType: Int) -> Bool { taskType == 0 || (distribute && taskType == 3) }
        func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int? { nil }
        func deliver(_ alert: ReloadAlert) async throws { deliveries.append((alert.event.kind, alert.event.taskId)) }
    }

    static func datagram(_ type: String, task: String) -> [UInt8] {
        Array("\(type);n1;Task \(task.prefix(4));App;INTERNAL\\sa_scheduler;\(task);;2024-01-15 10:35:00,001;INFO;\(UUID().uuidString);Done".utf8)
    }

    /// Distribute task `index` (0–9).
    static func distributeTask(_ index: Int) -> String { "9d8c7b6a-5f4e-4d3c-8b2a-00000000000\(index)" }

    @Test func tenRunningDistributeTasksThenAFailureIsDelivered() async throws {
        let clock = ManualWallClock()
        let site = RunningSite()
        let destination = Signalling(distribute: true)
        let logger = Logger(label: "test")
        let enricher = ReloadEventEnricher(site: site, logger: logger, retryPause: .zero, clock: clock)
        let dispatcher = ReloadEventDispatcher(destinations: [destination], enricher: enricher, clock: clock, logger: logger)
        var config = UDPServerConfig()
        config.maxConcurrent = 10
        let intake = ReloadEventIntake(config: config, allowedAddresses: nil, deduplication: InMemoryExecutionDeduplication(),
                                       clock: clock, logger: logger) { try await dispatcher.dispatch($0) }
        let running = Task { await intake.run() }
        defer {
            intake.finish()
            dispatcher.cancelDistributePolls()
            running.cancel()
        }
        for index in 0..<10 { intake.submit(Self.datagram("/scheduler-distribute/", task: Self.distributeTask(index)), from: "127.0.0.1") }
        intake.submit(Self.datagram("/scheduler-task-failed/", task: Self.failedTask), from: "127.0.0.1")

        let deliveries = destination.deliveries
        #expect(await deliveries.wait(for: 1), "the failure alert must not wait behind distribute polls")
        #expect(deliveries.items.first?.0 == .failed && deliveries.items.first?.1 == Self.failedTask)

        // The ten distribute tasks are awaited in the dispatcher's pool, each sleeping on the manual clock.
        let deadline = ContinuousClock.now + .seconds(5)
        while clock.sleeperCount < 10 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(clock.sleeperCount == 10)
        #expect(dispatcher.distributePollsRunning == 10)
        // The intake is still free for the next failure while the ten wait.
        intake.submit(Self.datagram("/scheduler-task-failed/", task: Self.failedTask), from: "127.0.0.1")
        #expect(await deliveries.wait(for: 2))
        site.finish(with: 7)
        clock.advance(by: 30)
        await dispatcher.idle()
        let outcomes = deliveries.items.dropFirst(2)
        #expect(outcomes.count == 10 && outcomes.allSatisfy { $0.0 == .success })
        #expect(Set(outcomes.map(\.1)) == Set((0..<10).map(Self.distributeTask)))
        #expect(dispatcher.distributePollsRunning == 0)
    }

    // Nobody wants distribute outcomes (the usual set-up: no InfluxDB distribute measurements): QRS is
    // never asked and nothing waits.
    @Test func distributeEventsAreIgnoredWhenNoDestinationWantsThem() async throws {
        let site = RunningSite()
        let dispatcher = ReloadEventDispatcher(
            destinations: [Signalling(distribute: false)], enricher: ReloadEventEnricher(site: site, logger: Logger(label: "test")),
            logger: Logger(label: "test"))
        let event = try TaskEventParser.parse(Self.datagram("/scheduler-distribute/", task: Self.distributeTask(1)))
        #expect(try await dispatcher.dispatch(event).isEmpty)
        #expect(dispatcher.distributePollsRunning == 0)
        #expect(site.distributeLookups.load(ordering: .relaxed) == 0)
    }

    // The pool is bounded and holds one poll per task: more datagrams for one task add nothing, and past
    // the limit they are dropped (logged), never queued behind the intake.
    @Test func thePollPoolIsBounded() async throws {
        let clock = ManualWallClock()
        let site = RunningSite()
        let dispatcher = ReloadEventDispatcher(
            destinations: [Signalling(distribute: true)], enricher: ReloadEventEnricher(site: site, logger: Logger(label: "test"), clock: clock),
            clock: clock, maxDistributePolls: 3, logger: Logger(label: "test"))
        defer { dispatcher.cancelDistributePolls() }
        for _ in 0..<5 { _ = try await dispatcher.dispatch(TaskEventParser.parse(Self.datagram("/scheduler-distribute/", task: Self.distributeTask(0)))) }
        #expect(dispatcher.distributePollsRunning == 1)
        for index in 1..<10 { _ = try await dispatcher.dispatch(TaskEventParser.parse(Self.datagram("/scheduler-distribute/", task: Self.distributeTask(index)))) }
        #expect(dispatcher.distributePollsRunning == 3)
        dispatcher.cancelDistributePolls()
        await dispatcher.idle()
        #expect(dispatcher.distributePollsRunning == 0)
    }
}

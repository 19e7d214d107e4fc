import ButlerCore
import Foundation
import Logging
import Synchronization
import Testing

/// Distribute events (spec §7.3): the outcome is read from QRS, polled while intermediate, then routed as
/// a failure or success of a distribute task.
struct ReloadEventDispatcherTests {
    /// QRS for one distribute task whose status moves through `statuses` on each look-up.
    final class DistributeSite: QlikSenseRepository {
        let statuses: Mutex<[Int]>
        init(_ statuses: [Int]) { self.statuses = Mutex(statuses) }

        func taskDetails(id: String) async throws -> TaskDetails? {
            let status = statuses.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] }
            return TaskDetails(taskType: 3, tags: [], customProperties: [],
                               raw: .object(["operational": .object(["lastExecutionResult": .object(["status": .number(Double(status))])])]))
        }
        func lastExecution(taskId: String) async throws -> ExecutionDetails? { nil }
        func scriptLog(taskId: String, execution: ExecutionDetails) async throws -> ScriptLog? { nil }
        func appDetails(id: String) async throws -> AppDetails? { nil }
        func appOwner(appId: String) async throws -> AppOwner? { nil }
    }

    /// Records what it receives; takes every kind and task type.
    final class Recorder: ReloadEventDestination {
        let received = Mutex<[(TaskEvent.Kind, Int)]>([])
        var name: String { "recorder" }
        func accepts(_ kind: TaskEvent.Kind) -> Bool { true }
        func accepts(_ kind: TaskEvent.Kind, taskType: Int) -> Bool { true }
        func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int? { nil }
        func deliver(_ alert: ReloadAlert) async throws { received.withLock { $0.append((alert.event.kind, alert.task?.taskType ?? -1)) } }
    }

    static func event() throws -> TaskEvent {
        try TaskEventParser.parse(Array(
            "/scheduler-distribute/;n1;Distribute Sales;;INTERNAL\\sa_scheduler;9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a;;2024-01-15 10:35:00,001;INFO;e1;Exiting execute of Distribute task request.".utf8))
    }

    static func dispatcher(_ site: DistributeSite, _ recorder: Recorder) -> ReloadEventDispatcher {
        let enricher = ReloadEventEnricher(site: site, logger: Logger(label: "test"), retryPause: .milliseconds(1),
                                           distributePoll: (.milliseconds(10), .seconds(5)))
        return ReloadEventDispatcher(destinations: [recorder], enricher: enricher, logger: Logger(label: "test"))
    }

    @Test func distributeOutcomeIsPolledUntilFinal() async throws {
        let recorder = Recorder()
        let site = DistributeSite([3, 14, 2, 8])
        let dispatcher = Self.dispatcher(site, recorder)
        // The poll runs in the dispatcher's own pool: the caller (an intake worker) is free at once.
        #expect(try await dispatcher.dispatch(Self.event()) == [])
        await dispatcher.idle()
        #expect(recorder.received.withLock { $0.map(\.0) } == [.failed])
        #expect(recorder.received.withLock { $0.map(\.1) } == [3])
        #expect(site.statuses.withLock { $0 } == [8])
    }

    @Test func distributeSuccessAndUnknownStatus() async throws {
        let recorder = Recorder()
        let dispatcher = Self.dispatcher(DistributeSite([7]), recorder)
        _ = try await dispatcher.dispatch(Self.event())
        await dispatcher.idle()
        #expect(recorder.received.withLock { $0.map(\.0) } == [.success])
        let silent = Recorder()
        let silentDispatcher = Self.dispatcher(DistributeSite([9]), silent)
        #expect(try await silentDispatcher.dispatch(Self.event()).isEmpty)
        await silentDispatcher.idle()
        #expect(silent.received.withLock { $0.isEmpty })
    }
}

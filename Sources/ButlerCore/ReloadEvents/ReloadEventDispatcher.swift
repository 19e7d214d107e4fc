import Foundation
import Logging
import Synchronization

/// A place reload events are sent to (webhooks, MQTT, InfluxDB, e-mail, …).
public protocol ReloadEventDestination: Sendable {
    /// For logs: `webhook 'Open a ticket'`, `MQTT`.
    var name: String { get }
    /// Whether this destination wants events of this kind (its config's enable switches).
    func accepts(_ kind: TaskEvent.Kind) -> Bool
    /// Whether it wants them for tasks of this QRS `taskType` (0 Reload, 1 ExternalProgram, 2 UserSync,
    /// 3 Distribute, 4 Preload; spec §7.3's routing table). Asked once QRS has told the type; events whose
    /// type is unknown (QRS down) are treated as reload tasks.
    func accepts(_ kind: TaskEvent.Kind, taskType: Int) -> Bool
    /// Least seconds between two deliveries for the same task and kind (nil: no limit).
    func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int?
    /// Sends the alert. - Throws: why it could not be delivered (logged by the dispatcher).
    func deliver(_ alert: ReloadAlert) async throws
}

extension ReloadEventDestination {
    /// Butler's routing for alert channels: webhooks, MQTT, e-mail, Slack, Teams… are for reload tasks.
    public func accepts(_ kind: TaskEvent.Kind, taskType: Int) -> Bool { taskType == 0 }
}

/// Looks each event up in QRS (once, when some destination wants it), then sends it to every destination
/// that accepts it, independently and concurrently: one slow or failing destination never delays or
/// stops the others. Each destination has its own rate limit per
/// task and event kind (Butler: an in-memory limiter per destination, keyed by task id).
///
/// Distribute events wait for their outcome only when a destination wants distribute tasks' outcomes
/// (InfluxDB's `distributeTaskFailure|Success`), and then in their own bounded pool
/// (`maxDistributePolls`, one poll per task), never in the caller: `dispatch` returns at once.
public final class ReloadEventDispatcher: Sendable {
    let destinations: [any ReloadEventDestination]
    let enricher: ReloadEventEnricher
    let clock: any WallClock
    let logger: Logger
    /// Last delivery per destination index, kind and task.
    private let lastSent = Mutex<[String: Date]>([:])
    private let polls: DistributeOutcomePolls
    /// Whether some destination wants the outcome of distribute tasks (QRS `taskType` 3).
    let wantsDistributeOutcomes: Bool

    /// - Parameter maxDistributePolls: distribute tasks whose outcome is awaited at once (default 20).
    public init(destinations: [any ReloadEventDestination], enricher: ReloadEventEnricher, clock: any WallClock = SystemWallClock(),
                maxDistributePolls: Int = 20, logger: Logger) {
        self.destinations = destinations
        self.enricher = enricher
        self.clock = clock
        self.logger = logger
        polls = DistributeOutcomePolls(limit: max(1, maxDistributePolls), logger: logger)
        wantsDistributeOutcomes = destinations.contains { destination in
            [TaskEvent.Kind.success, .failed].contains { destination.accepts($0) && destination.accepts($0, taskType: 3) }
        }
    }

    /// Distribute tasks whose outcome is being awaited now.
    public var distributePollsRunning: Int { polls.running }

    /// Waits until the distribute polls running now have delivered (or given up).
    public func idle() async { await polls.idle() }

    /// Gives up every distribute poll (at shutdown).
    public func cancelDistributePolls() { polls.cancelAll() }

    /// Why an event reached none of the destinations that wanted it (its execution id is then released,
    /// so a resend is accepted).
    public struct Undelivered: Error, CustomStringConvertible {
        public let description: String
    }

    /// Delivers `event`; returns the names of the destinations it reached.
    /// - Throws: `Undelivered` when destinations wanted it and none was reached.
    @discardableResult
    public func dispatch(_ received: TaskEvent) async throws -> [String] {
        if received.kind == .engineReloadFailed {
            logger.warning("Engine reload failed: app \(received.appId ?? "") (\(received.appName)) on \(received.hostName): \(received.logMessage)")
            return []
        }
        if received.kind == .distribute {
            guard wantsDistributeOutcomes else {
                logger.debug("Distribute event for task \(received.taskId): no destination wants distribute outcomes; ignored")
                return []
            }
            polls.start(taskId: received.taskId) { [self] in
                guard let outcome = await enricher.distributeOutcome(of: received) else { return }
                var event = received
                event.kind = outcome
                do {
                    try await deliver(event)
                } catch {
                    logger.error("Distribute event for task \(received.taskId): \(error)")
                }
            }
            return []
        }
        return try await deliver(received)
    }

    /// Sends a Scheduler event whose kind is known to the destinations that want it.
    @discardableResult
    private func deliver(_ event: TaskEvent) async throws -> [String] {
        logger.info("Reload event: task \(event.taskId) (\(event.taskName)) \(event.kind.rawValue), execution \(event.executionId)")
        let wanted = destinations.enumerated().filter { $0.element.accepts(event.kind) }
        guard !wanted.isEmpty else { return [] }
        guard let alert = await enricher.enrich(event) else { return [] }
        let taskType = alert.task?.taskType ?? 0
        let kind = event.kind, taskId = event.taskId
        var attempted = 0
        let reached = await withTaskGroup(of: String?.self) { group in
            for (index, destination) in wanted where destination.accepts(event.kind, taskType: taskType) {
                guard allowed(index, destination, event) else {
                    logger.info("\(destination.name): rate limit, nothing sent for task \(event.taskId)")
                    continue
                }
                attempted += 1
                group.addTask { [logger] in
                    do {
                        try await destination.deliver(alert)
                        return destination.name
                    } catch {
                        logger.error("\(destination.name): \(kind.rawValue) event of task \(taskId) not delivered: \(error)")
                        return nil
                    }
                }
            }
            var reached: [String] = []
            for await name in group { if let name { reached.append(name) } }
            return reached.sorted()
        }
        if attempted > 0 && reached.isEmpty {
            throw Undelivered(description: "no destination could be reached for task \(event.taskId)")
        }
        return reached
    }

    private func allowed(_ index: Int, _ destination: any ReloadEventDestination, _ event: TaskEvent) -> Bool {
        guard let seconds = destination.rateLimitSeconds(for: event.kind) else { return true }
        let key = "\(index)|\(event.kind.rawValue)|\(event.taskId)"
        let now = clock.now
        return lastSent.withLock { sent in
            if let last = sent[key], now.timeIntervalSince(last) < Double(seconds) { return false }
            // Keys come from datagrams: forget those whose limit is over, so the map can't grow for ever.
            if sent.count >= 10_000 { sent = sent.filter { now.timeIntervalSince($0.value) < 86_400 } }
            if sent.count >= 10_000 { sent = [:] }
            sent[key] = now
            return true
        }
    }
}

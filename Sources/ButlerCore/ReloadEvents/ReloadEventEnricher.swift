import Foundation
import Logging

/// Looks up what QRS knows about a reload event (spec §7.3): task metadata, the last execution result,
/// the script log (up to 3 attempts, 2 s apart, as Butler), the app and its owner. A lookup that fails is
/// noted in `problems` and the alert goes on with what is known.
public struct ReloadEventEnricher: Sendable {
    let site: (any QlikSenseRepository)?
    let logger: Logger
    /// Pause between script-log attempts (Butler: 2 s).
    let retryPause: Duration

    /// How often a distribute task still running is looked at again, and for how long (Butler: 30 s, 6 h).
    let distributePoll: (interval: Duration, limit: Duration)
    /// The clock the distribute polling waits on (a manual clock in tests).
    let clock: any WallClock

    public init(site: (any QlikSenseRepository)?, logger: Logger, retryPause: Duration = .seconds(2),
                distributePoll: (interval: Duration, limit: Duration) = (.seconds(30), .seconds(6 * 3600)),
                clock: any WallClock = SystemWallClock()) {
        self.site = site
        self.logger = logger
        self.retryPause = retryPause
        self.distributePoll = distributePoll
        self.clock = clock
    }

    /// A distribute event's real outcome (spec §7.3): the task's last execution status from QRS, looked at
    /// again every `distributePoll.interval` while it is intermediate (1–5, 10, 13, 14), for at most
    /// `distributePoll.limit`. 7 → success; 6, 8, 11 → failed; nil when QRS can't tell (logged) or the
    /// task is cancelled. The waits are on `clock`.
    public func distributeOutcome(of event: TaskEvent) async -> TaskEvent.Kind? {
        guard let site else {
            logger.warning("Distribute event for task \(event.taskId): no Qlik Sense connection to read its outcome")
            return nil
        }
        func seconds(_ duration: Duration) -> TimeInterval {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        let deadline = clock.now.addingTimeInterval(seconds(distributePoll.limit))
        while true {
            let status: Int?
            do {
                status = try await site.taskDetails(id: event.taskId).flatMap { ExecutionDetails(lastExecutionIn: $0.raw)?.status }
            } catch {
                logger.error("Distribute event for task \(event.taskId): \(error)")
                return nil
            }
            switch status {
            case 7?: return .success
            case 6?, 8?, 11?: return .failed
            case let intermediate? where [1, 2, 3, 4, 5, 10, 13, 14].contains(intermediate) && clock.now < deadline:
                do {
                    try await clock.sleep(until: clock.now.addingTimeInterval(seconds(distributePoll.interval)))
                } catch {
                    return nil
                }
            default:
                logger.warning("Distribute event for task \(event.taskId): status \(status.map(String.init) ?? "unknown"), nothing sent")
                return nil
            }
        }
    }

    /// The alert for `event`, or nil when QRS answers that the task doesn't exist (as Butler, spec §7.3
    /// step 1: the event is dropped and logged).
    public func enrich(_ event: TaskEvent) async -> ReloadAlert? {
        var alert = ReloadAlert(event: event)
        guard let site else {
            alert.problems.append("no Qlik Sense connection: task, app and script log not looked up")
            return alert
        }
        guard event.kind != .engineReloadFailed else { return alert }
        do {
            guard let task = try await site.taskDetails(id: event.taskId) else {
                logger.warning("Reload event for task \(event.taskId), which QRS doesn't know: ignored")
                return nil
            }
            alert.task = task
        } catch {
            alert.problems.append("task metadata: \(error)")
        }
        if event.kind == .failed || event.kind == .aborted {
            // Reload tasks: the run and its script log from reloadtask/{id}, with retries. Other task types:
            // the run that task/full already holds (they have no script log).
            if let task = alert.task, task.taskType != 0 {
                alert.execution = ExecutionDetails(lastExecutionIn: task.raw)
            } else {
                for attempt in 1...3 {
                    do {
                        alert.execution = try await site.lastExecution(taskId: event.taskId)
                        if let execution = alert.execution, execution.fileReferenceId != "00000000-0000-0000-0000-000000000000" {
                            alert.scriptLog = try await site.scriptLog(taskId: event.taskId, execution: execution)
                        }
                        break
                    } catch {
                        guard attempt < 3 else {
                            alert.problems.append("execution result and script log: \(error)")
                            break
                        }
                        try? await Task.sleep(for: retryPause)
                    }
                }
            }
        }
        if event.kind == .success, alert.task?.taskType ?? 0 == 0 {
            alert.execution = try? await site.lastExecution(taskId: event.taskId)
        }
        if let appId = event.appId {
            do {
                alert.app = try await site.appDetails(id: appId)
                alert.owner = try await site.appOwner(appId: appId)
            } catch {
                alert.problems.append("app and owner: \(error)")
            }
        }
        if !alert.problems.isEmpty {
            logger.warning("Reload event of task \(event.taskId): sent with what is known; \(alert.problems.joined(separator: "; "))")
        }
        return alert
    }
}

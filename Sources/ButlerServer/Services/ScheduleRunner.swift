import ButlerCore
import Foundation
import Logging
import ServiceLifecycle

/// Fires schedules when they are due: sleeps until the scheduler's next due time (or until a schedule
/// changes), then lets the scheduler start the due tasks. No polling: an idle scheduler sleeps until its
/// next run, however far away.
struct ScheduleRunner: Service {
    let scheduler: Scheduler
    let clock: any WallClock
    let logger: Logger

    func run() async throws {
        let (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await scheduler.onChange { wake.yield() }
        wake.yield()
        await cancelWhenGracefulShutdown {
            var timer: Task<Void, Never>?
            defer { timer?.cancel() }
            for await _ in wakeUps {
                // The starts run on their own, so a slow QRS never delays the next schedule.
                let due = await scheduler.takeDue()
                if !due.isEmpty {
                    let now = clock.now
                    Task { await scheduler.record(await scheduler.start(due, at: now)) }
                }
                timer?.cancel()
                timer = nil
                guard let due = await scheduler.nextDue() else { continue }
                timer = Task { [clock] in
                    let wait = max(0, due.timeIntervalSince(clock.now))
                    try? await Task.sleep(for: .milliseconds(Int64((wait * 1000).rounded(.up))))
                    if !Task.isCancelled { wake.yield() }
                }
            }
        }
    }
}

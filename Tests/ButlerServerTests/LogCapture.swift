import ButlerServer
import Foundation
import Logging
import Synchronization

/// Every log line Butler writes, at every level (`trace`, Butler's `silly`), with its metadata, for tests
/// that search the log; and a wait for a line, bounded in time. `logger()` records every event with its
/// source and error; `butlerLogger(level:)` records the lines Butler's own log handler writes (escaping
/// included), as an operator sees them.
final class LogCapture: LogSink {
    private struct State {
        var lines: [String] = []
        var waiters: [Int: (text: String, count: Int, wake: CheckedContinuation<Bool, Never>)] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    var lines: [String] { state.withLock { $0.lines } }

    /// A logger at level `trace` writing here.
    func logger(label: String = "butler-test") -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    /// A logger at `level` that writes through `ButlerLogHandler` into this capture.
    func butlerLogger(level: Logger.Level = .trace) -> Logger {
        Logger(label: "butler-test") { _ in ButlerLogHandler(logLevel: level, sinks: [self]) }
    }

    func write(_ line: String, at date: Date) {
        append(line)
    }

    /// The lines that contain `text`.
    func lines(containing text: String) -> [String] { lines.filter { $0.contains(text) } }

    func append(_ line: String) {
        let due = state.withLock { state in
            state.lines.append(line)
            let due = state.waiters.filter { waiter in state.lines.count(where: { $0.contains(waiter.value.text) }) >= waiter.value.count }
            for key in due.keys { state.waiters.removeValue(forKey: key) }
            return due.values.map(\.wake)
        }
        for wake in due { wake.resume(returning: true) }
    }

    /// true once `count` lines contain `text`; false when that takes longer than `seconds`.
    func wait(for text: String, count: Int = 1, within seconds: Int) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.reached(text, count) }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    private func reached(_ text: String, _ count: Int) async -> Bool {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (wake: CheckedContinuation<Bool, Never>) in
                let answer: Bool? = state.withLock { state in
                    if state.lines.count(where: { $0.contains(text) }) >= count { return true }
                    if Task.isCancelled { return false }
                    state.waiters[id] = (text, count, wake)
                    return nil
                }
                if let answer { wake.resume(returning: answer) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.wake.resume(returning: false)
        }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            if let extra = event.metadata { merged.merge(extra) { $1 } }
            capture.append("\(event.level) [\(event.source)] \(event.message) \(merged.sorted { $0.key < $1.key }.map { "\($0)=\($1)" })\(event.error.map { " error=\($0)" } ?? "")")
        }
    }
}

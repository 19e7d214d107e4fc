import ButlerServer
import Foundation
import Logging
import Synchronization

/// Every line Butler's log handler writes, kept in memory, so tests can read what an operator would see
/// (at any level, `silly` included).
final class CapturedLog: LogSink {
    private let lines = Mutex<[String]>([])

    /// A logger at `level` that writes through `ButlerLogHandler` (with its escaping) into this capture.
    func logger(level: Logger.Level = .trace) -> Logger {
        Logger(label: "butler-test") { _ in ButlerLogHandler(logLevel: level, sinks: [self]) }
    }

    func write(_ line: String, at date: Date) {
        lines.withLock { $0.append(line) }
    }

    /// The lines so far, each with its newline.
    var all: [String] { lines.withLock { $0 } }

    /// The lines that contain `text`.
    func lines(containing text: String) -> [String] { all.filter { $0.contains(text) } }
}

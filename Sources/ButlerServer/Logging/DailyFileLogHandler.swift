import Foundation
import Logging
import Synchronization

/// A swift-log handler that appends to one file per day, `<directory>/butler.YYYY-MM-DD.log` (UTC
/// date), as Butler's `fileLogging: true` does. Lines look like the console's:
/// `2026-11-29T10:15:00.123Z info: message`.
public struct DailyFileLogHandler: LogHandler {
    /// The open file, shared by every logger that writes to the same directory.
    public final class Writer: Sendable {
        private struct State {
            var day = ""
            var handle: FileHandle?
        }

        let directory: String
        private let state = Mutex(State())

        /// - Parameter directory: created if missing.
        public init(directory: String) throws {
            self.directory = directory
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }

        func write(_ line: String, at date: Date) {
            let day = String(Self.timestamp(date).prefix(10))
            state.withLock { state in
                if state.day != day || state.handle == nil {
                    try? state.handle?.close()
                    let path = (directory as NSString).appendingPathComponent("butler.\(day).log")
                    if !FileManager.default.fileExists(atPath: path) {
                        _ = FileManager.default.createFile(atPath: path, contents: nil)
                    }
                    state.handle = FileHandle(forWritingAtPath: path)
                    _ = try? state.handle?.seekToEnd()
                    state.day = day
                }
                try? state.handle?.write(contentsOf: Data(line.utf8))
            }
        }

        static func timestamp(_ date: Date) -> String {
            date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        }
    }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let label: String
    let writer: Writer

    public init(label: String, writer: Writer, logLevel: Logger.Level) {
        self.label = label
        self.writer = writer
        self.logLevel = logLevel
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let now = Date()
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let meta = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ")
        writer.write("\(Writer.timestamp(now)) \(event.level.butlerName):\(meta) \(event.message)\n", at: now)
    }
}

extension Logger.Level {
    /// Butler's name for the level, as in its log lines.
    var butlerName: String {
        switch self {
        case .trace: "silly"
        case .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error, .critical: "error"
        }
    }
}

import Foundation
import Logging

/// Butler's swift-log handler: one line per message, `2026-11-29T10:15:00.123Z info: message`, written
/// to every sink (the console, and daily files when `Butler.fileLogging` is on). Control characters in
/// the message and metadata are escaped (`LogText`).
///
/// Metadata is formatted only when a line is written: Hummingbird sets a request id on every request's
/// logger, and swift-log's `StreamLogHandler` re-formats its metadata on every such change.
public struct ButlerLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let sinks: [any LogSink]

    public init(logLevel: Logger.Level, sinks: [any LogSink]) {
        self.logLevel = logLevel
        self.sinks = sinks
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let now = Date()
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let details = merged.isEmpty ? "" : " [" + merged.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ") + "]"
        // One record, one line: request data in the message or metadata can't start a line of its own.
        let line = "\(LogTimestamp.string(now)) \(event.level.butlerName): \(LogText.escaped("\(event.message)\(details)"))\n"
        for sink in sinks { sink.write(line, at: now) }
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

/// ISO 8601 timestamps in UTC with milliseconds, as in Butler's log lines.
enum LogTimestamp {
    static func string(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

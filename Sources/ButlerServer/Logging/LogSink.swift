import ButlerCore
import Foundation
import Synchronization

/// Where `ButlerLogHandler` writes finished lines.
public protocol LogSink: Sendable {
    /// Writes one line (with its newline); `date` is the instant it was logged.
    func write(_ line: String, at date: Date)
}

/// Standard output, one whole line at a time.
public final class ConsoleLogSink: LogSink {
    private let lock = Mutex(())

    public init() {}

    public func write(_ line: String, at date: Date) {
        lock.withLock { _ in FileHandle.standardOutput.write(Data(line.utf8)) }
    }
}

/// Daily log files, `<directory>/butler.YYYY-MM-DD.log` (UTC date), as Butler's `fileLogging: true`.
/// The file of the day is opened on its first line and kept open until the date changes. New files and
/// the folder are readable by their owner only (0600/0700).
public final class DailyFileLogSink: LogSink {
    private struct State {
        var day = ""
        var handle: FileHandle?
    }

    let directory: String
    private let state = Mutex(State())

    /// - Parameter directory: created if missing.
    /// - Throws: when the directory can't be created.
    public init(directory: String) throws {
        self.directory = directory
        try OwnerOnlyFiles.createDirectories(atPath: directory)
    }

    public func write(_ line: String, at date: Date) {
        let day = String(LogTimestamp.string(date).prefix(10))
        state.withLock { state in
            if state.day != day || state.handle == nil {
                try? state.handle?.close()
                let path = (directory as NSString).appendingPathComponent("butler.\(day).log")
                _ = try? OwnerOnlyFiles.createFile(atPath: path)
                state.handle = FileHandle(forWritingAtPath: path)
                _ = try? state.handle?.seekToEnd()
                state.day = day
            }
            try? state.handle?.write(contentsOf: Data(line.utf8))
        }
    }
}

import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps the script log of every failed reload on disk (`Butler.scriptLog.storeOnDisk.clientManaged
/// .reloadTaskFailure`), at Butler's path: `<logDirectory>/<YYYY-MM-DD>/<YYYY-MM-DD_HH-MM-SS>_appId=<id>_taskId=<id>.log`,
/// the whole log joined with `\n`. The date is the time Butler handles the event, in UTC. The file is
/// written to a temporary name and renamed, so a crash never leaves half a log.
///
/// Beyond Butler (issue 12, items 7 and 8): at most one log per task every `minIntervalPerTaskSeconds`
/// (through the dispatcher's per-task rate limit), the folder capped at `maxTotalBytes` (a log that would
/// pass the cap is not stored, and that is reported; nothing already stored is deleted), folders created
/// with mode 0700 and files with 0600, from creation, because script logs can hold connection strings.
public final class ScriptLogArchive: ReloadEventDestination {
    let directory: String
    let clock: any WallClock
    let maxTotalBytes: Int64
    let minIntervalPerTaskSeconds: Int
    /// Bytes in the folder: measured on first use, then counted; measured again before refusing a log.
    private let storedBytes = Mutex<Int64?>(nil)

    /// - Parameters:
    ///   - directory: `logDirectory`; created (mode 0700) on first use if missing.
    ///   - maxTotalBytes: the folder's cap in bytes (`maxTotalSizeMB` × 1,048,576).
    ///   - minIntervalPerTaskSeconds: least seconds between two stored logs of one task (0: no limit).
    public init(directory: String, maxTotalBytes: Int64 = 1024 * 1_048_576, minIntervalPerTaskSeconds: Int = 60,
                clock: any WallClock = SystemWallClock()) {
        self.directory = directory
        self.maxTotalBytes = maxTotalBytes
        self.minIntervalPerTaskSeconds = minIntervalPerTaskSeconds
        self.clock = clock
    }

    /// The archive `Butler.scriptLog` describes, in `directory` (its `failedReloadDirectory`).
    public convenience init(config: ScriptLogConfig, directory: String, clock: any WallClock = SystemWallClock()) {
        self.init(directory: directory, maxTotalBytes: config.maxTotalBytes, minIntervalPerTaskSeconds: config.minIntervalPerTaskSeconds, clock: clock)
    }

    public var name: String { "script log folder" }
    public func accepts(_ kind: TaskEvent.Kind) -> Bool { kind == .failed }
    public func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int? { minIntervalPerTaskSeconds > 0 ? minIntervalPerTaskSeconds : nil }

    /// - Throws: `ButlerError.failed` when there is no script log, the folder is full, or the file can't be
    ///   written.
    public func deliver(_ alert: ReloadAlert) async throws {
        guard let log = alert.scriptLog else { throw ButlerError.failed("no script log to store (\(alert.problems.joined(separator: "; ")))") }
        let data = Data(log.lines.joined(separator: "\n").utf8)
        try reserve(Int64(data.count))
        let url = fileURL(for: alert.event, at: clock.now)
        do {
            try Self.createPrivateDirectories(url.deletingLastPathComponent().path)
            try FileSystem.writeAtomically(data, to: url.path)
        } catch {
            storedBytes.withLock { $0 = $0.map { $0 - Int64(data.count) } }
            throw ButlerError.failed("script log could not be written to \(url.path): \(error)")
        }
    }

    /// Counts `size` bytes against the cap.
    /// - Throws: `ButlerError.failed` when they don't fit, even after measuring the folder again (an
    ///   administrator may have removed old logs).
    private func reserve(_ size: Int64) throws {
        let fits = storedBytes.withLock { stored -> Bool in
            var total = stored ?? measure()
            if total + size > maxTotalBytes { total = measure() }
            stored = total
            guard total + size <= maxTotalBytes else { return false }
            stored = total + size
            return true
        }
        guard fits else {
            let megabytes = maxTotalBytes / 1_048_576
            throw ButlerError.failed("script log not stored: \(directory) has reached scriptLog maxTotalSizeMB (\(megabytes) MB)")
        }
    }

    /// The size of the regular files under the folder, in bytes.
    func measure() -> Int64 {
        guard let walk = FileManager.default.enumerator(
            at: URL(fileURLWithPath: directory), includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey])
        else { return 0 }
        var total: Int64 = 0
        for case let file as URL in walk {
            guard let values = try? file.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]), values.isRegularFile == true else { continue }
            total += Int64(values.fileSize ?? 0)
        }
        return total
    }

    /// Creates `path` and its missing parents with mode 0700 (from creation: `mkdir(2)` with that mode).
    /// - Throws: `ButlerError.failed` naming the folder that can't be created.
    static func createPrivateDirectories(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return }
        var current = path.hasPrefix("/") ? "" : "."
        for name in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + name
            if mkdir(current, 0o700) != 0 {
                let code = errno
                var exists: ObjCBool = false
                guard code == EEXIST, FileManager.default.fileExists(atPath: current, isDirectory: &exists), exists.boolValue else {
                    throw ButlerError.failed("cannot create the folder \(current): \(String(cString: strerror(code)))")
                }
            }
        }
    }

    func fileURL(for event: TaskEvent, at date: Date) -> URL {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        let day = formatter.string(from: date)
        formatter.dateFormat = "yyyy-MM-dd_HH-mm-ss"
        let name = "\(formatter.string(from: date))_appId=\(event.appId ?? "")_taskId=\(event.taskId).log"
        return URL(fileURLWithPath: directory).appendingPathComponent(day).appendingPathComponent(name)
    }
}

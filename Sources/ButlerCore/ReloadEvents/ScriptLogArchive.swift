import Foundation

/// Keeps the script log of every failed reload on disk (`Butler.scriptLog.storeOnDisk.clientManaged
/// .reloadTaskFailure`), at Butler's path: `<logDirectory>/<YYYY-MM-DD>/<YYYY-MM-DD_HH-MM-SS>_appId=<id>_taskId=<id>.log`,
/// the whole log joined with `\n`. The date is the time Butler handles the event, in UTC. The file is
/// written to a temporary name and renamed, so a crash never leaves half a log.
public struct ScriptLogArchive: ReloadEventDestination {
    let directory: String
    let clock: any WallClock

    public init(directory: String, clock: any WallClock = SystemWallClock()) {
        self.directory = directory
        self.clock = clock
    }

    public var name: String { "script log folder" }
    public func accepts(_ kind: TaskEvent.Kind) -> Bool { kind == .failed }
    public func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int? { nil }

    /// - Throws: `ButlerError.failed` when there is no script log, or the file can't be written.
    public func deliver(_ alert: ReloadAlert) async throws {
        guard let log = alert.scriptLog else { throw ButlerError.failed("no script log to store (\(alert.problems.joined(separator: "; ")))") }
        let url = fileURL(for: alert.event, at: clock.now)
        do {
            try FileSystem.writeAtomically(Data(log.lines.joined(separator: "\n").utf8), to: url.path)
        } catch {
            throw ButlerError.failed("script log could not be written to \(url.path): \(error)")
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

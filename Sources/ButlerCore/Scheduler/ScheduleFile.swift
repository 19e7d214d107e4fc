import Foundation
import Yams

/// Butler's schedule file (`Butler.scheduler.configfile`): YAML with a `butlerSchedule:` list of schedule
/// objects, read at start-up and rewritten whole on every change.
///
/// Writes are atomic: a temporary file in the same folder is written and fsynced, then renamed over the
/// old file, and the folder is fsynced, so a crash leaves either the old or the new file, never a torn one.
public struct ScheduleFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The entries of the file, as JSON objects; an absent file has none.
    /// - Throws: `ButlerError.failed` naming the file when it can't be read or isn't a schedule file.
    public func read() throws -> [JSONValue] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
            let document = try YAMLDecoder().decode([String: JSONValue].self, from: text)
            switch document["butlerSchedule"] {
            case .array(let entries)?: return entries
            case nil, .null?: return []
            default: throw ButlerError.failed("butlerSchedule must be a list")
            }
        } catch let error as ButlerError {
            throw ButlerError.failed("Schedule file \(path): \(error.message)")
        } catch {
            throw ButlerError.failed("Schedule file \(path) could not be read: \(error)")
        }
    }

    /// Replaces the file with `schedules` (atomically, see the type's summary).
    /// - Throws: `ButlerError.failed` naming the file when it can't be written.
    public func write(_ schedules: [Schedule]) throws {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        encoder.options.allowUnicode = true
        let text: String
        do {
            text = try encoder.encode(["butlerSchedule": schedules.map { $0.json() }])
        } catch {
            throw ButlerError.failed("Schedules could not be encoded: \(error)")
        }
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/.\(url.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
                throw ButlerError.failed("cannot create \(temporary)")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.write(contentsOf: Data(text.utf8))
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path) == 0 else { throw ButlerError.failed(String(cString: strerror(errno))) }
            let directory = open(folder, O_RDONLY)
            if directory >= 0 {
                fsync(directory)
                close(directory)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ButlerError.failed("Schedule file \(path) could not be written: \(error)")
        }
    }
}

import Foundation
import Yams

/// Butler's schedule file (`Butler.scheduler.configfile`): YAML with a `butlerSchedule:` list of schedule
/// objects, read at start-up and rewritten whole on every change.
///
/// The file is written in YAML block style with every value as a JSON scalar or flow collection (JSON is
/// YAML, so Butler and any YAML reader load it): the values are escaped by Foundation's JSON encoder, and
/// 10,000 schedules are written in milliseconds with little memory (Yams's encoder builds a node tree of the
/// whole file, which took ~185 MB for 10,000 schedules).
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

    /// The file's text: `butlerSchedule:` and one block mapping per schedule, keys sorted.
    static func yaml(_ schedules: [Schedule]) -> String {
        var text = schedules.isEmpty ? "butlerSchedule: []\n" : "butlerSchedule:\n"
        for schedule in schedules {
            guard case .object(let fields) = schedule.json() else { continue }
            var first = true
            for key in fields.keys.sorted() {
                let plainKey = !key.isEmpty && key.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "_" }
                text += (first ? "  - " : "    ") + (plainKey ? key : JSONValue.string(key).jsonText) + ": " + fields[key]!.jsonText + "\n"
                first = false
            }
        }
        return text
    }

    /// Replaces the file with `schedules` (atomically, see the type's summary).
    /// - Throws: `ButlerError.failed` naming the file when it can't be written.
    public func write(_ schedules: [Schedule]) throws {
        do {
            try FileSystem.writeAtomically(Data(Self.yaml(schedules).utf8), to: path)
        } catch {
            throw ButlerError.failed("Schedule file \(path) could not be written: \(error)")
        }
    }
}

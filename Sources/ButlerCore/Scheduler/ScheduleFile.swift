import Foundation
import Yams

/// Butler's schedule file (`Butler.scheduler.configfile`): YAML with a `butlerSchedule:` list of schedule
/// objects, read at start-up and rewritten whole on every change.
///
/// The file is written in YAML block style with every value in flow style and every string double-quoted
/// with YAML escapes (see `ScheduleFile+YAML`), so any string a route accepted reads back exactly, by
/// Butler's js-yaml too; 10,000 schedules are written in milliseconds with little memory (Yams's encoder
/// builds a node tree of the whole file, which took ~185 MB for 10,000 schedules).
///
/// Writes are atomic: a temporary file in the same folder is written and fsynced, then renamed over the
/// old file, and the folder is fsynced, so a crash leaves either the old or the new file, never a torn one.
/// The file is created readable by its owner only (0600).
public struct ScheduleFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// What reading the file found: its entries (with the line each starts on) and what could not be read.
    public struct Contents: Sendable {
        /// Readable entries, as JSON objects, with their 1-based line.
        public var entries: [(line: Int, value: JSONValue)] = []
        /// One line per entry (or for the whole file) that could not be read, naming its position.
        public var problems: [String] = []
    }

    /// Reads the file; an absent or empty file has no entries. An entry that isn't readable YAML, and a
    /// file that isn't a schedule file at all, are reported in `problems`, never thrown: the caller sets
    /// the original aside (`setAside`) and carries on with what could be read.
    /// - Throws: `ButlerError.failed` only when the file exists but can't be opened.
    public func read() throws -> Contents {
        guard FileManager.default.fileExists(atPath: path) else { return Contents() }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ButlerError.failed("Schedule file \(path) could not be read: \(error.localizedDescription)")
        }
        var contents = Contents()
        let text: String
        if let valid = String(data: data, encoding: .utf8) {
            text = valid
        } else {
            text = String(decoding: data, as: UTF8.self)
            contents.problems.append("the file is not valid UTF-8 (invalid bytes read as U+FFFD)")
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return contents }
        do {
            for entry in try Self.entries(of: text) {
                switch entry.value {
                case .success(let value): contents.entries.append((entry.line, value))
                case .failure(let error): contents.problems.append("entry at line \(entry.line): \(error.message)")
                }
            }
        } catch {
            contents.problems.append("the whole file: \((error as? ButlerError)?.message ?? "\(error)")")
        }
        return contents
    }

    /// Copies the file, as it is, to `<file>.unreadable-<UTC timestamp>` next to it (owner-only), before
    /// a start-up rewrite drops what could not be read; returns the copy's path.
    /// - Throws: `ButlerError.failed` when the copy can't be made (the caller then doesn't rewrite).
    public func setAside(at date: Date) throws -> String {
        let stamp = date.formatted(
            Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .standard, timeSeparator: .omitted, timeZone: .gmt))
        var copy = "\(path).unreadable-\(stamp)"
        var number = 1
        while FileManager.default.fileExists(atPath: copy) {
            number += 1
            copy = "\(path).unreadable-\(stamp)-\(number)"
        }
        do {
            try FileSystem.writeAtomically(try Data(contentsOf: URL(fileURLWithPath: path)), to: copy)
        } catch {
            throw ButlerError.failed("Schedule file \(path) could not be set aside to \(copy): \(error)")
        }
        return copy
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

import Foundation
import Yams

/// The schedule file's YAML: how values are written so that libyaml (Yams) reads back exactly what was
/// written, whatever characters a request put in them, and how entries are read one by one.
///
/// libyaml refuses raw C0 controls (except tab, LF, CR), DEL, C1 controls (except NEL), U+FFFE and U+FFFF
/// anywhere in a stream, and treats raw NEL, U+2028 and U+2029 as line breaks (folded inside quoted
/// scalars), so none of them is written raw: every string is a YAML double-quoted scalar with those
/// characters as `\xNN` / `\uNNNN` escapes. JSON text is not used for strings: JSON leaves DEL, C1 and
/// U+2028/2029 raw. Keys longer than `longKey` characters are written as explicit keys (`? key`), as
/// libyaml allows at most 1024 characters between a simple key's start and its `:`.
extension ScheduleFile {
    /// Keys longer than this (encoded) are written in the explicit `? key` form.
    static let longKey = 200

    /// A YAML double-quoted scalar holding exactly `text`.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x0D: out += "\\r"
            case 0x20...0x7E: out.unicodeScalars.append(scalar)
            case 0x00...0x1F, 0x7F...0x9F: out += "\\x" + hex(scalar.value, width: 2)
            // Line and paragraph separators, BOM, and the two non-characters libyaml refuses.
            case 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF: out += "\\u" + hex(scalar.value, width: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// A value in YAML flow style: strings quoted, numbers as JSON numbers, `{"k": v}`, `["a", "b"]`.
    static func flow(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number):
            guard number.isFinite else { return "null" }
            // `1.0e+300`, not `1e+300`: YAML 1.1 readers (PyYAML, libyaml's users) need the dot to see a float.
            let text = JSONValue.text(of: number)
            guard let e = text.firstIndex(of: "e"), !text[..<e].contains(".") else { return text }
            return text[..<e] + ".0" + text[e...]
        case .string(let text): return quoted(text)
        case .array(let items): return "[" + items.map(flow).joined(separator: ", ") + "]"
        case .object(let fields):
            let pairs = fields.keys.sorted().map { key -> String in
                let name = quoted(key)
                return (name.count > longKey ? "? " + name + " " : name) + ": " + flow(fields[key]!)
            }
            return "{" + pairs.joined(separator: ", ") + "}"
        }
    }

    /// A block-mapping key: bare when it is a plain identifier (as Butler wrote them), else quoted.
    static func blockKey(_ key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") }
            && !["y", "n", "yes", "no", "on", "off", "true", "false", "null"].contains(key.lowercased())
        return plain ? key : quoted(key)
    }

    /// The file's text: `butlerSchedule:` and one block mapping per schedule, keys sorted.
    static func yaml(_ schedules: [Schedule]) -> String {
        var text = schedules.isEmpty ? "butlerSchedule: []\n" : "butlerSchedule:\n"
        for schedule in schedules {
            guard case .object(let fields) = schedule.json() else { continue }
            var first = true
            for key in fields.keys.sorted() {
                let lead = first ? "  - " : "    "
                let name = blockKey(key)
                if name.count > longKey {
                    text += lead + "? " + name + "\n    : " + flow(fields[key]!) + "\n"
                } else {
                    text += lead + name + ": " + flow(fields[key]!) + "\n"
                }
                first = false
            }
        }
        return text
    }

    // MARK: Reading

    /// One entry as read, with the (1-based) line it starts on.
    struct Entry {
        var line: Int
        var value: Result<JSONValue, ButlerError>
    }

    /// The entries of a schedule file's text. The whole text is parsed first; when that fails, each
    /// list item is parsed alone, so one unreadable entry costs only itself.
    /// - Throws: `ButlerError.failed` when the text is not a schedule file at all (no readable
    ///   `butlerSchedule:` list).
    static func entries(of text: String) throws -> [Entry] {
        do {
            guard let root = try Yams.compose(yaml: text) else { return [] }
            guard case .mapping(let mapping) = root else { throw ButlerError.failed("the file is not a YAML mapping") }
            guard let list = mapping.first(where: { $0.key.scalar?.string == "butlerSchedule" })?.value else { return [] }
            switch list {
            case .sequence(let items):
                return items.map { item in
                    Entry(line: item.mark?.line ?? 0, value: Result { try json(item) }.mapError(asButlerError))
                }
            case .scalar where list.tag.description == Tag.Name.null.rawValue: return []
            default: throw ButlerError.failed("butlerSchedule must be a list")
            }
        } catch let error as ButlerError {
            throw error
        } catch {
            return try entriesOneByOne(text, wholeFileError: describe(error))
        }
    }

    /// Splits the `butlerSchedule:` list into its items by indentation and parses each alone.
    private static func entriesOneByOne(_ text: String, wholeFileError: String) throws -> [Entry] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        func isBlank(_ line: String) -> Bool {
            let body = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{FEFF}" }
            return body.isEmpty || body.hasPrefix("#")
        }
        func isItem(_ line: String, at column: Int) -> Bool {
            let rest = line.dropFirst(column)
            return indent(line) == column && rest.hasPrefix("-") && (rest.count == 1 || rest.dropFirst().first!.isWhitespace)
        }
        guard let header = lines.firstIndex(where: {
            $0.drop { $0 == "\u{FEFF}" }.hasPrefix("butlerSchedule:") && $0.drop { $0 == "\u{FEFF}" }.dropFirst(15).allSatisfy(\.isWhitespace)
        }), let firstItem = lines[(header + 1)...].firstIndex(where: { !isBlank($0) }), isItem(lines[firstItem], at: indent(lines[firstItem])) else {
            throw ButlerError.failed("the file can't be read as YAML (\(wholeFileError)) and has no butlerSchedule list to read entry by entry")
        }
        let column = indent(lines[firstItem])
        var starts: [Int] = []
        var end = lines.count
        for index in firstItem..<lines.count where !isBlank(lines[index]) {
            if isItem(lines[index], at: column) {
                starts.append(index)
            } else if indent(lines[index]) <= column, lines[index].dropFirst(indent(lines[index])).first != "\t" {
                end = index
                break
            }
        }
        return starts.enumerated().map { number, start in
            let stop = number + 1 < starts.count ? starts[number + 1] : end
            let chunk = "butlerSchedule:\n" + lines[start..<stop].joined(separator: "\n") + "\n"
            let value = Result {
                guard case .mapping(let mapping)? = try Yams.compose(yaml: chunk),
                      case .sequence(let items)? = mapping.first?.value, let item = items.first, items.count == 1 else {
                    throw ButlerError.failed("not one list item")
                }
                return try json(item)
            }.mapError { error in
                // Positions in the chunk are one line off (the header added above) from the file's.
                ButlerError.failed(describe(error, lineOffset: start - 1))
            }
            return Entry(line: start + 1, value: value)
        }
    }

    /// A YAML node as JSON: quoted scalars are strings; plain ones follow YAML's null/bool/int/float rules,
    /// and anything that reads as a JSON number is a number (as js-yaml, under Butler, reads them).
    static func json(_ node: Node, depth: Int = 0) throws -> JSONValue {
        guard depth < 64 else { throw ButlerError.failed("nested more than 64 levels deep") }
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain || scalar.style == .any else { return .string(scalar.string) }
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: return .null
            case .bool: return Bool.construct(from: scalar).map(JSONValue.bool) ?? .string(scalar.string)
            case .int, .float:
                if let number = Double.construct(from: scalar), number.isFinite { return .number(number) }
                if let number = Int.construct(from: scalar) { return .number(Double(number)) }
                return .string(scalar.string)
            default:
                if scalar.string.wholeMatch(of: #/-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/#) != nil,
                   let number = Double(scalar.string), number.isFinite {
                    return .number(number)
                }
                return .string(scalar.string)
            }
        case .sequence(let items):
            return .array(try items.map { try json($0, depth: depth + 1) })
        case .mapping(let mapping):
            var fields: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let name) = key else { throw ButlerError.failed("a key is not text") }
                fields[name.string] = try json(value, depth: depth + 1)
            }
            return .object(fields)
        case .alias:
            throw ButlerError.failed("unresolved alias")
        }
    }

    private static func asButlerError(_ error: any Error) -> ButlerError {
        error as? ButlerError ?? .failed(describe(error))
    }

    /// A short description of a Yams error: the problem and its line and column (not the file's text).
    static func describe(_ error: any Error, lineOffset: Int = 0) -> String {
        func at(_ mark: Mark) -> String { "line \(mark.line + lineOffset), column \(mark.column)" }
        switch error {
        case YamlError.reader(let problem, _, let value, _):
            return "\(problem) (U+\(hex(UInt32(bitPattern: value), width: 4)))"
        case YamlError.scanner(_, let problem, let mark, _), YamlError.parser(_, let problem, let mark, _),
             YamlError.composer(_, let problem, let mark, _):
            return "\(problem) at \(at(mark))"
        case YamlError.duplicatedKeysInMapping(let duplicates, _):
            return "duplicated keys \(duplicates.joined(separator: ", "))"
        case let error as ButlerError:
            return error.message
        default:
            return "\(error)"
        }
    }
}

/// A cron expression: 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first).
///
/// Syntax (Vixie cron, DESIGN Decisions 12): `*`, values, lists `1,15`, ranges `1-5`, steps `*/15`,
/// `10-50/5` and `5/15` (= 5 to the field's maximum, every 15); month names `JAN`–`DEC` and weekday names
/// `SUN`–`SAT` in any case; months 1–12; weekdays 0–7 with 0 and 7 both Sunday. When both day-of-month and
/// day-of-week are restricted, a day matches if either matches; a day field starting with `*` counts as
/// unrestricted. Butler's cron library numbered months 0–11 and refused weekday 7 (docs/compatibility.md).
public struct CronExpression: Equatable, Sendable, CustomStringConvertible {
    /// The fields, each the sorted list of values it allows.
    public let seconds: [Int]
    public let minutes: [Int]
    public let hours: [Int]
    public let daysOfMonth: [Int]
    public let months: [Int]
    /// 0 = Sunday … 6 = Saturday (7 is folded into 0).
    public let daysOfWeek: [Int]
    /// Whether the day-of-month / day-of-week fields restrict anything (they don't when they start with `*`).
    public let dayOfMonthRestricted: Bool
    public let dayOfWeekRestricted: Bool
    /// Whether the hour field starts with `*` (decides the fall-back rule, see `nextFire`).
    public let everyHour: Bool
    /// The text it was parsed from.
    public let description: String

    /// Why an expression was refused: the field and the token, e.g.
    /// `day-of-month: 32 is out of range 1–31 (in '0 0 32 * *')`.
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }

    struct Field {
        let name: String
        let range: ClosedRange<Int>
        let names: [String: Int]
    }

    static let monthNames = ["JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
                             "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12]
    static let dayNames = ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6]
    static let fields = [
        Field(name: "second", range: 0...59, names: [:]),
        Field(name: "minute", range: 0...59, names: [:]),
        Field(name: "hour", range: 0...23, names: [:]),
        Field(name: "day-of-month", range: 1...31, names: [:]),
        Field(name: "month", range: 1...12, names: monthNames),
        Field(name: "day-of-week", range: 0...7, names: dayNames),
    ]

    /// Parses an expression.
    /// - Throws: `ParseError` naming the field and the bad token, or the wrong number of fields.
    public init(_ text: String) throws {
        var parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count == 5 || parts.count == 6 else {
            throw ParseError(message: "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found \(parts.count) in '\(text)'")
        }
        if parts.count == 5 { parts.insert("0", at: 0) }
        var values: [[Int]] = []
        for (field, part) in zip(Self.fields, parts) {
            values.append(try Self.parse(part, field, in: text))
        }
        seconds = values[0]
        minutes = values[1]
        hours = values[2]
        daysOfMonth = values[3]
        months = values[4]
        daysOfWeek = Array(Set(values[5].map { $0 == 7 ? 0 : $0 })).sorted()
        dayOfMonthRestricted = !parts[3].hasPrefix("*")
        dayOfWeekRestricted = !parts[5].hasPrefix("*")
        everyHour = parts[2].hasPrefix("*")
        description = text
    }

    private static func parse(_ text: String, _ field: Field, in expression: String) throws -> [Int] {
        func fail(_ problem: String) -> ParseError {
            ParseError(message: "\(field.name): \(problem) (in '\(expression)')")
        }
        func value(_ token: Substring) throws -> Int {
            if let number = Int(token), token.allSatisfy(\.isASCII) {
                guard field.range.contains(number) else {
                    throw fail("\(token) is out of range \(field.range.lowerBound)–\(field.range.upperBound)")
                }
                return number
            }
            if let named = field.names[token.uppercased()] { return named }
            throw fail("'\(token)' is not a number\(field.names.isEmpty ? "" : " or a name")")
        }
        var result = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw fail("empty list item in '\(text)'") }
            let stepParts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2 else { throw fail("'\(item)' has more than one '/'") }
            var step = 1
            if stepParts.count == 2 {
                guard let parsed = Int(stepParts[1]), parsed > 0 else { throw fail("step '\(stepParts[1])' must be a positive number") }
                step = parsed
            }
            let base = stepParts[0]
            var lower: Int, upper: Int
            if base == "*" {
                (lower, upper) = (field.range.lowerBound, field.range.upperBound)
                if field.name == "day-of-week" { upper = 6 }
            } else if let dash = base.firstIndex(of: "-") {
                lower = try value(base[..<dash])
                upper = try value(base[base.index(after: dash)...])
                guard lower <= upper else { throw fail("range '\(base)' runs backwards") }
            } else {
                lower = try value(base)
                upper = stepParts.count == 2 ? (field.name == "day-of-week" ? 6 : field.range.upperBound) : lower
            }
            result.formUnion(stride(from: lower, through: upper, by: step))
        }
        return result.sorted()
    }
}

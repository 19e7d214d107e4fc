import ButlerCore
import Foundation
import Testing

/// Cron parsing and next-fire times (Vixie semantics, months 1–12, time zones, daylight saving).
struct CronExpressionTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let stockholm = TimeZone(identifier: "Europe/Stockholm")!
    static let newYork = TimeZone(identifier: "America/New_York")!

    static func date(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }
    static func iso(_ date: Date?) -> String? { date.map { $0.formatted(.iso8601) } }

    static func next(_ expression: String, _ from: String, _ zone: TimeZone = utc, count: Int = 1) throws -> [String] {
        let cron = try CronExpression(expression)
        var instant = date(from)
        var result: [String] = []
        for _ in 0..<count {
            guard let next = cron.nextFire(after: instant, in: zone) else { break }
            result.append(iso(next)!)
            instant = next
        }
        return result
    }

    // B28: months 1–12, day-of-week 7 is Sunday, names. Reference 2024-12-14T12:00Z (a Saturday).
    @Test(arguments: [
        ("0 0 1 1 *", "2025-01-01T00:00:00Z"),
        ("0 0 25 12 *", "2024-12-25T00:00:00Z"),
        ("0 0 * * 7", "2024-12-15T00:00:00Z"),
        ("0 0 * * 0", "2024-12-15T00:00:00Z"),
        ("0 0 1 JAN *", "2025-01-01T00:00:00Z"),
        ("0 0 * * mon-FRI", "2024-12-16T00:00:00Z"),
        ("0 0 29 2 *", "2028-02-29T00:00:00Z"),
        ("0 0 31 * *", "2024-12-31T00:00:00Z"),
        ("0 12 * * *", "2024-12-15T12:00:00Z"),
        ("*/30 * * * * *", "2024-12-14T12:00:30Z"),
        ("15 10-50/20 * * * *", "2024-12-14T12:10:15Z"),
        ("5/20 * * * *", "2024-12-14T12:05:00Z"),
        ("0 5/20 * * *", "2024-12-15T05:00:00Z"),
        ("0 0 13 * 5", "2024-12-20T00:00:00Z"),  // Friday the 20th comes before the 13th: either day matches
        ("0 0 */10 * 5", "2025-01-31T00:00:00Z"),  // a day field starting with `*`: both must match (Vixie)
        ("0 0 * 1 1", "2025-01-06T00:00:00Z"),
    ])
    func nextFireTimes(expression: String, expected: String) throws {
        #expect(try Self.next(expression, "2024-12-14T12:00:00Z") == [expected])
    }

    // The seed's example: 06:00 and 06:30 on weekdays.
    @Test func seedExampleWeekdayMornings() throws {
        #expect(try Self.next("0,30 6 * * 1-5", "2024-12-13T06:15:00Z", count: 4) == [
            "2024-12-13T06:30:00Z", "2024-12-16T06:00:00Z", "2024-12-16T06:30:00Z", "2024-12-17T06:00:00Z",
        ])
    }

    // B27: the schedule's zone counts: 06:00 Stockholm is 05:00Z in winter and 04:00Z in summer.
    @Test func timeZoneOfTheSchedule() throws {
        #expect(try Self.next("0 6 * * *", "2024-01-15T00:00:00Z", Self.stockholm) == ["2024-01-15T05:00:00Z"])
        #expect(try Self.next("0 6 * * *", "2024-07-15T00:00:00Z", Self.stockholm) == ["2024-07-15T04:00:00Z"])
    }

    // Spring forward (Stockholm 2024-03-31 02:00 → 03:00; New York 2024-03-10 02:00 → 03:00): a skipped
    // time fires when the clocks jump; later times are unaffected.
    @Test func springForward() throws {
        #expect(try Self.next("30 2 * * *", "2024-03-30T12:00:00Z", Self.stockholm, count: 2) == [
            "2024-03-31T01:00:00Z", "2024-04-01T00:30:00Z",
        ])
        #expect(try Self.next("*/30 * * * *", "2024-03-31T00:15:00Z", Self.stockholm, count: 4) == [
            "2024-03-31T00:30:00Z", "2024-03-31T01:00:00Z", "2024-03-31T01:30:00Z", "2024-03-31T02:00:00Z",
        ])
        #expect(try Self.next("30 2 * * *", "2024-03-09T12:00:00Z", Self.newYork, count: 2) == [
            "2024-03-10T07:00:00Z", "2024-03-11T06:30:00Z",
        ])
    }

    // Fall back (Stockholm 2024-10-27 03:00 → 02:00; New York 2024-11-03 02:00 → 01:00): a fixed time fires
    // once, at its first occurrence; an every-hour schedule fires in both passes.
    @Test func fallBack() throws {
        #expect(try Self.next("30 2 * * *", "2024-10-26T12:00:00Z", Self.stockholm, count: 2) == [
            "2024-10-27T00:30:00Z", "2024-10-28T01:30:00Z",
        ])
        #expect(try Self.next("30 * * * *", "2024-10-26T23:45:00Z", Self.stockholm, count: 3) == [
            "2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z", "2024-10-27T02:30:00Z",
        ])
        #expect(try Self.next("30 1 * * *", "2024-11-02T12:00:00Z", Self.newYork, count: 2) == [
            "2024-11-03T05:30:00Z", "2024-11-04T06:30:00Z",
        ])
    }

    @Test func neverFiring() throws {
        #expect(try CronExpression("0 0 30 2 *").nextFire(after: Self.date("2024-01-01T00:00:00Z"), in: Self.utc) == nil)
    }

    // B30 and the parser's messages: the field and the token.
    @Test(arguments: [
        ("0 0 32 * *", "day-of-month: 32 is out of range 1–31 (in '0 0 32 * *')"),
        ("* * * *", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found 4 in '* * * *'"),
        ("0 0 0 * * * *", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found 7 in '0 0 0 * * * *'"),
        ("0 0 * 13 *", "month: 13 is out of range 1–12 (in '0 0 * 13 *')"),
        ("0 0 * 0 *", "month: 0 is out of range 1–12 (in '0 0 * 0 *')"),
        ("0 0 * * 8", "day-of-week: 8 is out of range 0–7 (in '0 0 * * 8')"),
        ("*/0 * * * *", "minute: step '0' must be a positive number (in '*/0 * * * *')"),
        ("30-10 * * * *", "minute: range '30-10' runs backwards (in '30-10 * * * *')"),
        ("0 0 * FOO *", "month: 'FOO' is not a number or a name (in '0 0 * FOO *')"),
        ("0 0 L * *", "day-of-month: 'L' is not a number (in '0 0 L * *')"),
        ("0 0 ? * *", "day-of-month: '?' is not a number (in '0 0 ? * *')"),
        ("1,,2 * * * *", "minute: empty list item in '1,,2' (in '1,,2 * * * *')"),
    ])
    func parseErrors(expression: String, message: String) {
        #expect(throws: CronExpression.ParseError(message: message)) { try CronExpression(expression) }
    }
}

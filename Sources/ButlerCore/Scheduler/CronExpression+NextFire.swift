import Foundation

extension CronExpression {
    /// The first instant strictly after `instant` at which the expression fires in `timeZone`, or nil when
    /// it never fires (e.g. `0 0 30 2 *`, searched 8 years ahead).
    ///
    /// Daylight-saving rule (also in docs/compatibility.md):
    /// - **Spring forward** — a wall-clock time that doesn't exist that day fires once, at the instant the
    ///   clocks jump (e.g. 02:30 in Europe/Stockholm on the last Sunday of March fires at 03:00 CEST).
    /// - **Fall back** — a wall-clock time that occurs twice fires at its first occurrence only, unless the
    ///   hour field starts with `*` (an every-hour schedule), which fires in both passes of the repeated hour.
    public func nextFire(after instant: Date, in timeZone: TimeZone) -> Date? {
        // Start from the wall time under the smallest offset in effect around `instant`: after a fall-back
        // jump that is an hour earlier than the clock shows, so the second pass of a repeated hour is
        // searched too. Wall times whose instants are not after `instant` are skipped in the loop.
        let start = instant.addingTimeInterval(1)
        let offset = [-86_400.0, 0, 86_400].map { timeZone.secondsFromGMT(for: start.addingTimeInterval($0)) }.min()!
        var from = LocalTime(localSeconds: Int(start.timeIntervalSince1970.rounded(.down)) + offset)
        for _ in 0..<10_000 {
            guard let wall = nextWallTime(from: from) else { return nil }
            for candidate in wall.instants(in: timeZone, firstOnly: !everyHour) where candidate > instant {
                return candidate
            }
            from = wall.plusOneSecond()
        }
        return nil
    }

    /// The first local wall time ≥ `start` whose fields match (no time zone involved).
    func nextWallTime(from start: LocalTime) -> LocalTime? {
        var day = start.dayNumber
        var first = true
        for _ in 0..<(366 * 8) {
            let (year, month, dayOfMonth) = LocalTime.civil(fromDayNumber: day)
            if months.contains(month) && matchesDay(dayOfMonth: dayOfMonth, weekday: LocalTime.weekday(ofDayNumber: day)) {
                let floor = first ? (start.hour, start.minute, start.second) : (0, 0, 0)
                if let (h, m, s) = firstTime(atOrAfter: floor) {
                    return LocalTime(year: year, month: month, day: dayOfMonth, hour: h, minute: m, second: s)
                }
            }
            day += 1
            first = false
        }
        return nil
    }

    /// Vixie cron's day rule: both day fields restricted → either may match; otherwise both must (a field
    /// starting with `*` allows every day, or every day of its step, as `*/10`).
    func matchesDay(dayOfMonth: Int, weekday: Int) -> Bool {
        let byMonthDay = daysOfMonth.contains(dayOfMonth)
        let byWeekday = daysOfWeek.contains(weekday)
        return dayOfMonthRestricted && dayOfWeekRestricted ? byMonthDay || byWeekday : byMonthDay && byWeekday
    }

    /// The first (hour, minute, second) of the fields that is ≥ `floor`, within one day.
    private func firstTime(atOrAfter floor: (Int, Int, Int)) -> (Int, Int, Int)? {
        for hour in hours where hour >= floor.0 {
            let minuteFloor = hour == floor.0 ? floor.1 : 0
            for minute in minutes where minute >= minuteFloor {
                let secondFloor = hour == floor.0 && minute == floor.1 ? floor.2 : 0
                if let second = seconds.first(where: { $0 >= secondFloor }) { return (hour, minute, second) }
            }
        }
        return nil
    }
}

/// A wall-clock time (proleptic Gregorian calendar), without a time zone.
struct LocalTime: Equatable {
    var year, month, day, hour, minute, second: Int

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    /// The wall time `localSeconds` after 1970-01-01T00:00 (wall-clock seconds, as if UTC).
    init(localSeconds: Int) {
        let days = Int((Double(localSeconds) / 86_400).rounded(.down))
        let seconds = localSeconds - days * 86_400
        let (year, month, day) = Self.civil(fromDayNumber: days)
        self.init(year: year, month: month, day: day, hour: seconds / 3600, minute: seconds % 3600 / 60, second: seconds % 60)
    }

    var dayNumber: Int { Self.dayNumber(year: year, month: month, day: day) }

    /// Seconds since 1970-01-01T00:00 of this wall time read as if it were UTC.
    var secondsAsUTC: Int { dayNumber * 86_400 + hour * 3600 + minute * 60 + second }

    func plusOneSecond() -> LocalTime {
        LocalTime(localSeconds: secondsAsUTC + 1)
    }

    /// The instants at which this wall time occurs in `timeZone`, earliest first: one usually, two in a
    /// repeated hour (only the first when `firstOnly`), and for a time skipped by a spring-forward jump,
    /// the instant of the jump.
    func instants(in timeZone: TimeZone, firstOnly: Bool) -> [Date] {
        let asUTC = Double(secondsAsUTC)
        let before = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: asUTC - 86_400))
        let after = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: asUTC + 86_400))
        var found: [Date] = []
        for offset in Set([before, after]).sorted(by: >) {
            let candidate = Date(timeIntervalSince1970: asUTC - Double(offset))
            if timeZone.secondsFromGMT(for: candidate) == offset { found.append(candidate) }
        }
        found.sort()
        if found.isEmpty {
            // Skipped by a jump forward: fire when the clocks jump.
            let earliest = Date(timeIntervalSince1970: asUTC - Double(max(before, after)))
            if let jump = timeZone.nextDaylightSavingTimeTransition(after: earliest) { return [jump] }
            return [Date(timeIntervalSince1970: asUTC - Double(before))]
        }
        return firstOnly ? [found[0]] : found
    }

    /// Days since 1970-01-01 (Howard Hinnant's days-from-civil).
    static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDayNumber days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
    static func weekday(ofDayNumber days: Int) -> Int {
        ((days % 7) + 7 + 4) % 7
    }
}

import ButlerCore
import Foundation
import Testing

/// Next-fire times compared with croniter (PyPI, scripts/cron_oracle.py) over generated expressions and
/// zones, away from daylight-saving nights (those have their own table tests).
struct CronDifferentialTests {
    struct Case: Encodable {
        let expression: String
        let zone: String
        let start: String
        let count: Int
    }

    /// A small deterministic generator (SplitMix64), so a failure can be reproduced.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

        /// One field over `range`: `*`, a value, a list, a range, or a step (`*/n` only where `star` is allowed).
        mutating func field(_ range: ClosedRange<Int>, star: Bool = true) -> String {
            switch int(0...5) {
            case 0: return star ? "*" : String(int(range))
            case 1: return String(int(range))
            case 2:
                let values = Set((0..<int(2...4)).map { _ in int(range) }).sorted()
                return values.map(String.init).joined(separator: ",")
            case 3:
                let low = int(range.lowerBound...range.upperBound - 1)
                return "\(low)-\(int(low + 1...range.upperBound))"
            case 4: return star ? "*/\(int(2...max(2, range.count / 3)))" : String(int(range))
            default:
                let low = int(range.lowerBound...range.upperBound - 1)
                return "\(low)-\(int(low + 1...range.upperBound))/\(int(2...5))"
            }
        }
    }

    static let zones = ["UTC", "Europe/Stockholm", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "Europe/London"]

    @Test func agreesWithCroniter() throws {
        var random = Generator(state: 20_261_129)
        var cases: [Case] = []
        for index in 0..<400 {
            let seconds = index % 4 == 0 ? random.field(0...59) + " " : ""
            // Day fields starting with `*` but restricted (`*/n`) follow Vixie in Butler and not in croniter,
            // so the day fields are either `*` or free of a leading `*`.
            let dayOfMonth = random.chance(60) ? "*" : random.field(1...28, star: false)
            let dayOfWeek = random.chance(60) ? "*" : random.field(0...6, star: false)
            let expression = seconds + [random.field(0...59), random.field(0...23), dayOfMonth, random.field(1...12), dayOfWeek]
                .joined(separator: " ")
            let start = Date(timeIntervalSince1970: 1_704_067_200 + Double(random.int(0...(3 * 365 * 86_400))))
            cases.append(Case(expression: expression, zone: Self.zones[index % Self.zones.count],
                              start: start.formatted(.iso8601), count: 5))
        }
        let expected = try Self.croniter(cases)
        var compared = 0
        for (item, theirs) in zip(cases, expected) {
            let zone = TimeZone(identifier: item.zone)!
            let cron = try CronExpression(item.expression)
            var instant = try Date(item.start, strategy: .iso8601)
            var ours: [String] = []
            for _ in 0..<item.count {
                guard let next = cron.nextFire(after: instant, in: zone) else { break }
                ours.append(next.formatted(.iso8601))
                instant = next
            }
            // Skip cases whose span crosses a daylight-saving change (the table tests cover those nights).
            let begin = try Date(item.start, strategy: .iso8601)
            let end = try Date(theirs.last ?? item.start, strategy: .iso8601)
            if let change = zone.nextDaylightSavingTimeTransition(after: begin.addingTimeInterval(-86_400)),
                change < end.addingTimeInterval(86_400) {
                continue
            }
            compared += 1
            #expect(ours == theirs, "\(item.expression) in \(item.zone) after \(item.start)")
        }
        #expect(compared > 200)
    }

    static func croniter(_ cases: [Case]) throws -> [[String]] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/cron_oracle.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONEncoder().encode(cases))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CronOracleError.failed(process.terminationStatus) }
        return try JSONDecoder().decode([[String]].self, from: data)
    }

    enum CronOracleError: Error {
        case failed(Int32)
    }
}

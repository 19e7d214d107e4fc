import ArgumentParser
import ButlerCore
import Foundation

/// `butler cron next '<expression>' --timezone <zone> [--from <instant>] [--count N]`: prints the next fire
/// times of a cron expression, so a schedule can be checked before it is created.
struct CronCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cron", abstract: "Check cron expressions the way Butler's scheduler reads them.",
        subcommands: [Next.self])

    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the next fire times of a cron expression in a time zone.",
            discussion: """
                5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first). Each line: the \
                time in the zone (ISO 8601 with offset), then the same instant in UTC. A bad expression or \
                zone exits with status 1 and the parser's message.
                """)

        @Argument(help: "The cron expression, quoted, e.g. '*/15 6-18 * * MON-FRI'.")
        var expression: String

        @Option(help: ArgumentHelp("IANA time zone, e.g. Europe/Stockholm.", valueName: "zone"))
        var timezone: String = "UTC"

        @Option(help: ArgumentHelp("Start after this instant (ISO 8601, e.g. 2026-03-29T00:00:00Z). Default: now.", valueName: "instant"))
        var from: String?

        @Option(help: ArgumentHelp("How many fire times to print.", valueName: "n"))
        var count: Int = 5

        /// Prints `butler cron: <message>` to standard error; the command exits with status 1.
        static func fail(_ message: String) -> ExitCode {
            FileHandle.standardError.write(Data("butler cron: \(message)\n".utf8))
            return .failure
        }

        func run() throws {
            let cron: CronExpression
            do {
                cron = try CronExpression(expression)
            } catch {
                throw Self.fail("Invalid cron expression: \(error)")
            }
            guard let zone = TimeZone(identifier: timezone) else {
                throw Self.fail("Unknown time zone '\(timezone)': use an IANA name such as Europe/Stockholm")
            }
            var instant = Date()
            if let from {
                guard let parsed = try? Date(from, strategy: .iso8601) else {
                    throw Self.fail("--from is not an ISO 8601 instant: \(from)")
                }
                instant = parsed
            }
            guard count > 0 else { throw Self.fail("--count must be at least 1") }
            for _ in 0..<count {
                guard let next = cron.nextFire(after: instant, in: zone) else {
                    print("(never fires again)")
                    return
                }
                print("\(Scheduler.format(next, in: zone)!)  \(next.formatted(.iso8601))")
                instant = next
            }
        }
    }
}

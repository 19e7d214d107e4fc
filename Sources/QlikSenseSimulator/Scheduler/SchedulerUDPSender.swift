import Foundation

/// Sends the datagrams the Qlik Sense Scheduler's log4net UDP appenders send (qlik-wire-protocols.md §5),
/// as configured by Butler's `LocalLogConfig.xml`: one per finished run — `/scheduler-task-failed/`
/// ("Max retries reached"), `/scheduler-task-aborted/` ("Execution State Change to Aborting") or the
/// success type exactly as the shipped template writes it, `/scheduler-task-success//`.
public struct SchedulerUDPSender: Sendable {
    public let host: String
    public let port: Int
    public let hostName: String

    public init(host: String = "127.0.0.1", port: Int, hostName: String = "qlik-sim-node") {
        self.host = host
        self.port = port
        self.hostName = hostName
    }

    /// Sends the datagram of `task`'s finished run: after `site.onRun { sender.send(for: $0, $1, site: site) }`
    /// the simulator behaves like a Scheduler node whose appender points at Butler.
    public func send(for task: SiteDescription.ReloadTask, _ result: SimulatedSite.ExecutionResult, site: SimulatedSite) {
        send(Self.datagram(for: task, result, appName: task.app.flatMap(site.app(id:))?.name ?? "", hostName: hostName))
    }

    /// The appender's text: `<type>;host;task;app;user;taskId;appId;date;level;executionId;message`.
    public static func datagram(for task: SiteDescription.ReloadTask, _ result: SimulatedSite.ExecutionResult, appName: String, hostName: String) -> String {
        let (type, level, message): (String, String, String) = switch result.status {
        case 7: ("/scheduler-task-success//", "INFO", "Execution State Change to FinishedSuccess")
        case 6: ("/scheduler-task-aborted/", "INFO", "Execution State Change to Aborting")
        default: ("/scheduler-task-failed/", "ERROR", "Max retries reached")
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss,SSS"
        return [type, hostName, task.name, appName, "INTERNAL\\sa_scheduler", task.id.lowercased(), task.app?.lowercased() ?? "",
                formatter.string(from: result.stopTime), level, result.id, message].joined(separator: ";")
    }

    /// Sends one datagram (UTF-8) to `host:port`; errors are ignored, as UDP senders do.
    public func send(_ text: String) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let address = list else { return }
        defer { freeaddrinfo(address) }
        let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, address.pointee.ai_addr, address.pointee.ai_addrlen) }
    }
}

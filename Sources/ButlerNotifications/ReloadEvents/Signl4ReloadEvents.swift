import ButlerCore
import Foundation

/// Failed and aborted reloads to Signl4 (`Butler.incidentTool.signl4`, spec §7.4): a JSON alert to the team
/// webhook with `Title`, `Message`, `Severity`, `X-S4-Service`, `X-S4-ExternalID` (the task id, so Signl4
/// groups repeats) and `X-S4-Status: new`.
public struct Signl4ReloadEvents: ReloadEventDestination {
    let kind: TaskEvent.Kind
    let url: String
    let alert: Signl4Config.Alert
    let http: OutboundHTTPClient

    public init(kind: TaskEvent.Kind, url: String, alert: Signl4Config.Alert, http: OutboundHTTPClient) {
        self.kind = kind
        self.url = url
        self.alert = alert
        self.http = http
    }

    public var name: String { "Signl4 (\(kind == .failed ? "failed" : "aborted") reloads)" }
    public func accepts(_ kind: TaskEvent.Kind) -> Bool { kind == self.kind }
    public func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int? { alert.rateLimit > 0 ? alert.rateLimit : nil }

    public func deliver(_ reload: ReloadAlert) async throws {
        let event = reload.event
        let body: JSONValue = .object([
            "Title": .string(kind == .failed ? "Qlik Sense reload task failed" : "Qlik Sense task aborted"),
            "Message": .string("Task: \(event.taskName)"),
            "Severity": .number(Double(alert.severity)),
            "X-S4-Service": .string(alert.serviceName),
            "X-S4-ExternalID": .string(event.taskId),
            "X-S4-Status": "new",
            "taskId": .string(event.taskId), "taskName": .string(event.taskName),
            "appId": .string(event.appId ?? ""), "appName": .string(event.appName),
            "hostName": .string(event.hostName), "user": .string(event.user.replacingOccurrences(of: "\\", with: "/")),
            "logTimeStamp": .string(event.logTimeStamp), "logMessage": .string(event.logMessage),
        ])
        let reply = try await http.postJSON(body.jsonData, to: url, service: name)
        guard (200..<300).contains(reply.status) else {
            throw ButlerError(.badGateway, "Signl4 answered \(reply.status): \(reply.body)")
        }
    }
}

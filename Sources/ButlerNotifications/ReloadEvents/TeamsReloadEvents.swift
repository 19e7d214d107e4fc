import ButlerCore
import Foundation
import Logging

/// Failed and aborted reloads to Microsoft Teams (`Butler.teamsNotification.reloadTaskFailure|
/// reloadTaskAborted`, spec §7.4): `basic` sends a MessageCard (title from `basicMsgTemplate`, facts, the
/// script log's tail, buttons to the QMC and the Hub); `formatted` renders `templateFile` to the JSON a
/// Teams workflow or incoming webhook takes (an adaptive card), with the basic card as fallback.
public struct TeamsReloadEvents: ReloadEventDestination {
    let kind: TaskEvent.Kind
    let alert: ChatAlertConfig
    let templates: ChatMessageTemplates
    let urls: QlikSenseURLsConfig
    let http: OutboundHTTPClient
    let logger: Logger

    /// - Throws: `ConfigError` naming the template file and line when a template can't be read or parsed.
    public init(kind: TaskEvent.Kind, alert: ChatAlertConfig, urls: QlikSenseURLsConfig, http: OutboundHTTPClient, logger: Logger) throws {
        self.kind = kind
        self.alert = alert
        self.urls = urls
        self.http = http
        self.logger = logger
        templates = try ChatMessageTemplates(
            alert, section: "Butler.teamsNotification.\(kind == .failed ? "reloadTaskFailure" : "reloadTaskAborted")", textLimit: 2900)
    }

    public var name: String { "Teams (\(kind == .failed ? "failed" : "aborted") reloads)" }
    public func accepts(_ kind: TaskEvent.Kind) -> Bool { kind == self.kind }
    public func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int? { alert.rateLimit > 0 ? alert.rateLimit : nil }

    public func deliver(_ reload: ReloadAlert) async throws {
        let fields = templates.fields(reload, urls: urls, alert: alert)
        let formatted = templates.formattedMessage(fields)
        if formatted == nil && templates.formatted != nil {
            logger.error("\(name): \(alert.templateFile ?? "") did not render to a JSON object; sending the basic card instead")
        }
        let body = ChatMessageTemplates.encode(formatted.map(JSONValue.object) ?? basicCard(fields))
        let reply = try await http.postJSON(body, to: alert.webhookURL, service: name)
        guard (200..<300).contains(reply.status) else {
            throw ButlerError(.badGateway, "Teams answered \(reply.status): \(reply.body)")
        }
    }

    /// A legacy MessageCard, as Butler's `basic` type sends.
    func basicCard(_ fields: [String: JSONValue]) -> JSONValue {
        let title = templates.title(fields)
        let facts: [JSONValue] = [("Task", "taskName"), ("App", "appName"), ("Server", "hostName"), ("Status", "executionStatusText"),
                                  ("Time", "logTimeStamp")].compactMap { label, key in
            guard let value = fields[key]?.stringValue, !value.isEmpty else { return nil }
            return .object(["name": .string(label), "value": .string(value)])
        }
        var sections: [JSONValue] = [.object(["facts": .array(facts)])]
        if let tail = fields["scriptLogTail"]?.stringValue, !tail.isEmpty {
            sections.append(.object(["title": "Script log (last lines)", "text": .string("```\n\(tail)\n```")]))
        }
        let actions: [JSONValue] = [("Open QMC", urls.qmc), ("Open Hub", urls.hub)].filter { !$0.1.isEmpty }.map {
            .object(["@type": "OpenUri", "name": .string($0.0), "targets": .array([.object(["os": "default", "uri": .string($0.1)])])])
        }
        return .object([
            "@type": "MessageCard", "@context": "https://schema.org/extensions", "summary": .string(title), "title": .string(title),
            "themeColor": .string(kind == .failed ? "D70000" : "E39A00"), "sections": .array(sections), "potentialAction": .array(actions),
        ])
    }
}

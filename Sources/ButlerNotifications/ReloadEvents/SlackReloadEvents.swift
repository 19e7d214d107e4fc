import ButlerCore
import Foundation
import Logging

/// Failed and aborted reloads to Slack incoming webhooks (`Butler.slackNotification.reloadTaskFailure|
/// reloadTaskAborted`, spec §7.4).
///
/// `basic`: a header with the rendered `basicMsgTemplate`, the script log's tail and buttons to the QMC and
/// the Hub. `formatted`: the Handlebars `templateFile` must render Slack's JSON (see `ChatMessageTemplates`);
/// output that isn't a JSON object falls back to the basic message (logged). Script-log text is cut to
/// 2,900 characters, under Slack's 3,000-character block limit (B45).
public struct SlackReloadEvents: ReloadEventDestination {
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
            alert, section: "Butler.slackNotification.\(kind == .failed ? "reloadTaskFailure" : "reloadTaskAborted")", textLimit: 2900)
    }

    public var name: String { "Slack (\(kind == .failed ? "failed" : "aborted") reloads)" }
    public func accepts(_ kind: TaskEvent.Kind) -> Bool { kind == self.kind }
    public func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int? { alert.rateLimit > 0 ? alert.rateLimit : nil }

    public func deliver(_ reload: ReloadAlert) async throws {
        let fields = Self.slackEscaped(templates.fields(reload, urls: urls, alert: alert))
        var message = templates.formattedMessage(fields)
        if message == nil && templates.formatted != nil {
            logger.error("\(name): \(alert.templateFile ?? "") did not render to a JSON object; sending the basic message instead")
        }
        if message != nil {
            if message?["channel"] == nil, !alert.channel.isEmpty { message?["channel"] = .string(alert.channel) }
            if message?["username"] == nil { message?["username"] = .string(alert.fromUser) }
            if message?["icon_emoji"] == nil { message?["icon_emoji"] = .string(alert.iconEmoji) }
        }
        let body = ChatMessageTemplates.encode(message.map(JSONValue.object) ?? basicMessage(fields))
        let reply = try await http.postJSON(body, to: alert.webhookURL, service: name)
        guard (200..<300).contains(reply.status) else {
            throw ButlerError(.badGateway, "Slack answered \(reply.status): \(reply.body)")
        }
    }

    /// Slack's control characters `&`, `<`, `>` escaped in every value but the links, so a task name or a
    /// script-log line like `<!channel>` can't mention anyone or make a link.
    static func slackEscaped(_ fields: [String: JSONValue]) -> [String: JSONValue] {
        func escape(_ value: JSONValue, key: String) -> JSONValue {
            switch value {
            case .string(let text):
                if key.lowercased().contains("url") || key == "qlikSenseQMC" || key == "qlikSenseHub" { return value }
                return .string(text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                    .replacingOccurrences(of: ">", with: "&gt;"))
            case .array(let items): return .array(items.map { escape($0, key: key) })
            case .object(let members): return .object(Dictionary(uniqueKeysWithValues: members.map { ($0.key, escape($0.value, key: $0.key)) }))
            default: return value
            }
        }
        return Dictionary(uniqueKeysWithValues: fields.map { ($0.key, escape($0.value, key: $0.key)) })
    }

    /// The `basic` message: header, script-log tail, buttons.
    func basicMessage(_ fields: [String: JSONValue]) -> JSONValue {
        let title = templates.title(fields)
        var blocks: [JSONValue] = [
            .object(["type": "header", "text": .object(["type": "plain_text", "text": .string(String(title.prefix(150)))])]),
        ]
        if let tail = fields["scriptLogTail"]?.stringValue, !tail.isEmpty {
            blocks.append(.object(["type": "section", "text": .object(["type": "mrkdwn", "text": .string("```\(tail)```")])]))
        }
        let buttons: [JSONValue] = [("Open QMC", urls.qmc), ("Open Hub", urls.hub)].filter { !$0.1.isEmpty }.map {
            .object(["type": "button", "text": .object(["type": "plain_text", "text": .string($0.0)]), "url": .string($0.1)])
        }
        if !buttons.isEmpty { blocks.append(.object(["type": "actions", "elements": .array(buttons)])) }
        var message: [String: JSONValue] = [
            "text": .string(title), "blocks": .array(blocks), "username": .string(alert.fromUser), "icon_emoji": .string(alert.iconEmoji),
        ]
        if !alert.channel.isEmpty { message["channel"] = .string(alert.channel) }
        return .object(message)
    }
}

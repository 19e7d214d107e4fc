import ButlerCore
import Foundation
import Logging

/// Failed and aborted reloads to Slack or Microsoft Teams (`Butler.slackNotification|teamsNotification
/// .reloadTaskFailure|reloadTaskAborted`, spec §7.4).
///
/// `basic`: Slack gets a header with the rendered `basicMsgTemplate`, the script log's tail and buttons to
/// the QMC and the Hub; Teams a MessageCard with the same. `formatted`: the Handlebars `templateFile` must
/// render the channel's JSON (see `ChatMessageTemplates`); output that isn't a JSON object falls back to the
/// basic message (logged). Script-log text is cut to 2,900 characters, under Slack's 3,000-character block
/// limit (B45); Slack values are escaped for Slack's `&`, `<`, `>`.
public struct ChatReloadEvents: ReloadEventDestination {
    public enum Channel: String, Sendable {
        case slack = "Slack", teams = "Teams"
    }

    let channel: Channel
    let kind: TaskEvent.Kind
    let alert: ChatAlertConfig
    let templates: ChatMessageTemplates
    let urls: QlikSenseURLsConfig
    let http: OutboundHTTPClient
    let logger: Logger

    /// - Throws: `ConfigError` naming the template file and line when a template can't be read or parsed.
    public init(channel: Channel, kind: TaskEvent.Kind, alert: ChatAlertConfig, urls: QlikSenseURLsConfig, http: OutboundHTTPClient, logger: Logger) throws {
        self.channel = channel
        self.kind = kind
        self.alert = alert
        self.urls = urls
        self.http = http
        self.logger = logger
        let config = channel == .slack ? "slackNotification" : "teamsNotification"
        templates = try ChatMessageTemplates(
            alert, section: "Butler.\(config).\(kind == .failed ? "reloadTaskFailure" : "reloadTaskAborted")", textLimit: 2900)
    }

    public var name: String { "\(channel.rawValue) (\(kind == .failed ? "failed" : "aborted") reloads)" }
    public func accepts(_ kind: TaskEvent.Kind) -> Bool { kind == self.kind }
    public func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int? { alert.rateLimit > 0 ? alert.rateLimit : nil }

    public func deliver(_ reload: ReloadAlert) async throws {
        var fields = templates.fields(reload, urls: urls, alert: alert)
        if channel == .slack { fields = Self.slackEscaped(fields) }
        var message = templates.formattedMessage(fields)
        if message == nil && templates.formatted != nil {
            logger.error("\(name): \(alert.templateFile ?? "") did not render to a JSON object; sending the basic message instead")
        }
        if channel == .slack, message != nil {
            if message?["channel"] == nil, !alert.channel.isEmpty { message?["channel"] = .string(alert.channel) }
            if message?["username"] == nil { message?["username"] = .string(alert.fromUser) }
            if message?["icon_emoji"] == nil { message?["icon_emoji"] = .string(alert.iconEmoji) }
        }
        let basic = channel == .slack ? slackMessage(fields) : teamsCard(fields)
        let body = (message.map(JSONValue.object) ?? basic).jsonData
        let reply = try await http.postJSON(body, to: alert.webhookURL, service: name)
        guard (200..<300).contains(reply.status) else {
            throw ButlerError(.badGateway, "\(channel.rawValue) answered \(reply.status): \(reply.body)")
        }
    }
}

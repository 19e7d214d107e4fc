import ButlerCore
import Foundation
import Logging

/// Failed and aborted reloads to Slack incoming webhooks (`Butler.slackNotification.reloadTaskFailure|
/// reloadTaskAborted`, spec §7.4).
///
/// `basic`: a header with the rendered `basicMsgTemplate`, the script log's tail and buttons to the QMC and
/// the Hub. `formatted`: the Handlebars `templateFile` must render Slack's JSON; the values it inserts are
/// escaped for JSON first, and a template whose output isn't JSON falls back to the basic message (logged).
/// Script-log text is cut to 2,900 characters, under Slack's 3,000-character block limit (B45).
public struct SlackReloadEvents: ReloadEventDestination {
    let kind: TaskEvent.Kind
    let alert: SlackConfig.Alert
    let basic: Template
    let formatted: Template?
    let urls: QlikSenseURLsConfig
    let http: OutboundHTTPClient
    let logger: Logger

    /// Slack's limit for a text block, less room for the surrounding text.
    static let textLimit = 2900

    /// - Throws: `ConfigError` naming the template file and line when a template can't be read or parsed.
    public init(kind: TaskEvent.Kind, alert: SlackConfig.Alert, urls: QlikSenseURLsConfig, http: OutboundHTTPClient, logger: Logger) throws {
        self.kind = kind
        self.alert = alert
        self.urls = urls
        self.http = http
        self.logger = logger
        let section = "Butler.slackNotification.\(kind == .failed ? "reloadTaskFailure" : "reloadTaskAborted")"
        do {
            basic = try Template(name: "\(section).basicMsgTemplate", text: alert.basicMsgTemplate)
            if alert.messageType == .formatted {
                guard let file = alert.templateFile else { throw ConfigError(path: section + ".templateFile", problem: "required for messageType formatted") }
                let text: String
                do {
                    text = try String(contentsOfFile: file, encoding: .utf8)
                } catch {
                    throw ConfigError(path: section + ".templateFile", problem: "cannot read \(file): \(error.localizedDescription)")
                }
                formatted = try Template(name: file, text: text)
            } else {
                formatted = nil
            }
        } catch let error as Template.ParseError {
            throw ConfigError(path: section, problem: "template \(error)")
        }
    }

    public var name: String { "Slack (\(kind == .failed ? "failed" : "aborted") reloads)" }
    public func accepts(_ kind: TaskEvent.Kind) -> Bool { kind == self.kind }
    public func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int? { alert.rateLimit > 0 ? alert.rateLimit : nil }

    public func deliver(_ reload: ReloadAlert) async throws {
        var fields = reload.templateFields(urls: urls, head: alert.headScriptLogLines, tail: alert.tailScriptLogLines)
        for key in ["scriptLogHead", "scriptLogTail"] {
            if case .string(let text)? = fields[key] { fields[key] = .string(Self.cut(text)) }
        }
        var payload: Data?
        if let formatted {
            let rendered = formatted.render(Self.jsonEscaped(.object(fields)), escapeHTML: false)
            if var object = (try? JSONDecoder().decode(JSONValue.self, from: Data(rendered.utf8)))?.objectValue {
                if object["channel"] == nil, !alert.channel.isEmpty { object["channel"] = .string(alert.channel) }
                if object["username"] == nil { object["username"] = .string(alert.fromUser) }
                if object["icon_emoji"] == nil { object["icon_emoji"] = .string(alert.iconEmoji) }
                payload = Self.encode(.object(object))
            } else {
                logger.error("\(name): \(formatted.name) did not render to a JSON object; sending the basic message instead")
            }
        }
        let body = payload ?? Self.encode(basicMessage(fields))
        let reply = try await http.postJSON(body, to: alert.webhookURL, service: name)
        guard (200..<300).contains(reply.status) else {
            throw ButlerError(.badGateway, "Slack answered \(reply.status): \(reply.body)")
        }
    }

    /// The `basic` message: header, script-log tail, buttons.
    func basicMessage(_ fields: [String: JSONValue]) -> JSONValue {
        let title = basic.render(.object(fields), escapeHTML: false)
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

    /// Every string made safe inside a JSON string literal (`\`, `"`, control characters escaped).
    static func jsonEscaped(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text):
            let quoted = String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
            return .string(String(quoted.dropFirst().dropLast()))
        case .array(let items): return .array(items.map(jsonEscaped))
        case .object(let fields): return .object(fields.mapValues(jsonEscaped))
        default: return value
        }
    }

    static func cut(_ text: String) -> String {
        text.count > textLimit ? "…" + String(text.suffix(textLimit - 1)) : text
    }

    static func encode(_ value: JSONValue) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }
}

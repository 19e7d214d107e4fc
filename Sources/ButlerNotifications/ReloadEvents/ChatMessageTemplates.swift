import ButlerCore
import Foundation

/// The templates of one Slack or Teams alert: `basicMsgTemplate` (plain text) and, for `formatted`, the
/// `templateFile` that renders the channel's JSON. Values inserted into the JSON template are escaped for
/// JSON first (backslashes, quotes, newlines, control characters), and script-log text is cut to
/// `textLimit` characters from the end (B45).
struct ChatMessageTemplates: Sendable {
    let basic: Template
    let formatted: Template?
    let textLimit: Int

    /// - Throws: `ConfigError` under `section` naming the template file and line.
    init(_ alert: ChatAlertConfig, section: String, textLimit: Int) throws {
        self.textLimit = textLimit
        do {
            basic = try Template(name: "\(section).basicMsgTemplate", text: alert.basicMsgTemplate)
            if alert.messageType == .formatted {
                guard let file = alert.templateFile else { throw ConfigError(path: section + ".templateFile", problem: "required for messageType formatted") }
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw ConfigError(path: section + ".templateFile", problem: "cannot read \(file)")
                }
                formatted = try Template(name: file, text: text)
            } else {
                formatted = nil
            }
        } catch let error as Template.ParseError {
            throw ConfigError(path: section, problem: "template \(error)")
        }
    }

    /// The alert's template fields with the script-log text cut to the channel's limit.
    func fields(_ reload: ReloadAlert, urls: QlikSenseURLsConfig, alert: ChatAlertConfig) -> [String: JSONValue] {
        var fields = reload.templateFields(urls: urls, head: alert.headScriptLogLines, tail: alert.tailScriptLogLines)
        if case .string(let text)? = fields["scriptLogHead"], text.count > textLimit {
            fields["scriptLogHead"] = .string(String(text.prefix(textLimit - 1)) + "…")
        }
        if case .string(let text)? = fields["scriptLogTail"], text.count > textLimit {
            fields["scriptLogTail"] = .string("…" + String(text.suffix(textLimit - 1)))
        }
        return fields
    }

    func title(_ fields: [String: JSONValue]) -> String {
        basic.render(.object(fields), escapeHTML: false)
    }

    /// The formatted template's JSON object, or nil (no template, or output that isn't a JSON object).
    func formattedMessage(_ fields: [String: JSONValue]) -> [String: JSONValue]? {
        guard let formatted else { return nil }
        let rendered = formatted.render(Self.jsonEscaped(.object(fields)), escapeHTML: false)
        return (try? JSONDecoder().decode(JSONValue.self, from: Data(rendered.utf8)))?.objectValue
    }

    /// Every string made safe inside a JSON string literal.
    static func jsonEscaped(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string:
            return .string(String(value.jsonText.dropFirst().dropLast()))
        case .array(let items): return .array(items.map(jsonEscaped))
        case .object(let fields): return .object(fields.mapValues(jsonEscaped))
        default: return value
        }
    }
}

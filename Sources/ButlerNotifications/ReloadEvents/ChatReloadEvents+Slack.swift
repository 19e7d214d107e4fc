import ButlerCore

/// Slack's `basic` message and escaping.
extension ChatReloadEvents {
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
    func slackMessage(_ fields: [String: JSONValue]) -> JSONValue {
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

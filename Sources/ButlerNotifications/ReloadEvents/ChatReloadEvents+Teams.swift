import ButlerCore

/// Teams' `basic` card.
extension ChatReloadEvents {
    /// A legacy MessageCard, as Butler's `basic` type sends.
    func teamsCard(_ fields: [String: JSONValue]) -> JSONValue {
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

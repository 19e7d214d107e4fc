/// Rendering: `{{x}}` is HTML-escaped when `escapeHTML` is true (e-mail bodies); JSON payloads render with
/// `escapeHTML: false` and get their values escaped for JSON by the caller's data (see the channels).
extension Template {
    /// Renders with `data` as the root scope.
    public func render(_ data: JSONValue, escapeHTML: Bool = true) -> String {
        var output = ""
        Self.render(nodes, scopes: [Scope(value: data)], escapeHTML: escapeHTML, into: &output)
        return output
    }

    struct Scope {
        var value: JSONValue
        var index: Int?
        var count: Int?
    }

    static func render(_ nodes: [Node], scopes: [Scope], escapeHTML: Bool, into output: inout String) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .value(let expression, let escaped):
                let text = string(evaluate(expression, scopes))
                output += escaped && escapeHTML ? html(text) : text
            case .block(let kind, let expression, let body, let otherwise):
                let value = evaluate(expression, scopes)
                switch kind {
                case .if, .eq:
                    render(truthy(value) ? body : otherwise, scopes: scopes, escapeHTML: escapeHTML, into: &output)
                case .unless:
                    render(truthy(value) ? otherwise : body, scopes: scopes, escapeHTML: escapeHTML, into: &output)
                case .with:
                    if truthy(value) {
                        render(body, scopes: scopes + [Scope(value: value)], escapeHTML: escapeHTML, into: &output)
                    } else {
                        render(otherwise, scopes: scopes, escapeHTML: escapeHTML, into: &output)
                    }
                case .each:
                    let items: [JSONValue]
                    switch value {
                    case .array(let array): items = array
                    case .object(let fields): items = fields.keys.sorted().map { fields[$0]! }
                    default: items = []
                    }
                    if items.isEmpty { render(otherwise, scopes: scopes, escapeHTML: escapeHTML, into: &output) }
                    for (index, item) in items.enumerated() {
                        render(body, scopes: scopes + [Scope(value: item, index: index, count: items.count)], escapeHTML: escapeHTML, into: &output)
                    }
                }
            }
        }
    }

    static func evaluate(_ expression: Expression, _ scopes: [Scope]) -> JSONValue {
        switch expression {
        case .string(let text): return .string(text)
        case .number(let number): return .number(number)
        case .literal(let value): return value
        case .eq(let left, let right): return .bool(evaluate(left, scopes) == evaluate(right, scopes))
        case .path(let path):
            guard path.up < scopes.count else { return .null }
            let scope = scopes[scopes.count - 1 - path.up]
            var value = scope.value
            for (position, segment) in path.segments.enumerated() {
                if position == 0 && segment.hasPrefix("@") {
                    switch segment {
                    case "@index": value = scope.index.map { .number(Double($0)) } ?? .null
                    case "@first": value = .bool(scope.index == 0)
                    case "@last": value = .bool(scope.index != nil && scope.index == (scope.count ?? 0) - 1)
                    default: value = .null
                    }
                    continue
                }
                guard case .object(let fields) = value, let next = fields[segment] else { return .null }
                value = next
            }
            return value
        }
    }

    /// Handlebars' truth: false, null, "", 0 and [] are false.
    static func truthy(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case .bool(let flag): flag
        case .number(let number): number != 0
        case .string(let text): !text.isEmpty
        case .array(let items): !items.isEmpty
        case .object: true
        }
    }

    static func string(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): JSONValue.text(of: number)
        case .string(let text): text
        case .array(let items): items.map(string).joined(separator: ",")
        case .object: "[object Object]"
        }
    }

    /// Handlebars' escaping: `& < > " ' \` =`.
    static func html(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#x27;"
            case "`": result += "&#x60;"
            case "=": result += "&#x3D;"
            default: result.append(character)
            }
        }
        return result
    }
}

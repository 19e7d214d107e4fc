import Foundation

/// Turns template text into nodes (see `Template`).
struct TemplateParser {
    let name: String
    let characters: [Character]
    var position = 0
    var line = 1

    init(name: String, text: String) {
        self.name = name
        characters = Array(text)
    }

    func fail(_ problem: String, line: Int? = nil) -> Template.ParseError {
        Template.ParseError(template: name, line: line ?? self.line, problem: problem)
    }

    mutating func parseAll() throws -> [Template.Node] {
        let (nodes, end) = try parseNodes(until: nil)
        if let end { throw fail("{{\(end)}} without an open block") }
        return nodes
    }

    /// Nodes up to `{{else}}` or `{{/block}}` (returned as the second value).
    mutating func parseNodes(until block: Template.Block?, openedAt openLine: Int? = nil) throws -> ([Template.Node], String?) {
        var nodes: [Template.Node] = []
        var text = ""
        while position < characters.count {
            if characters[position] == "{", position + 1 < characters.count, characters[position + 1] == "{" {
                if !text.isEmpty { nodes.append(.text(text)); text = "" }
                let tagLine = line
                let triple = position + 2 < characters.count && characters[position + 2] == "{"
                position += triple ? 3 : 2
                let close = triple ? "}}}" : "}}"
                guard let inner = readUntil(close) else { throw fail("'{{' without a matching '\(close)'", line: tagLine) }
                var tag = inner.trimmingCharacters(in: .whitespacesAndNewlines)
                if tag.hasPrefix("~") { tag.removeFirst() }
                if tag.hasSuffix("~") { tag.removeLast() }
                tag = tag.trimmingCharacters(in: .whitespacesAndNewlines)
                if tag.hasPrefix("!") { continue }
                if triple {
                    nodes.append(.value(try expression(tag, line: tagLine), escaped: false))
                } else if tag.hasPrefix("#") {
                    let (keyword, argument) = split(String(tag.dropFirst()))
                    guard let kind = Template.Block(rawValue: keyword) else { throw fail("unknown block helper '#\(keyword)'", line: tagLine) }
                    let subject: Template.Expression
                    if kind == .eq {
                        let parts = try arguments(argument, line: tagLine)
                        guard parts.count == 2 else { throw fail("#eq takes two values", line: tagLine) }
                        subject = .eq(parts[0], parts[1])
                    } else {
                        guard !argument.isEmpty else { throw fail("#\(keyword) needs a value", line: tagLine) }
                        subject = try expression(argument, line: tagLine)
                    }
                    var (body, end) = try parseNodes(until: kind, openedAt: tagLine)
                    var otherwise: [Template.Node] = []
                    if end == "else" {
                        (otherwise, end) = try parseNodes(until: kind, openedAt: tagLine)
                    }
                    guard end == "/" + keyword else { throw fail("#\(keyword) is not closed with {{/\(keyword)}}", line: tagLine) }
                    nodes.append(.block(kind, subject, body: body, otherwise: otherwise))
                } else if tag == "else" {
                    guard block != nil else { throw fail("{{else}} outside a block", line: tagLine) }
                    return (nodes, "else")
                } else if tag.hasPrefix("/") {
                    guard let block, tag == "/" + block.rawValue else { throw fail("unexpected {{\(tag)}}", line: tagLine) }
                    return (nodes, tag)
                } else if tag.hasPrefix(">") || tag.hasPrefix("^") || tag.hasPrefix("&") || tag.hasPrefix("*") {
                    throw fail("'{{\(tag)}}' is not supported (partials, inverse sections and decorators are not)", line: tagLine)
                } else {
                    nodes.append(.value(try expression(tag, line: tagLine), escaped: true))
                }
            } else {
                if characters[position].isNewline { line += 1 }
                text.append(characters[position])
                position += 1
            }
        }
        if !text.isEmpty { nodes.append(.text(text)) }
        if let block { throw fail("#\(block.rawValue) is not closed with {{/\(block.rawValue)}}", line: openLine) }
        return (nodes, nil)
    }

    /// The text up to `close` (consumed); nil when it never comes.
    mutating func readUntil(_ close: String) -> String? {
        let closing = Array(close)
        var inner = ""
        // `{{!-- … --}}` may contain `}}`.
        let longComment = characters[position...].starts(with: Array("!--"))
        while position < characters.count {
            if longComment {
                if characters[position...].starts(with: Array("--}}")) {
                    position += 4
                    return inner
                }
            } else if characters[position...].starts(with: closing) {
                position += closing.count
                return inner
            }
            if characters[position].isNewline { line += 1 }
            inner.append(characters[position])
            position += 1
        }
        return nil
    }

    func split(_ text: String) -> (String, String) {
        guard let space = text.firstIndex(where: \.isWhitespace) else { return (text, "") }
        return (String(text[..<space]), text[space...].trimmingCharacters(in: .whitespaces))
    }

    /// A value: a path, a quoted string, a number, or `(eq a b)`.
    func expression(_ text: String, line: Int) throws -> Template.Expression {
        let parts = try arguments(text, line: line)
        guard parts.count == 1 else {
            if let first = text.split(separator: " ").first { throw fail("unknown helper '\(first)'", line: line) }
            throw fail("empty expression", line: line)
        }
        return parts[0]
    }

    /// Space-separated values, with `"…"`/`'…'` strings and `( … )` sub-expressions.
    func arguments(_ text: String, line: Int) throws -> [Template.Expression] {
        var result: [Template.Expression] = []
        var rest = Substring(text).drop(while: \.isWhitespace)
        while let first = rest.first {
            if first == "\"" || first == "'" {
                guard let end = rest.dropFirst().firstIndex(of: first) else { throw fail("unterminated string", line: line) }
                result.append(.string(String(rest[rest.index(after: rest.startIndex)..<end])))
                rest = rest[rest.index(after: end)...]
            } else if first == "(" {
                var depth = 0
                var end = rest.startIndex
                for index in rest.indices {
                    if rest[index] == "(" { depth += 1 }
                    if rest[index] == ")" { depth -= 1; if depth == 0 { end = index; break } }
                }
                guard depth == 0 else { throw fail("unbalanced '('", line: line) }
                let inner = rest[rest.index(after: rest.startIndex)..<end]
                let (helper, argumentText) = split(String(inner))
                guard helper == "eq" else { throw fail("unknown helper '\(helper)'", line: line) }
                let parts = try arguments(argumentText, line: line)
                guard parts.count == 2 else { throw fail("eq takes two values", line: line) }
                result.append(.eq(parts[0], parts[1]))
                rest = rest[rest.index(after: end)...]
            } else {
                let token = rest.prefix { !$0.isWhitespace }
                rest = rest.dropFirst(token.count)
                if let literal = ["true": JSONValue.bool(true), "false": .bool(false), "null": .null, "undefined": .null][String(token)] {
                    result.append(.literal(literal))
                } else if token.first.map({ $0.isNumber || $0 == "-" }) == true,
                    token.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "e" || $0 == "E" || $0 == "+") }),
                    let number = Double(token) {
                    result.append(.number(number))
                } else {
                    result.append(.path(try path(String(token), line: line)))
                }
            }
            rest = rest.drop(while: \.isWhitespace)
        }
        return result
    }

    func path(_ text: String, line: Int) throws -> Template.Path {
        var rest = Substring(text)
        var up = 0
        while rest.hasPrefix("../") { up += 1; rest = rest.dropFirst(3) }
        var segments = rest.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if segments.first == "this" { segments.removeFirst() }
        for segment in segments {
            let valid = !segment.isEmpty && segment.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "@" }
            guard valid else { throw fail("'\(text)' is not a value path", line: line) }
        }
        return Template.Path(up: up, segments: segments)
    }
}

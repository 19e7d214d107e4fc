import ButlerCore

/// A QRS `?filter=` expression, parsed: clauses `<path> <op> <value>` joined by `and`/`or` (`and` binds
/// tighter) with parentheses.
///
/// Qlik's rules (QRS API "Filtering"): operators `eq ne gt ge lt le sw ew so`; string comparison ignores
/// case; literals are single-quoted with `''` for a quote; GUIDs, numbers, booleans and enum names are
/// bare; a dotted path through a collection (`tags.name`, `customProperties.definition.name`) matches when
/// any element matches, each clause on its own.
indirect enum QRSFilter: Equatable, Sendable {
    case clause(path: [String], op: Operator, value: String)
    case and(QRSFilter, QRSFilter)
    case or(QRSFilter, QRSFilter)

    enum Operator: String, Sendable {
        case eq, ne, gt, ge, lt, le, sw, ew, so
    }

    struct SyntaxError: Error, Equatable, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Parses a filter. - Throws: `SyntaxError` naming what was expected (QRS answers 400).
    static func parse(_ text: String) throws -> QRSFilter {
        var parser = Parser(tokens: try tokenize(text))
        let filter = try parser.expression()
        guard parser.position == parser.tokens.count else {
            throw SyntaxError(message: "Unexpected '\(parser.tokens[parser.position].text)' in filter")
        }
        return filter
    }

    /// Whether `entity` (a QRS entity as JSON) matches.
    func matches(_ entity: JSONValue) -> Bool {
        switch self {
        case .and(let left, let right): left.matches(entity) && right.matches(entity)
        case .or(let left, let right): left.matches(entity) || right.matches(entity)
        case .clause(let path, let op, let value):
            Self.values(at: path[...], in: entity).contains { Self.compare($0, op, value) }
        }
    }

    /// Every value at `path`, going into each element of an array on the way.
    private static func values(at path: ArraySlice<String>, in value: JSONValue) -> [JSONValue] {
        if case .array(let elements) = value { return elements.flatMap { values(at: path, in: $0) } }
        guard let name = path.first else { return [value] }
        guard case .object(let fields) = value,
            let field = fields.first(where: { $0.key.lowercased() == name.lowercased() })?.value
        else { return [] }
        return values(at: path.dropFirst(), in: field)
    }

    private static func compare(_ field: JSONValue, _ op: Operator, _ literal: String) -> Bool {
        let text: String
        switch field {
        case .string(let string): text = string
        case .number(let number): text = JSONValue.text(of: number)
        case .bool(let flag): text = String(flag)
        case .null: text = "null"
        case .array, .object: return false
        }
        let left = text.lowercased(), right = literal.lowercased()
        if case .number(let number) = field, let other = Double(literal) {
            switch op {
            case .eq: return number == other
            case .ne: return number != other
            case .gt: return number > other
            case .ge: return number >= other
            case .lt: return number < other
            case .le: return number <= other
            default: break
            }
        }
        switch op {
        case .eq: return left == right
        case .ne: return left != right
        case .gt: return left > right
        case .ge: return left >= right
        case .lt: return left < right
        case .le: return left <= right
        case .sw: return left.hasPrefix(right)
        case .ew: return left.hasSuffix(right)
        case .so: return left.contains(right)
        }
    }

    struct Token: Equatable {
        enum Kind { case word, quoted, open, close }
        let kind: Kind
        let text: String
    }

    static func tokenize(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        var characters = Array(text)[...]
        while let character = characters.first {
            if character.isWhitespace {
                characters.removeFirst()
            } else if character == "(" || character == ")" {
                tokens.append(Token(kind: character == "(" ? .open : .close, text: String(character)))
                characters.removeFirst()
            } else if character == "'" {
                characters.removeFirst()
                var literal = ""
                var closed = false
                while let next = characters.popFirst() {
                    if next == "'" {
                        if characters.first == "'" {
                            literal.append("'")
                            characters.removeFirst()
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        literal.append(next)
                    }
                }
                guard closed else { throw SyntaxError(message: "Unterminated string literal in filter") }
                tokens.append(Token(kind: .quoted, text: literal))
            } else {
                var word = ""
                while let next = characters.first, !next.isWhitespace, next != "(", next != ")", next != "'" {
                    word.append(next)
                    characters.removeFirst()
                }
                tokens.append(Token(kind: .word, text: word))
            }
        }
        return tokens
    }

    struct Parser {
        let tokens: [Token]
        var position = 0

        mutating func next() -> Token? {
            guard position < tokens.count else { return nil }
            defer { position += 1 }
            return tokens[position]
        }

        func peekKeyword(_ keyword: String) -> Bool {
            position < tokens.count && tokens[position].kind == .word && tokens[position].text.lowercased() == keyword
        }

        mutating func expression() throws -> QRSFilter {
            var left = try conjunction()
            while peekKeyword("or") {
                position += 1
                left = .or(left, try conjunction())
            }
            return left
        }

        mutating func conjunction() throws -> QRSFilter {
            var left = try term()
            while peekKeyword("and") {
                position += 1
                left = .and(left, try term())
            }
            return left
        }

        mutating func term() throws -> QRSFilter {
            guard let token = next() else { throw SyntaxError(message: "Filter ends where a clause was expected") }
            if token.kind == .open {
                let inner = try expression()
                guard next()?.kind == .close else { throw SyntaxError(message: "Missing ')' in filter") }
                return inner
            }
            guard token.kind == .word else { throw SyntaxError(message: "Expected a property name, found '\(token.text)'") }
            guard let opToken = next(), opToken.kind == .word, let op = Operator(rawValue: opToken.text.lowercased()) else {
                throw SyntaxError(message: "Expected an operator (eq, ne, gt, ge, lt, le, sw, ew, so) after '\(token.text)'")
            }
            guard let value = next(), value.kind == .word || value.kind == .quoted else {
                throw SyntaxError(message: "Expected a value after '\(token.text) \(opToken.text)'")
            }
            return .clause(path: token.text.split(separator: ".").map(String.init), op: op, value: value.text)
        }
    }
}

/// A template in the Handlebars subset Butler's users write (DESIGN Decisions 4): `{{path}}` (escaped when
/// the template escapes, as e-mail HTML does), `{{{path}}}` (never escaped), dotted paths, `this`,
/// `this.x`, `../x`, `@index`, `@first`, `@last`, `{{#each}}`, `{{#if}}`/`{{else}}`, `{{#unless}}`,
/// `{{#with}}`, the `eq` helper as a sub-expression (`{{#if (eq a "b")}}`) or a block (`{{#eq a "b"}}`),
/// and comments `{{! … }}` / `{{!-- … --}}`. Anything else is refused when the template is parsed, with
/// the template's name and line.
public struct Template: Sendable {
    public let name: String
    let nodes: [Node]

    /// Why a template was refused: `failed-reload.handlebars line 12: unknown helper 'formatDate'`.
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public let template: String
        public let line: Int
        public let problem: String
        public var description: String { "\(template) line \(line): \(problem)" }

        public init(template: String, line: Int, problem: String) {
            self.template = template
            self.line = line
            self.problem = problem
        }
    }

    indirect enum Expression: Equatable, Sendable {
        case path(Path)
        case string(String)
        case number(Double)
        /// `true`, `false`, `null`, `undefined`.
        case literal(JSONValue)
        case eq(Expression, Expression)
    }

    struct Path: Equatable, Sendable {
        /// How many `../` go up the scope stack.
        var up = 0
        /// Segments after `this`; `@index`-style names keep their `@`.
        var segments: [String]
    }

    enum Block: String, Sendable { case each, `if`, unless, with, eq }

    indirect enum Node: Sendable {
        case text(String)
        case value(Expression, escaped: Bool)
        case block(Block, Expression, body: [Node], otherwise: [Node])
    }

    /// Parses `text`. - Throws: `ParseError` naming the line of the first construct outside the subset.
    public init(name: String, text: String) throws {
        self.name = name
        var parser = TemplateParser(name: name, text: text)
        nodes = try parser.parseAll()
    }
}

import ButlerCore
import Testing

/// The Handlebars subset of DESIGN Decisions 4: every construct, escaping, and refusals with line numbers.
struct TemplateTests {
    static let data: JSONValue = .object([
        "taskName": .string("Reload of <Sales> & \"Finance\""),
        "user": .string("LAB\\goran"),
        "appOwnerEmail": .string(""),
        "executionStatusNum": .number(8),
        "scriptLogTail": .array([.string("line 1"), .string("Error: x")]),
        "taskTags": .array([]),
        "owner": .object(["name": .string("Anna"), "email": .string("anna@example.com")]),
        "executionDetails": .array([
            .object(["message": .string("Triggered"), "detailsType": .number(2)]),
            .object(["message": .string("Failed"), "detailsType": .number(0)]),
        ]),
        "genericUrls": .array([.object(["linkText": .string("Docs"), "url": .string("https://x.example/?a=1&b=2")])]),
    ])

    static func render(_ text: String, escapeHTML: Bool = true) throws -> String {
        try Template(name: "t.handlebars", text: text).render(data, escapeHTML: escapeHTML)
    }

    @Test func valuesAndEscaping() throws {
        #expect(try Self.render("{{taskName}}") == "Reload of &lt;Sales&gt; &amp; &quot;Finance&quot;")
        #expect(try Self.render("{{{taskName}}}") == "Reload of <Sales> & \"Finance\"")
        #expect(try Self.render("{{taskName}}", escapeHTML: false) == "Reload of <Sales> & \"Finance\"")
        #expect(try Self.render("{{user}} {{owner.name}} {{missing.deep}}.") == "LAB\\goran Anna .")
        #expect(try Self.render("{{executionStatusNum}}") == "8")
        #expect(try Self.render("a{{! short }}b{{!-- long }} with braces --}}c") == "abc")
    }

    @Test func blocks() throws {
        #expect(try Self.render("{{#each scriptLogTail}}{{@index}}:{{this}};{{/each}}") == "0:line 1;1:Error: x;")
        #expect(try Self.render("{{#each executionDetails}}{{#if @first}}[{{/if}}{{message}}{{#unless @last}},{{else}}]{{/unless}}{{/each}}")
            == "[Triggered,Failed]")
        #expect(try Self.render("{{#each taskTags}}x{{else}}no tags{{/each}}") == "no tags")
        #expect(try Self.render("{{#if appOwnerEmail}}mail{{else}}no mail{{/if}}") == "no mail")
        #expect(try Self.render("{{#with owner}}{{name}} <{{email}}> {{../user}}{{/with}}") == "Anna <anna@example.com> LAB\\goran")
        #expect(try Self.render("{{#each executionDetails}}{{#if (eq detailsType 0)}}ERR {{message}}{{/if}}{{/each}}") == "ERR Failed")
        #expect(try Self.render("{{#eq executionStatusNum 8}}failed{{else}}other{{/eq}}") == "failed")
        #expect(try Self.render("{{#if (eq owner.name \"Anna\")}}yes{{/if}}") == "yes")
        #expect(try Self.render("{{#if (eq taskTags.length undefined)}}u{{/if}}{{#unless (eq appOwnerEmail null)}}e{{/unless}}") == "ue")
        #expect(try Self.render("{{#if (eq executionStatusNum 8)}}8{{/if}}{{#if (eq (eq 1 1) true)}}t{{/if}}") == "8t")
        #expect(try Self.render("{{#each genericUrls}}<a href=\"{{url}}\">{{linkText}}</a>{{/each}}")
            == "<a href=\"https://x.example/?a&#x3D;1&amp;b&#x3D;2\">Docs</a>")
    }

    @Test(arguments: [
        ("line 1\n{{formatDate stopTime}}", 2, "unknown helper 'formatDate'"),
        ("{{> partial}}", 1, "'{{> partial}}' is not supported (partials, inverse sections and decorators are not)"),
        ("a\nb\n{{#each x}}never\nclosed", 3, "#each is not closed with {{/each}}"),
        ("a\r\nb\r\n{{oops x}}", 3, "unknown helper 'oops'"),
        ("{{#each x}}{{/if}}", 1, "unexpected {{/if}}"),
        ("{{#lookup x}}{{/lookup}}", 1, "unknown block helper '#lookup'"),
        ("{{taskName", 1, "'{{' without a matching '}}'"),
        ("{{else}}", 1, "{{else}} outside a block"),
    ])
    func refusals(text: String, line: Int, problem: String) {
        #expect(throws: Template.ParseError(template: "t.handlebars", line: line, problem: problem)) {
            try Template(name: "t.handlebars", text: text)
        }
    }
}

import ButlerCore
@testable import ButlerServer
import Hummingbird
import Testing

@Suite("Schema fields: AJV-style coercion and messages")
struct SchemaFieldsTests {
    let fields = SchemaFields(part: "body", fields: [
        "text": "a", "int": 1500, "flag": true, "numericText": "1500", "trueText": "true", "falseText": "FALSE",
        "list": ["x"], "object": ["a": 1], "null": .null, "one": 1, "two": 2, "word": "abc",
    ])

    @Test func strings() throws {
        #expect(try fields.string("text") == "a")
        #expect(try fields.string("int") == "1500")
        #expect(try fields.string("flag") == "true")
        #expect(try fields.string("null") == nil)
        #expect(try fields.string("absent") == nil)
        #expect(throws: ButlerHTTPError.validation("body/list must be string")) { try fields.string("list") }
        #expect(throws: ButlerHTTPError.validation("body/object must be string")) { try fields.string("object") }
        #expect(throws: ButlerHTTPError.validation("body must have required property 'absent'")) {
            try fields.string("absent", required: true)
        }
        #expect(throws: ButlerHTTPError.validation("body must have required property 'null'")) {
            try fields.string("null", required: true)
        }
    }

    @Test func numbers() throws {
        #expect(try fields.number("int") == 1500)
        #expect(try fields.number("numericText") == 1500)
        #expect(try fields.number("flag") == 1)
        #expect(throws: ButlerHTTPError.validation("body/word must be number")) { try fields.number("word") }
        #expect(throws: ButlerHTTPError.validation("body/list must be number")) { try fields.number("list") }
    }

    // Butler's load-script helpers send booleans as strings ("overwrite":"true").
    @Test func booleans() throws {
        #expect(try fields.boolean("flag") == true)
        #expect(try fields.boolean("trueText") == true)
        #expect(try fields.boolean("falseText") == false)
        #expect(try fields.boolean("one") == true)
        #expect(throws: ButlerHTTPError.validation("body/two must be boolean")) { try fields.boolean("two") }
        #expect(throws: ButlerHTTPError.validation("body/word must be boolean")) { try fields.boolean("word") }
        #expect(try fields.boolean("absent") == nil)
    }

    @Test(arguments: [
        (123.0, "123"), (-5.0, "-5"), (12345.789, "12345.789"), (1e15, "1000000000000000"), (1e16, "10000000000000000"),
        (1e20, "100000000000000000000"), (1e21, "1e+21"), (1.5e22, "1.5e+22"), (1e-7, "1e-7"), (2.5e-8, "2.5e-8"),
        (0.00001, "0.00001"), (0.000123, "0.000123"), (-0.0001, "-0.0001"), (0.5, "0.5"), (-0.0, "0"),
    ])
    func numbersPrintAsJavaScriptDoes(number: Double, text: String) {
        #expect(SchemaFields.text(of: number) == text)
    }

    @Test func queryStringsDecodeLikeFastify() {
        #expect(Request.decodeQuery("key=Last+extract&x=%C3%A4%20b&key=second&flag") == ["key": "Last extract", "x": "ä b", "flag": ""])
        #expect(Request.decodeQuery("a=%2B1&b=100%") == ["a": "+1", "b": "100%"])
    }
}

import ButlerCore
@testable import QlikSense
import Testing

/// The Engine client reads answers in delta form (qlik-wire-protocols.md §3.3) although it asks for plain ones.
@Suite("Engine client: delta answers")
struct EngineDeltaTests {
    @Test("A whole-value patch per out-param is replaced by its value; other values are kept")
    func unpatched() {
        let result: JSONValue = [
            "qDocList": [["op": "add", "path": "/", "value": [["qDocId": "a", "qDocName": "A"]]]],
            "qReturn": [["op": "add", "path": "/", "value": true]],
            "qScript": "plain",
        ]
        #expect(EngineConnection.unpatched(result) == [
            "qDocList": [["qDocId": "a", "qDocName": "A"]], "qReturn": true, "qScript": "plain",
        ])
    }
}

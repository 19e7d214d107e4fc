import ButlerCore
import Foundation
import NIOSSL
import QlikSenseSimulator
import Testing

/// The simulated Engine's messages, pinned to the examples in qlik-wire-protocols.md §3.
@Suite("Simulated Engine wire protocol", .serialized)
struct SimulatedEngineWireTests {
    let sales = TestSite.salesApp

    func tls() throws -> TLSConfiguration { try EngineTestSocket.tls(TestSite.certificates, trusting: TestSite.certificates.rootCA) }

    @Test("OnConnected comes first, before the client sends anything (§3.2)")
    func onConnectedFirst() async throws {
        try await withSimulator { sim in
            try await EngineTestSocket.with(port: sim.enginePort, path: "/app/\(sales)", tls: try tls()) { socket in
                #expect(await socket.next() == ["jsonrpc": "2.0", "method": "OnConnected", "params": ["qSessionState": "SESSION_CREATED"]])
            }
        }
    }

    @Test("EngineVersion, OpenDoc (positional and named params), GetScript envelopes (§3.3, §3.5)")
    func envelopes() async throws {
        let sales = self.sales
        try await withSimulator { sim in
            try await EngineTestSocket.with(port: sim.enginePort, tls: try tls()) { socket in
                _ = await socket.next()
                try await socket.send(#"{"jsonrpc":"2.0","id":1,"handle":-1,"method":"EngineVersion","params":[]}"#)
                #expect(await socket.next() == ["jsonrpc": "2.0", "id": 1, "result": ["qVersion": ["qComponentVersion": "12.1477.3"]]])
                try await socket.send(#"{"handle":-1,"method":"OpenDoc","params":{"qDocName":"\#(sales.uppercased())","qNoData":true},"id":2,"jsonrpc":"2.0"}"#)
                #expect(await socket.next() == [
                    "jsonrpc": "2.0", "id": 2, "result": ["qReturn": ["qType": "Doc", "qHandle": 1, "qGenericId": .string(sales)]], "change": [1],
                ])
                try await socket.send(#"{"jsonrpc":"2.0","id":3,"handle":1,"method":"GetScript","params":[]}"#)
                let script = await socket.next()
                #expect(script?["result"]?["qScript"]?.stringValue?.contains("Sales:\r\nLOAD Region, Amount") == true)
                try await socket.send(#"{"jsonrpc":"2.0","id":4,"handle":-1,"method":"OpenDoc","params":["\#(sales)","","","",false]}"#)
                #expect(await socket.next() == ["jsonrpc": "2.0", "id": 4, "error": ["code": 1002, "parameter": .string(sales), "message": "App already open"]])
            }
        }
    }

    @Test("Errors: unknown app 1003, unknown method -32601, unknown handle -32602 (§3.3)")
    func errors() async throws {
        try await withSimulator { sim in
            try await EngineTestSocket.with(port: sim.enginePort, path: "/", tls: try tls()) { socket in
                _ = await socket.next()
                let unknown = "9d9d9d9d-1111-4222-8333-444444444444"
                try await socket.send(#"{"delta":true,"handle":-1,"method":"OpenDoc","params":["\#(unknown)","","","",false],"id":1,"jsonrpc":"2.0"}"#)
                #expect(await socket.next() == ["jsonrpc": "2.0", "id": 1, "error": ["code": 1003, "parameter": .string(unknown), "message": "App not found"]])
                try await socket.send(#"{"jsonrpc":"2.0","id":2,"handle":-1,"method":"NoSuchMethod","params":[]}"#)
                #expect(await socket.next() == ["jsonrpc": "2.0", "id": 2, "error": ["code": -32601, "parameter": "NoSuchMethod", "message": "Method not found"]])
                try await socket.send(#"{"jsonrpc":"2.0","id":3,"handle":7,"method":"GetLayout","params":[]}"#)
                #expect(await socket.next()?["error"]?["code"] == -32602)
            }
        }
    }

    @Test("delta:true answers each out-param as one whole-value patch; delta:false plainly (§3.3)")
    func delta() async throws {
        try await withSimulator { sim in
            try await EngineTestSocket.with(port: sim.enginePort, path: "/", tls: try tls()) { socket in
                _ = await socket.next()
                try await socket.send(#"{"delta":true,"handle":-1,"method":"GetDocList","params":[],"id":1,"jsonrpc":"2.0"}"#)
                let patched = await socket.next()
                #expect(patched?["delta"] == true)
                let patches = try #require(patched?["result"]?["qDocList"]?.arrayValue)
                #expect(patches.count == 1)
                #expect(patches.first?["op"] == "add")
                #expect(patches.first?["path"] == "/")
                #expect(patches.first?["value"]?.arrayValue?.first?["qDocName"] == "Sales Dashboard")
                #expect(patches.first?["value"]?.arrayValue?.first?["qMeta"]?["stream"]?["name"] == "Everyone")
                try await socket.send(#"{"delta":false,"handle":-1,"method":"GetDocList","params":[],"id":2,"jsonrpc":"2.0"}"#)
                let plain = await socket.next()
                #expect(plain?["delta"] == nil)
                #expect(plain?["result"]?["qDocList"]?.arrayValue?.count == 3)
            }
        }
    }

    @Test("Requests are answered concurrently: GetScript overtakes a running DoReload, which answers change:[1]")
    func outOfOrder() async throws {
        var description = try TestSite.description()
        description.apps[0].content.reloadMilliseconds = 400
        let sales = self.sales
        try await withSimulator(description) { sim in
            try await EngineTestSocket.with(port: sim.enginePort, path: "/app/\(sales)", tls: try tls()) { socket in
                _ = await socket.next()
                try await socket.send(#"{"jsonrpc":"2.0","id":1,"handle":-1,"method":"OpenDoc","params":["\#(sales)","","","",false]}"#)
                _ = await socket.next()
                try await socket.send(#"{"jsonrpc":"2.0","id":2,"handle":1,"method":"DoReload","params":[0,false]}"#)
                try await socket.send(#"{"jsonrpc":"2.0","id":3,"handle":1,"method":"GetScript","params":[]}"#)
                #expect(await socket.next()?["id"] == 3)
                #expect(await socket.next() == ["jsonrpc": "2.0", "id": 2, "result": ["qReturn": true], "change": [1]])
                try await socket.send(#"{"jsonrpc":"2.0","id":4,"handle":1,"method":"DoSave","params":[]}"#)
                #expect(await socket.next() == ["jsonrpc": "2.0", "id": 4, "result": [:]])
            }
            #expect(sim.site.engine.reloads == [.init(appId: sales, mode: 0, partial: false, succeeded: true)])
            #expect(sim.site.engine.saves == [sales])
        }
    }

    @Test("Session list objects: the app object list layout and a second BookmarkList id (§3.3, §4)")
    func sessionObjects() async throws {
        let sales = self.sales
        try await withSimulator { sim in
            try await EngineTestSocket.with(port: sim.enginePort, tls: try tls()) { socket in
                _ = await socket.next()
                try await socket.send(#"{"jsonrpc":"2.0","id":1,"handle":-1,"method":"OpenDoc","params":["\#(sales)","","","",true]}"#)
                _ = await socket.next()
                let sheetList = #"{"qAppObjectListDef":{"qType":"sheet","qData":{"id":"/qInfo/qId"}},"qInfo":{"qId":"sheetList","qType":"sheetList"},"qMetaDef":{},"qExtendsId":""}"#
                try await socket.send(#"{"jsonrpc":"2.0","id":2,"handle":1,"method":"CreateSessionObject","params":[\#(sheetList)]}"#)
                #expect(await socket.next() == ["jsonrpc": "2.0", "id": 2, "result": ["qReturn": [
                    "qType": "GenericObject", "qHandle": 2, "qGenericType": "sheetList", "qGenericId": "sheetList"]]])
                try await socket.send(#"{"jsonrpc":"2.0","id":3,"handle":2,"method":"GetLayout","params":[]}"#)
                let layout = await socket.next()?["result"]?["qLayout"]
                #expect(layout?["qInfo"] == ["qId": "sheetList", "qType": "sheetList"])
                #expect(layout?["qAppObjectList"]?["qItems"] == [["qInfo": ["qId": "vEYgftD", "qType": "sheet"],
                    "qMeta": ["title": "Overview", "description": "Sales at a glance"], "qData": ["id": "vEYgftD"]]])
                let bookmarks = #"{"qBookmarkListDef":{"qType":"bookmark"},"qInfo":{"qId":"BookmarkList","qType":"BookmarkList"}}"#
                try await socket.send(#"{"jsonrpc":"2.0","id":4,"handle":1,"method":"CreateSessionObject","params":[\#(bookmarks)]}"#)
                try await socket.send(#"{"jsonrpc":"2.0","id":5,"handle":1,"method":"CreateSessionObject","params":[\#(bookmarks)]}"#)
                let ids = [await socket.next(), await socket.next()].compactMap { $0?["result"]?["qReturn"]?["qGenericId"]?.stringValue }
                #expect(ids.count == 2 && ids.contains("BookmarkList") && ids[0] != ids[1])
            }
        }
    }

    @Test("A client certificate from another CA is refused; an unknown path isn't upgraded")
    func refusals() async throws {
        let otherCA = try CertificateSet.write(to: FileManager.default.temporaryDirectory.appendingPathComponent("butler-other-ca-\(UUID().uuidString)"))
        try await withSimulator { sim in
            let foreign = try EngineTestSocket.tls(otherCA, trusting: TestSite.certificates.rootCA)
            await #expect(throws: (any Error).self) {
                try await EngineTestSocket.with(port: sim.enginePort, tls: foreign) { _ in }
            }
            await #expect(throws: (any Error).self) {
                try await EngineTestSocket.with(port: sim.enginePort, path: "/qrs/about", tls: try tls()) { _ in }
            }
            #expect(sim.site.engine.connections.isEmpty)
        }
    }
}

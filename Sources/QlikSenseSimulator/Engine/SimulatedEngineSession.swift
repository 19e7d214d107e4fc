import ButlerCore
import Foundation

/// One WebSocket session of the simulated Engine: JSON-RPC 2.0 with handles (qlik-wire-protocols.md §3).
///
/// The global object is handle -1; `OpenDoc` gives the doc handle 1 (one app per socket), later objects
/// 2, 3, …. Requests are handled concurrently (an actor that suspends in `DoReload`), so answers can come
/// out of order. Requests may carry positional or named params; `"delta": true` is answered with whole-value
/// patches `[{"op":"add","path":"/","value":V}]`.
actor SimulatedEngineSession {
    /// What a handle points to.
    enum Object {
        case doc(SiteDescription.App)
        case appObject(AppContent.AppObject, type: String)
        case list(definition: JSONValue, info: JSONValue)
        case dimension(AppContent.Dimension)
        case measure(AppContent.Measure)
        case bookmark(AppContent.Bookmark, type: String)
        case variable(AppContent.Variable)
    }

    /// A JSON-RPC error object.
    struct RPCError: Error {
        let code: Int
        let parameter: String
        let message: String
    }

    let site: SimulatedSite
    private var objects: [Int: Object] = [:]
    private var nextHandle = 1
    private var sessionIds: Set<String> = []

    init(site: SimulatedSite) { self.site = site }

    /// `{"jsonrpc":"2.0","method":"OnConnected","params":{"qSessionState":"SESSION_CREATED"}}`, sent first.
    static let onConnected: JSONValue = ["jsonrpc": "2.0", "method": "OnConnected", "params": ["qSessionState": "SESSION_CREATED"]]

    /// The answer to one request frame.
    func answer(_ text: String) async -> JSONValue {
        guard let request = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), request.objectValue != nil else {
            return ["jsonrpc": "2.0", "id": .null, "error": ["code": -32700, "parameter": "", "message": "Parse error"]]
        }
        let id = request["id"] ?? .null
        guard let method = request["method"]?.stringValue, let handle = request["handle"]?.intValue else {
            return ["jsonrpc": "2.0", "id": id, "error": ["code": -32600, "parameter": "", "message": "Invalid request"]]
        }
        let params = Params(request["params"] ?? [])
        do {
            let (result, change) = try await call(handle: handle, method: method, params: params)
            var response: [String: JSONValue] = ["jsonrpc": "2.0", "id": id]
            if request["delta"]?.boolValue == true {
                response["delta"] = true
                response["result"] = .object((result.objectValue ?? [:]).mapValues { [["op": "add", "path": "/", "value": $0]] })
            } else {
                response["result"] = result
            }
            if !change.isEmpty { response["change"] = .array(change.map { .number(Double($0)) }) }
            return .object(response)
        } catch let error as RPCError {
            return ["jsonrpc": "2.0", "id": id, "error": ["code": .number(Double(error.code)), "parameter": .string(error.parameter), "message": .string(error.message)]]
        } catch {
            return ["jsonrpc": "2.0", "id": id, "error": ["code": -32603, "parameter": "", "message": "Internal error"]]
        }
    }

    /// Params given as an array (positional) or an object (named).
    struct Params {
        let value: JSONValue
        init(_ value: JSONValue) { self.value = value }
        func at(_ index: Int, _ name: String) -> JSONValue? {
            if let array = value.arrayValue { return index < array.count ? array[index] : nil }
            return value[name]
        }
    }

    private func add(_ object: Object) -> Int {
        defer { nextHandle += 1 }
        objects[nextHandle] = object
        return nextHandle
    }

    private func interface(_ type: String, _ handle: Int, genericType: String, id: String) -> JSONValue {
        ["qReturn": ["qType": .string(type), "qHandle": .number(Double(handle)), "qGenericType": .string(genericType), "qGenericId": .string(id)]]
    }

    private func call(handle: Int, method: String, params: Params) async throws -> (JSONValue, [Int]) {
        if handle == -1 { return try await global(method, params) }
        guard let object = objects[handle] else { throw RPCError(code: -32602, parameter: "", message: "Invalid handle") }
        switch object {
        case .doc(let app): return try await doc(app, handle, method, params)
        default: return (try generic(object, method), [])
        }
    }

    private func global(_ method: String, _ params: Params) async throws -> (JSONValue, [Int]) {
        switch method {
        case "EngineVersion":
            return (["qVersion": ["qComponentVersion": "12.1477.3"]], [])
        case "GetDocList":
            return (["qDocList": .array(site.description.apps.map(\.docListEntry))], [])
        case "OpenDoc":
            let name = params.at(0, "qDocName")?.stringValue ?? ""
            guard let app = site.app(id: name) else { throw RPCError(code: 1003, parameter: name, message: "App not found") }
            if objects.values.contains(where: { if case .doc = $0 { true } else { false } }) {
                throw RPCError(code: 1002, parameter: name, message: "App already open")
            }
            let handle = add(.doc(app))
            return (["qReturn": ["qType": "Doc", "qHandle": .number(Double(handle)), "qGenericId": .string(app.id.lowercased())]], [handle])
        case "GetProgress":
            return (["qProgressData": ["qStarted": true, "qFinished": false, "qMillisecs": 0, "qPersistentProgress": "", "qTransientProgress": ""]], [])
        default:
            throw RPCError(code: -32601, parameter: method, message: "Method not found")
        }
    }

    private func doc(_ app: SiteDescription.App, _ handle: Int, _ method: String, _ params: Params) async throws -> (JSONValue, [Int]) {
        let content = app.content
        if content.unansweredMethods.contains(method) {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(60)) }
        }
        switch method {
        case "GetScript": return (["qScript": .string(app.engineScript)], [])
        case "GetAppProperties": return (["qProp": app.appProperties], [])
        case "GetAppLayout": return (["qLayout": app.appLayout], [])
        case "GetLineage":
            guard !content.lineage.isEmpty else { throw RPCError(code: -32601, parameter: method, message: "Method not found") }
            return (["qLineage": .array(content.lineage.map { entry in
                var fields: [String: JSONValue] = ["qDiscriminator": .string(entry.discriminator)]
                if let statement = entry.statement { fields["qStatement"] = .string(statement) }
                return .object(fields)
            })], [])
        case "GetConnections": return (["qConnections": .array(content.dataConnections.map(\.connection))], [])
        case "GetConnection":
            let id = params.at(0, "qConnectionId")?.stringValue ?? ""
            guard let connection = content.dataConnections.first(where: { $0.id == id }) else {
                throw RPCError(code: 2, parameter: id, message: "Connection not found")
            }
            return (["qConnection": connection.connection], [])
        case "GetAllInfos":
            let infos = ["sheet", "story", "masterobject", "appprops"].flatMap { type in
                app.appObjects(ofType: type).map { JSONValue.object(["qId": .string($0.id), "qType": .string($0.type ?? type)]) }
            }
            return (["qInfos": .array(infos)], [])
        case "GetObject":
            let id = params.at(0, "qId")?.stringValue ?? ""
            guard let (object, type) = app.appObject(id: id) else { throw RPCError(code: 2, parameter: id, message: "Object not found") }
            return (interface("GenericObject", add(.appObject(object, type: type)), genericType: type, id: id), [])
        case "GetDimension":
            let id = params.at(0, "qId")?.stringValue ?? ""
            guard let found = content.dimensions.first(where: { $0.id == id }) else { throw RPCError(code: 2, parameter: id, message: "Object not found") }
            return (interface("GenericDimension", add(.dimension(found)), genericType: "dimension", id: id), [])
        case "GetMeasure":
            let id = params.at(0, "qId")?.stringValue ?? ""
            guard let found = content.measures.first(where: { $0.id == id }) else { throw RPCError(code: 2, parameter: id, message: "Object not found") }
            return (interface("GenericMeasure", add(.measure(found)), genericType: "measure", id: id), [])
        case "GetBookmark":
            let id = params.at(0, "qId")?.stringValue ?? ""
            if let found = content.bookmarks.first(where: { $0.id == id }) {
                return (interface("GenericBookmark", add(.bookmark(found, type: "bookmark")), genericType: "bookmark", id: id), [])
            }
            guard let found = content.snapshots.first(where: { $0.id == id }) else { throw RPCError(code: 2, parameter: id, message: "Object not found") }
            return (interface("GenericBookmark", add(.bookmark(found, type: "snapshot")), genericType: "snapshot", id: id), [])
        case "GetVariableById", "GetVariableByName":
            let key = params.at(0, method == "GetVariableById" ? "qId" : "qName")?.stringValue ?? ""
            guard let found = content.variables.first(where: { method == "GetVariableById" ? $0.id == key : $0.name == key }) else {
                throw RPCError(code: 2, parameter: key, message: "Object not found")
            }
            return (interface("GenericVariable", add(.variable(found)), genericType: "variable", id: found.id), [])
        case "CreateSessionObject":
            let definition = params.at(0, "qProp") ?? [:]
            let type = definition["qInfo"]?["qType"]?.stringValue ?? ""
            var id = definition["qInfo"]?["qId"]?.stringValue ?? ""
            // The Engine picks another id when one is taken (two `BookmarkList`s in an app dump).
            if id.isEmpty || sessionIds.contains(id) { id = UUID().uuidString.lowercased() }
            sessionIds.insert(id)
            let handle = add(.list(definition: definition, info: ["qId": .string(id), "qType": .string(type)]))
            return (interface("GenericObject", handle, genericType: type, id: id), [])
        case "DoReload", "DoReloadEx":
            let options = method == "DoReload" ? params.value : (params.at(0, "qParams") ?? [:])
            let reloadParams = method == "DoReload" ? params : Params(options)
            let mode = reloadParams.at(0, "qMode")?.intValue ?? 0
            let partial = reloadParams.at(1, "qPartial")?.boolValue ?? false
            try? await Task.sleep(for: .milliseconds(content.reloadMilliseconds))
            let succeeded = (site.engine.outcome(forApp: app.id) ?? content.reloadOutcome) == .success
            site.engine.record(EngineActivity.Reload(appId: app.id.lowercased(), mode: mode, partial: partial, succeeded: succeeded))
            if method == "DoReload" { return (["qReturn": .bool(succeeded)], [handle]) }
            return (["qResult": ["qSuccess": .bool(succeeded), "qScriptLogFile": "", "qEndedWithMemoryConstraint": false]], [handle])
        case "DoSave":
            site.engine.recordSave(appId: app.id)
            return ([:], [])
        default:
            throw RPCError(code: -32601, parameter: method, message: "Method not found")
        }
    }

    private func generic(_ object: Object, _ method: String) throws -> JSONValue {
        switch (object, method) {
        case (.appObject(let object, let type), "GetLayout"): return ["qLayout": object.layout(type: type)]
        case (.appObject(let object, let type), "GetProperties"): return ["qProp": object.properties(type: type)]
        case (.appObject(let object, let type), "GetFullPropertyTree"): return ["qPropEntry": object.propertyTree(type: type)]
        case (.list(let definition, let info), "GetLayout"): return ["qLayout": listLayout(definition, info)]
        case (.list(let definition, _), "GetProperties"): return ["qProp": definition]
        case (.dimension(let dimension), "GetLayout"): return ["qLayout": dimension.layout]
        case (.dimension(let dimension), "GetProperties"): return ["qProp": dimension.properties]
        case (.measure(let measure), "GetLayout"): return ["qLayout": measure.layout]
        case (.measure(let measure), "GetProperties"): return ["qProp": measure.properties]
        case (.bookmark(let bookmark, let type), "GetLayout"): return ["qLayout": bookmark.layout(type)]
        case (.bookmark(let bookmark, let type), "GetProperties"): return ["qProp": bookmark.properties(type)]
        case (.variable(let variable), "GetProperties"): return ["qProp": variable.properties]
        case (.variable(let variable), "GetLayout"): return ["qLayout": variable.properties]
        default: throw RPCError(code: -32601, parameter: method, message: "Method not found")
        }
    }

    /// The layout of a session list object, from its definition (`qAppObjectListDef`, `qDimensionListDef`, …).
    private func listLayout(_ definition: JSONValue, _ info: JSONValue) -> JSONValue {
        guard let app = objects.values.compactMap({ if case .doc(let app) = $0 { app } else { nil } }).first else { return ["qInfo": info] }
        let content = app.content
        var layout: [String: JSONValue] = ["qInfo": info, "qMeta": [:], "qSelectionInfo": [:]]
        func items(_ values: [JSONValue]) -> JSONValue { ["qItems": .array(values)] }
        if let def = definition["qAppObjectListDef"] {
            let type = def["qType"]?.stringValue ?? ""
            layout["qAppObjectList"] = items(app.appObjects(ofType: type).map { $0.listItem(type: $0.type ?? type) })
        } else if definition["qDimensionListDef"] != nil {
            layout["qDimensionList"] = items(content.dimensions.map(\.listItem))
        } else if definition["qMeasureListDef"] != nil {
            layout["qMeasureList"] = items(content.measures.map(\.listItem))
        } else if let def = definition["qBookmarkListDef"] {
            let type = def["qType"]?.stringValue ?? "bookmark"
            layout["qBookmarkList"] = items((type == "snapshot" ? content.snapshots : content.bookmarks).map { $0.listItem(type) })
        } else if definition["qMediaListDef"] != nil {
            layout["qMediaList"] = items(content.media.map { ["qUrlDef": .string($0), "qUrl": .string($0)] })
        } else if let def = definition["qFieldListDef"] {
            let showSystem = def["qShowSystem"]?.boolValue ?? false, showHidden = def["qShowHidden"]?.boolValue ?? false
            layout["qFieldList"] = items(content.fields.filter { (showSystem || $0.isSystem != true) && (showHidden || $0.isHidden != true) }.map(\.listItem))
        } else if let def = definition["qVariableListDef"] {
            let showReserved = def["qShowReserved"]?.boolValue ?? false, showConfig = def["qShowConfig"]?.boolValue ?? false
            layout["qVariableList"] = items(content.variables.filter { (showReserved || $0.isReserved != true) && (showConfig || $0.isConfig != true) }.map(\.listItem))
        }
        return .object(layout)
    }
}

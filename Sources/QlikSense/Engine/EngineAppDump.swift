import ButlerCore
import Logging

/// Butler's app dump (its `serialize_app.js`, a rewrite of mindspank/serializeapp): the calls and the output
/// keys of qlik-wire-protocols.md §4, on an open doc handle.
///
/// `GetAppProperties`, `GetScript` and `GetLineage` first (lineage is left out when the Engine refuses it),
/// then the twelve collections concurrently; every object of a list is fetched concurrently too.
struct EngineAppDump: Sendable {
    let session: EngineSession
    let doc: Int
    let logger: Logger

    /// - Returns: the dump object (without `appId`).
    /// - Throws: `ButlerError` from the session (`.badGateway` for an Engine error, `.unavailable` for the connection).
    func run() async throws -> JSONValue {
        async let properties = session.call(doc, "GetAppProperties")
        async let script = session.call(doc, "GetScript")
        let lineage: JSONValue?
        do {
            lineage = try await session.call(doc, "GetLineage")["qLineage"] ?? .array([])
        } catch let error as ButlerError where error.kind == .badGateway {
            logger.debug("App dump without lineage: \(error.message)")
            lineage = nil
        }
        var dump: [String: JSONValue] = [
            "properties": try await properties["qProp"] ?? [:],
            "loadScript": try await script["qScript"] ?? "",
        ]
        if let lineage { dump["lineage"] = lineage }
        try await withThrowingTaskGroup(of: (String, JSONValue).self) { group in
            for (key, type) in [("sheets", "sheet"), ("stories", "story"), ("masterobjects", "masterobject"), ("appprops", "appprops")] {
                group.addTask { (key, try await appObjects(type)) }
            }
            group.addTask { ("dimensions", try await listed(
                ["qDimensionListDef": ["qType": "dimension", "qData": ["info": "/qDimInfos"], "qMeta": [:]],
                 "qInfo": ["qId": "DimensionList", "qType": "DimensionList"]], "qDimensionList", get: "GetDimension")) }
            group.addTask { ("measures", try await listed(
                ["qMeasureListDef": ["qType": "measure", "qData": ["info": "/qMeasureInfos"], "qMeta": [:]],
                 "qInfo": ["qId": "MeasureList", "qType": "MeasureList"]], "qMeasureList", get: "GetMeasure")) }
            group.addTask { ("bookmarks", try await listed(bookmarkList("bookmark"), "qBookmarkList", get: "GetBookmark", withBookmarkLayout: true)) }
            group.addTask { ("snapshots", try await listed(bookmarkList("snapshot"), "qBookmarkList", get: "GetBookmark")) }
            group.addTask { ("variables", try await variables()) }
            group.addTask {
                let items = try await listLayout(["qInfo": ["qId": "mediaList", "qType": "MediaList"], "qMediaListDef": [:]], "qMediaList")
                return ("embeddedmedia", .array(items.filter { $0["qUrlDef"]?.stringValue?.hasPrefix("/media/") == true }))
            }
            group.addTask {
                ("fields", .array(try await listLayout(
                    ["qFieldListDef": ["qShowSystem": true, "qShowHidden": true, "qShowSrcTables": true, "qShowSemantic": true],
                     "qInfo": ["qId": "FieldList", "qType": "FieldList"]], "qFieldList")))
            }
            group.addTask { ("dataconnections", try await connections()) }
            for try await (key, value) in group { dump[key] = value }
        }
        return .object(dump)
    }

    /// The items of a session list object's layout (`qLayout.<listKey>.qItems`).
    func listLayout(_ definition: JSONValue, _ listKey: String) async throws -> [JSONValue] {
        let handle = try session.handle(in: try await session.call(doc, "CreateSessionObject", [definition]), "session object")
        let layout = try await session.call(handle, "GetLayout")
        return layout["qLayout"]?[listKey]?["qItems"]?.arrayValue ?? []
    }

    /// Sheets, stories, master objects, appprops: `GetObject` + `GetFullPropertyTree` per item.
    func appObjects(_ type: String) async throws -> JSONValue {
        let definition: JSONValue = [
            "qAppObjectListDef": ["qType": .string(type), "qData": ["id": "/qInfo/qId"]],
            "qInfo": ["qId": .string(type + "List"), "qType": .string(type + "List")], "qMetaDef": [:], "qExtendsId": "",
        ]
        let items = try await listLayout(definition, "qAppObjectList")
        return .array(try await concurrently(items) { item in
            let id = item["qInfo"]?["qId"] ?? ""
            let handle = try session.handle(in: try await session.call(doc, "GetObject", [id]), "object \(id)")
            return try await session.call(handle, "GetFullPropertyTree")["qPropEntry"] ?? [:]
        })
    }

    /// Dimensions, measures, bookmarks, snapshots: `get` + `GetProperties` per item (bookmarks also
    /// `GetLayout`, whose `qBookmark` goes to `qProp.qData.qBookMark`).
    func listed(_ definition: JSONValue, _ listKey: String, get: String, withBookmarkLayout: Bool = false) async throws -> JSONValue {
        let items = try await listLayout(definition, listKey)
        return .array(try await concurrently(items) { item in
            let id = item["qInfo"]?["qId"] ?? ""
            let handle = try session.handle(in: try await session.call(doc, get, [id]), "\(get) \(id)")
            var properties = try await session.call(handle, "GetProperties")["qProp"]?.objectValue ?? [:]
            if withBookmarkLayout {
                let layout = try await session.call(handle, "GetLayout")
                var data = properties["qData"]?.objectValue ?? [:]
                data["qBookMark"] = layout["qLayout"]?["qBookmark"] ?? [:]
                properties["qData"] = .object(data)
            }
            return .object(properties)
        })
    }

    func bookmarkList(_ type: String) -> JSONValue {
        ["qBookmarkListDef": ["qType": .string(type), "qData": ["info": "/qDimInfos"], "qMeta": [:]],
         "qInfo": ["qId": "BookmarkList", "qType": "BookmarkList"]]
    }

    /// Variables: `GetVariableById` + `GetProperties`, plus `qIsScriptCreated`/`qIsReserved`/`qIsConfig`
    /// from the list item when true.
    func variables() async throws -> JSONValue {
        let definition: JSONValue = [
            "qVariableListDef": ["qType": "variable", "qShowReserved": true, "qShowConfig": true, "qData": ["info": "/qDimInfos"], "qMeta": [:]],
            "qInfo": ["qId": "VariableList", "qType": "VariableList"],
        ]
        let items = try await listLayout(definition, "qVariableList")
        return .array(try await concurrently(items) { item in
            let id = item["qInfo"]?["qId"] ?? ""
            let handle = try session.handle(in: try await session.call(doc, "GetVariableById", [id]), "variable \(id)")
            var properties = try await session.call(handle, "GetProperties")["qProp"]?.objectValue ?? [:]
            for flag in ["qIsScriptCreated", "qIsReserved", "qIsConfig"] where item[flag]?.boolValue == true {
                properties[flag] = true
            }
            return .object(properties)
        })
    }

    /// `GetConnections`, then `GetConnection(qId)` for each.
    func connections() async throws -> JSONValue {
        let list = try await session.call(doc, "GetConnections")["qConnections"]?.arrayValue ?? []
        return .array(try await concurrently(list) { connection in
            try await session.call(doc, "GetConnection", [connection["qId"] ?? ""])["qConnection"] ?? [:]
        })
    }

    /// `transform` on every item concurrently, results in the items' order.
    func concurrently(_ items: [JSONValue], _ transform: @escaping @Sendable (JSONValue) async throws -> JSONValue) async throws -> [JSONValue] {
        try await withThrowingTaskGroup(of: (Int, JSONValue).self) { group in
            for (index, item) in items.enumerated() { group.addTask { (index, try await transform(item)) } }
            var results = [JSONValue?](repeating: nil, count: items.count)
            for try await (index, value) in group { results[index] = value }
            return results.map { $0 ?? .null }
        }
    }
}

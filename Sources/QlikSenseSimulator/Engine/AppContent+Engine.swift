import ButlerCore
import Foundation

/// The Engine's JSON for an app's content (qlik-wire-protocols.md §3.5 and §4): app properties, list
/// layouts and the objects' properties and layouts. Members that are false or empty are left out, as the
/// real Engine often does.
extension SiteDescription.App {
    /// `GetDocList` entry.
    var docListEntry: JSONValue {
        [
            "qDocName": .string(name), "qConnectedUsers": 0, "qFileTime": 45306.44, "qFileSize": .number(Double(fileSize)),
            "qDocId": .string(id.lowercased()), "qLastReloadTime": .string(lastReloadTime), "qTitle": .string(name),
            "qThumbnail": ["qUrl": ""],
            "qMeta": [
                "createdDate": "2024-01-02T08:00:00.000Z", "modifiedDate": .string(lastReloadTime), "published": .bool(stream != nil),
                "privileges": ["read", "update", "delete", "publish", "exportdata"], "description": .string(description),
                "dynamicColor": "", "stream": stream.map { ["id": "aaaaaaaa-0000-4000-8000-000000000001", "name": .string($0)] } ?? .null,
                "canCreateDataConnections": true,
            ],
        ]
    }

    /// `GetAppProperties` `qProp`.
    var appProperties: JSONValue {
        var fields: [String: JSONValue] = [
            "qTitle": .string(name), "qLastReloadTime": .string(lastReloadTime), "qMigrationHash": "2f2a7d2b8d4ad5c5b0c7e5a8f1d1c0e1",
            "qSavedInProductVersion": "12.1477.3", "qThumbnail": ["qUrl": ""], "description": .string(description),
        ]
        fields.merge(content.properties) { _, extra in extra }
        return .object(fields)
    }

    /// `GetAppLayout` `qLayout`.
    var appLayout: JSONValue {
        [
            "qTitle": .string(name), "qFileName": .string(id.lowercased()), "qLastReloadTime": .string(lastReloadTime),
            "qHasScript": .bool(!content.script.isEmpty), "qStateNames": [], "qMeta": ["privileges": ["read", "update"]],
            "qHasData": true, "qThumbnail": ["qUrl": ""],
        ]
    }

    /// The load script with `\r\n` line ends.
    var engineScript: String {
        content.script.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// The generic objects of a `qAppObjectListDef` type.
    func appObjects(ofType type: String) -> [AppContent.AppObject] {
        switch type {
        case "sheet": content.sheets
        case "story": content.stories
        case "masterobject": content.masterObjects
        case "appprops": content.appProps
        default: []
        }
    }

    /// A generic object by id, anywhere (top level or a child), with its `qType`.
    func appObject(id: String) -> (object: AppContent.AppObject, type: String)? {
        func search(_ objects: [AppContent.AppObject], _ type: String) -> (AppContent.AppObject, String)? {
            for object in objects {
                if object.id == id { return (object, object.type ?? type) }
                if let found = search(object.children ?? [], "text-image") { return found }
            }
            return nil
        }
        for type in ["sheet", "story", "masterobject", "appprops"] {
            if let found = search(appObjects(ofType: type), type) { return found }
        }
        return nil
    }
}

extension AppContent.AppObject {
    func meta(_ type: String) -> JSONValue { ["title": .string(title ?? ""), "description": .string(description ?? "")] }

    /// `GetProperties` `qProp` of the object.
    func properties(type: String) -> JSONValue {
        var fields = properties ?? [:]
        fields["qInfo"] = ["qId": .string(id), "qType": .string(type)]
        fields["qMetaDef"] = meta(type)
        if children?.isEmpty == false { fields["qChildListDef"] = ["qData": ["title": "/title"]] }
        return .object(fields)
    }

    /// `GetFullPropertyTree` `qPropEntry`, children included.
    func propertyTree(type: String) -> JSONValue {
        [
            "qProperty": properties(type: type),
            "qChildren": .array((children ?? []).map { $0.propertyTree(type: $0.type ?? "text-image") }),
            "qEmbeddedSnapshotRef": .null,
        ]
    }

    /// `GetLayout` `qLayout` of the object.
    func layout(type: String) -> JSONValue {
        var fields = properties ?? [:]
        fields["qInfo"] = ["qId": .string(id), "qType": .string(type)]
        var meta = meta(type).objectValue ?? [:]
        meta["privileges"] = ["read", "update", "delete"]
        fields["qMeta"] = .object(meta)
        fields["qSelectionInfo"] = [:]
        if let children, !children.isEmpty {
            fields["qChildList"] = ["qItems": .array(children.map {
                ["qInfo": ["qId": .string($0.id), "qType": .string($0.type ?? "text-image")], "qData": ["title": .string($0.title ?? "")]]
            })]
        }
        return .object(fields)
    }

    /// The `NxContainerEntry` of an app object list.
    func listItem(type: String) -> JSONValue {
        ["qInfo": ["qId": .string(id), "qType": .string(type)], "qMeta": meta(type), "qData": ["id": .string(id)]]
    }
}

extension AppContent.Dimension {
    var info: JSONValue { ["qId": .string(id), "qType": "dimension"] }
    var meta: JSONValue { ["title": .string(title), "description": .string(description ?? ""), "tags": []] }
    var dim: JSONValue {
        ["qGrouping": "N", "qFieldDefs": .array(fields.map { .string($0) }), "qFieldLabels": .array(fields.map { _ in "" }), "title": .string(title)]
    }
    var properties: JSONValue { ["qInfo": info, "qDim": dim, "qMetaDef": meta] }
    var layout: JSONValue { ["qInfo": info, "qMeta": meta, "qDim": dim] }
    var listItem: JSONValue { ["qInfo": info, "qMeta": meta, "qData": [:]] }
}

extension AppContent.Measure {
    var info: JSONValue { ["qId": .string(id), "qType": "measure"] }
    var meta: JSONValue { ["title": .string(title), "description": "", "tags": []] }
    var measure: JSONValue {
        ["qLabel": .string(label ?? title), "qDef": .string(definition), "qGrouping": "N", "qExpressions": [], "qActiveExpression": 0]
    }
    var properties: JSONValue { ["qInfo": info, "qMeasure": measure, "qMetaDef": meta] }
    var layout: JSONValue { ["qInfo": info, "qMeta": meta, "qMeasure": measure] }
    var listItem: JSONValue { ["qInfo": info, "qMeta": meta, "qData": [:]] }
}

extension AppContent.Bookmark {
    func info(_ type: String) -> JSONValue { ["qId": .string(id), "qType": .string(type)] }
    var meta: JSONValue { ["title": .string(title), "description": .string(description ?? "")] }
    func properties(_ type: String) -> JSONValue { ["qInfo": info(type), "qMetaDef": meta, "qIncludeVariables": true] }
    func layout(_ type: String) -> JSONValue {
        ["qInfo": info(type), "qMeta": meta, "qBookmark": state ?? ["qStateData": [], "qUtcModifyTime": 45306.44, "qVariableItems": []]]
    }
    func listItem(_ type: String) -> JSONValue { ["qInfo": info(type), "qMeta": meta, "qData": [:]] }
}

extension AppContent.Variable {
    var info: JSONValue { ["qId": .string(id), "qType": "variable"] }
    var properties: JSONValue {
        ["qInfo": info, "qMetaDef": [:], "qName": .string(name), "qComment": .string(comment ?? ""),
         "qNumberPresentation": ["qType": "U", "qnDec": 10, "qUseThou": 0], "qIncludeInBookmark": false,
         "qDefinition": .string(definition)]
    }
    var listItem: JSONValue {
        var fields: [String: JSONValue] = ["qName": .string(name), "qDefinition": .string(definition), "qInfo": info, "qData": [:]]
        if isScriptCreated == true { fields["qIsScriptCreated"] = true }
        if isReserved == true { fields["qIsReserved"] = true }
        if isConfig == true { fields["qIsConfig"] = true }
        return .object(fields)
    }
}

extension AppContent.Field {
    var listItem: JSONValue {
        var fields: [String: JSONValue] = [
            "qName": .string(name), "qCardinal": .number(Double(cardinal ?? 0)),
            "qTags": .array((tags ?? []).map { .string($0) }), "qSrcTables": .array((srcTables ?? []).map { .string($0) }),
        ]
        if isSystem == true { fields["qIsSystem"] = true }
        if isHidden == true { fields["qIsHidden"] = true }
        return .object(fields)
    }
}

extension AppContent.DataConnection {
    var connection: JSONValue {
        ["qId": .string(id), "qName": .string(name), "qConnectionString": .string(connectionString), "qType": .string(type),
         "qModifiedDate": "2024-01-02T08:00:00.000Z", "qMeta": ["qName": .string(name)], "qLogOn": "LOG_ON_SERVICE_USER"]
    }
}

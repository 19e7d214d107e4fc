import ButlerCore
import Foundation

/// The simulated site's objects as QRS serves them (qlik-wire-protocols.md §1.4): full and condensed
/// tasks, apps, users, custom property definitions. Dates are ISO 8601 UTC with milliseconds; "never" is
/// `1753-01-01T00:00:00.000Z`.
extension SimulatedSite {
    static let never = "1753-01-01T00:00:00.000Z"
    static let created = "2024-01-02T08:00:00.000Z"

    static func isoDate(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Entity fields every full QRS entity has.
    private static func entity(_ id: String, schemaPath: String, _ fields: [String: JSONValue]) -> JSONValue {
        var all = fields
        all["id"] = .string(id.lowercased())
        all["createdDate"] = .string(created)
        all["modifiedDate"] = .string(created)
        all["modifiedByUserName"] = .string("INTERNAL\\sa_repository")
        all["privileges"] = .null
        all["schemaPath"] = .string(schemaPath)
        return .object(all)
    }

    /// A stable GUID-shaped id derived from a name (for tags and custom property definitions).
    static func derivedId(_ name: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(format: "%016llx", hash)
        let a = hex.prefix(8), b = hex.dropFirst(8).prefix(4), c = hex.dropFirst(12).prefix(3)
        return "\(a)-\(b)-4\(c)-8\(hex.prefix(3))-\(hex.suffix(12))"
    }

    static func tags(_ names: [String]) -> JSONValue {
        .array(names.map { .object(["id": .string(derivedId("tag:" + $0)), "name": .string($0), "privileges": .null]) })
    }

    func customProperties(_ values: [SiteDescription.PropertyValue]) -> JSONValue {
        .array(values.map { value in
            let definition = description.customPropertyDefinitions.first { $0.name == value.name }
            return Self.entity(Self.derivedId("cpv:\(value.name)=\(value.value)"), schemaPath: "CustomPropertyValue", [
                "value": .string(value.value),
                "definition": .object([
                    "id": .string(Self.derivedId("cp:" + value.name)), "name": .string(value.name), "valueType": .string("Text"),
                    "choiceValues": .array((definition?.choiceValues ?? []).map(JSONValue.string)), "privileges": .null,
                ]),
            ])
        })
    }

    func appCondensed(_ app: SiteDescription.App) -> JSONValue {
        .object([
            "id": .string(app.id.lowercased()), "name": .string(app.name), "appId": .string(""),
            "publishTime": .string(app.stream == nil ? Self.never : Self.created), "published": .bool(app.stream != nil),
            "stream": streamJSON(app), "savedInProductVersion": .string("12.1477.3"),
            "migrationHash": .string("82b8362010f6f32f12217392e08c75194db0d4fc"), "availabilityStatus": .number(0), "privileges": .null,
        ])
    }

    private func streamJSON(_ app: SiteDescription.App) -> JSONValue {
        app.stream.map { .object(["id": .string(Self.derivedId("stream:" + $0)), "name": .string($0), "privileges": .null]) } ?? .null
    }

    func appFull(_ app: SiteDescription.App) -> JSONValue {
        let owner = app.owner.flatMap(user(id:))
        return Self.entity(app.id, schemaPath: "App", [
            "name": .string(app.name), "appId": .string(""), "description": .string(app.description),
            "customProperties": customProperties(app.customProperties), "tags": Self.tags(app.tags),
            "owner": owner.map { userCondensed($0) } ?? .null,
            "sourceAppId": .string("00000000-0000-0000-0000-000000000000"), "targetAppId": .string("00000000-0000-0000-0000-000000000000"),
            "publishTime": .string(app.stream == nil ? Self.never : Self.created), "published": .bool(app.stream != nil),
            "stream": streamJSON(app), "fileSize": .number(Double(app.fileSize)), "lastReloadTime": .string(app.lastReloadTime),
            "thumbnail": .string(""), "savedInProductVersion": .string("12.1477.3"), "dynamicColor": .string(""),
            "availabilityStatus": .number(0), "lastDataDistribution": .string(Self.never), "staticByteSize": .number(0),
        ])
    }

    func userCondensed(_ user: SiteDescription.User) -> JSONValue {
        .object([
            "id": .string(user.id.lowercased()), "userId": .string(user.userId), "userDirectory": .string(user.userDirectory),
            "userDirectoryConnectorName": .string(user.userDirectory), "name": .string(user.name), "privileges": .null,
        ])
    }

    func userFull(_ user: SiteDescription.User) -> JSONValue {
        var attributes: [JSONValue] = []
        if let email = user.email {
            attributes.append(.object([
                "id": .string(Self.derivedId("email:" + user.id)), "attributeType": .string("Email"),
                "attributeValue": .string(email), "externalId": .string(email), "privileges": .null,
            ]))
        }
        return Self.entity(user.id, schemaPath: "User", [
            "userId": .string(user.userId), "userDirectory": .string(user.userDirectory),
            "userDirectoryConnectorName": .string(user.userDirectory), "name": .string(user.name),
            "roles": .array([]), "attributes": .array(attributes), "inactive": .bool(false), "removedExternally": .bool(false),
            "blacklisted": .bool(false), "deleteProhibited": .bool(false), "tags": .array([]), "customProperties": .array([]),
            "favorites": .array([]),
        ])
    }

    func taskCondensed(_ task: SiteDescription.ReloadTask) -> JSONValue {
        .object([
            "id": .string(task.id.lowercased()), "name": .string(task.name), "taskType": .number(Double(task.type.code)),
            "enabled": .bool(task.enabled), "privileges": .null,
        ])
    }

    func taskFull(_ task: SiteDescription.ReloadTask) -> JSONValue {
        var fields: [String: JSONValue] = [
            "name": .string(task.name), "taskType": .number(Double(task.type.code)), "enabled": .bool(task.enabled),
            "taskSessionTimeout": .number(1440), "maxRetries": .number(0), "isManuallyTriggered": .bool(false),
            "isPartialReload": .bool(false), "tags": Self.tags(task.tags),
            "customProperties": customProperties(task.customProperties),
            "operational": operational(task),
        ]
        if let app = task.app.flatMap(app(id:)) { fields["app"] = appCondensed(app) }
        return Self.entity(task.id, schemaPath: task.type.schemaPath, fields)
    }

    private func operational(_ task: SiteDescription.ReloadTask) -> JSONValue {
        let last: JSONValue
        if let result = lastResult(ofTask: task.id) {
            last = .object([
                "id": .string(result.id), "executingNodeName": .string(result.executingNodeName), "status": .number(Double(result.status)),
                "startTime": .string(Self.isoDate(result.startTime)), "stopTime": .string(Self.isoDate(result.stopTime)),
                "duration": .number((result.stopTime.timeIntervalSince(result.startTime) * 1000).rounded()),
                "fileReferenceID": .string(result.fileReferenceID), "scriptLogAvailable": .bool(true),
                "scriptLogLocation": .string("\(result.executingNodeName)\\Script\\\(task.app ?? task.id).log"),
                "scriptLogSize": .number(Double(result.scriptLog.utf8.count)), "privileges": .null,
                "details": .array(result.details.map { detail in
                    .object([
                        "id": .string(Self.derivedId("\(result.id):\(detail.message)")), "detailsType": .number(Double(detail.type)),
                        "message": .string(detail.message), "detailCreatedDate": .string(Self.isoDate(detail.created)),
                    ])
                }),
            ])
        } else {
            last = .object([
                "id": .string(Self.derivedId("never:" + task.id)), "executingNodeName": .string(""), "status": .number(0),
                "startTime": .string(Self.never), "stopTime": .string(Self.never), "duration": .number(0),
                "fileReferenceID": .string("00000000-0000-0000-0000-000000000000"), "scriptLogAvailable": .bool(false),
                "details": .array([]), "scriptLogLocation": .string(""), "scriptLogSize": .number(0), "privileges": .null,
            ])
        }
        return .object([
            "id": .string(Self.derivedId("operational:" + task.id)), "lastExecutionResult": last,
            "nextExecution": .string(Self.never), "privileges": .null,
        ])
    }

    func customPropertyDefinition(_ definition: SiteDescription.CustomPropertyDefinition) -> JSONValue {
        Self.entity(Self.derivedId("cp:" + definition.name), schemaPath: "CustomPropertyDefinition", [
            "name": .string(definition.name), "valueType": .string("Text"), "description": .string(""),
            "choiceValues": .array(definition.choiceValues.map(JSONValue.string)),
            "objectTypes": .array(definition.objectTypes.map(JSONValue.string)),
        ])
    }
}

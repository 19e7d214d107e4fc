import ButlerCore
import Foundation

/// What reload alerts look up in QRS (qlik-wire-protocols.md §1.3 rows 2, 8, 11–16).
extension QRSClient: QlikSenseRepository {
    public func taskDetails(id: String) async throws -> TaskDetails? {
        guard let task = try await get([JSONValue].self, "task/full", filter: "id eq \(id)").first else { return nil }
        return TaskDetails(taskType: task["taskType"]?.intValue ?? 0, tags: Self.tags(task), customProperties: Self.customProperties(task), raw: task)
    }

    public func lastExecution(taskId: String) async throws -> ExecutionDetails? {
        ExecutionDetails(lastExecutionIn: try await get(JSONValue.self, "reloadtask/\(taskId)"))
    }

    /// The deprecated `scriptlog?fileReferenceId=` first, then `scriptlogfile?executionResultId=` (as Butler);
    /// the reference may come as `{"value": g}` or as a bare JSON string.
    public func scriptLog(taskId: String, execution: ExecutionDetails) async throws -> ScriptLog? {
        var reference: String?
        for (path, query) in [("reloadtask/\(taskId)/scriptlog", ("fileReferenceId", execution.fileReferenceId)),
                              ("reloadtask/\(taskId)/scriptlogfile", ("executionResultId", execution.id))] {
            let reply = try await call(.GET, path, query: [query])
            guard reply.status == 200, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: reply.body)) else { continue }
            reference = value["value"]?.stringValue ?? value.stringValue
            if reference != nil { break }
        }
        guard let reference else { return nil }
        let download = try await call(.GET, "download/reloadtask/\(reference)/scriptlog.txt")
        guard download.status == 200 else { throw unexpected(download, "GET /qrs/download/reloadtask/\(reference)/scriptlog.txt") }
        return ScriptLog(text: String(buffer: download.body))
    }

    public func appDetails(id: String) async throws -> AppDetails? {
        guard let app = try await get([JSONValue].self, "app/full", filter: "id eq \(id)").first else { return nil }
        return AppDetails(name: app["name"]?.stringValue ?? "", description: app["description"]?.stringValue ?? "",
                          stream: app["stream"]?["name"]?.stringValue, tags: Self.tags(app),
                          customProperties: Self.customProperties(app), raw: app)
    }

    public func appOwner(appId: String) async throws -> AppOwner? {
        let app = try await get(JSONValue.self, "app/\(appId)")
        guard let owner = app["owner"], let ownerId = owner["id"]?.stringValue else { return nil }
        let user = try await get(JSONValue.self, "user/\(ownerId)")
        let email = (user["attributes"]?.arrayValue ?? [])
            .first { $0["attributeType"]?.stringValue?.lowercased() == "email" }?["attributeValue"]?.stringValue
        return AppOwner(name: owner["name"]?.stringValue ?? "", userDirectory: owner["userDirectory"]?.stringValue ?? "",
                        userId: owner["userId"]?.stringValue ?? "", email: email)
    }

    static func tags(_ entity: JSONValue) -> [String] {
        (entity["tags"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    static func customProperties(_ entity: JSONValue) -> [NameValue] {
        (entity["customProperties"]?.arrayValue ?? []).compactMap { value in
            guard let name = value["definition"]?["name"]?.stringValue, let text = value["value"]?.stringValue else { return nil }
            return NameValue(name: name, value: text)
        }
    }
}

import AsyncHTTPClient
import ButlerCore
import Foundation
import NIOCore
import Synchronization

/// Task events to InfluxDB 1.x (`Butler.influxDb`, spec §7.4–7.5) as line protocol over HTTP
/// (`POST /write?db=<db>`). Measurements by event and task type: `reload_task_failed`,
/// `reload_task_success`, `external_program_task_failed|success`, `user_sync_task_…`, `distribute_task_…`,
/// `preload_task_…`. Tags: host, user, task, app, level, executing node, status, static tags and (when
/// configured) the app's and task's tags; fields: log timestamp, execution id, message, status text,
/// duration (ms) and the script log's tail. The database (and retention policy) is created on first use.
public final class InfluxDBReloadEvents: ReloadEventDestination {
    let config: InfluxDBConfig
    let http: OutboundHTTPClient
    private let databaseReady = Mutex(false)

    public init(config: InfluxDBConfig, http: OutboundHTTPClient) {
        self.config = config
        self.http = http
    }

    public var name: String { "InfluxDB" }

    public func accepts(_ kind: TaskEvent.Kind) -> Bool { kind == .failed || kind == .success }

    public func accepts(_ kind: TaskEvent.Kind, taskType: Int) -> Bool {
        guard let section = Self.section(kind, taskType: taskType) else { return false }
        return config.measurements[section]?.enable == true
    }

    public func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int? { nil }

    static let types = [(0, "reloadTask", "reload_task"), (1, "externalProgramTask", "external_program_task"),
                        (2, "userSyncTask", "user_sync_task"), (3, "distributeTask", "distribute_task"), (4, "preloadTask", "preload_task")]

    static func section(_ kind: TaskEvent.Kind, taskType: Int) -> String? {
        guard let type = types.first(where: { $0.0 == taskType }) else { return nil }
        switch kind {
        case .failed: return type.1 + "Failure"
        case .success: return type.1 + "Success"
        default: return nil
        }
    }

    public func deliver(_ alert: ReloadAlert) async throws {
        let taskType = alert.task?.taskType ?? 0
        guard let section = Self.section(alert.event.kind, taskType: taskType), let measurement = config.measurements[section],
            let type = Self.types.first(where: { $0.0 == taskType })
        else { return }
        if section == "reloadTaskSuccess" && !measurement.allTasks {
            guard let property = measurement.byCustomProperty, alert.task?.customProperties.contains(property) == true else { return }
        }
        try await ensureDatabase()
        let line = Self.line(alert, measurement: type.2 + (alert.event.kind == .failed ? "_failed" : "_success"),
                             settings: measurement, staticTags: config.staticTags)
        try await post("write", query: [("db", config.database)], body: line)
    }

    /// One point in line protocol.
    static func line(_ alert: ReloadAlert, measurement: String, settings: InfluxDBConfig.Measurement, staticTags: [NameValue]) -> String {
        let event = alert.event
        var tags: [(String, String)] = [
            ("host", event.hostName), ("user", event.user.replacingOccurrences(of: "\\", with: "/")), ("task_id", event.taskId),
            ("task_name", event.taskName), ("app_id", event.appId ?? ""), ("app_name", event.appName), ("log_level", event.logLevel),
        ]
        if let execution = alert.execution {
            tags += [("task_executingNodeName", execution.executingNodeName), ("task_executionStatusText", execution.statusText)]
        }
        tags += (staticTags + settings.staticTags).map { ($0.name, $0.value) }
        if settings.useAppTags { tags += (alert.app?.tags ?? []).map { ("appTag_\($0)", $0) } }
        if settings.useTaskTags { tags += (alert.task?.tags ?? []).map { ("taskTag_\($0)", $0) } }
        var fields: [(String, String)] = [
            ("log_timestamp", quoted(event.logTimeStamp)), ("execution_id", quoted(event.executionId)), ("log_message", quoted(event.logMessage)),
        ]
        if let execution = alert.execution {
            fields += [("task_executionStatusText", quoted(execution.statusText)), ("task_executionDuration", "\(execution.duration)i")]
        }
        if let log = alert.scriptLog { fields.append(("reload_log", quoted(log.tail(settings.tailScriptLogLines).joined(separator: "\r\n")))) }
        let tagText = tags.filter { !$0.1.isEmpty }.map { ",\(escaped($0.0))=\(escaped($0.1))" }.joined()
        return escaped(measurement) + tagText + " " + fields.map { "\(escaped($0.0))=\($0.1)" }.joined(separator: ",")
    }

    /// Line protocol escaping for measurement names, tag keys and values, field keys.
    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            if character == "," || character == "=" || character == " " || character == "\\" { result.append("\\") }
            if character == "\n" || character == "\r" { result.append(" "); continue }
            result.append(character)
        }
        return result
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private func ensureDatabase() async throws {
        guard !databaseReady.withLock({ $0 }) else { return }
        var statement = "CREATE DATABASE \"\(config.database)\""
        if let policy = config.retentionPolicy {
            statement += " WITH DURATION \(policy.duration) NAME \"\(policy.name)\""
        }
        try await post("query", query: [("q", statement)], body: "")
        databaseReady.withLock { $0 = true }
    }

    /// POSTs to InfluxDB's HTTP API. Credentials go in an `Authorization: Basic` header (InfluxDB 1.x
    /// accepts it), never in the URL's `u`/`p` query parameters, which proxies and access logs record.
    private func post(_ path: String, query: [(String, String)], body: String) async throws {
        var components = URLComponents()
        components.scheme = "http"
        components.host = config.host
        components.port = config.port
        components.path = "/" + path
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        let url = components.string ?? ""
        var headers: [(String, String)] = []
        if let username = config.username {
            headers.append(("Authorization", "Basic " + Data("\(username):\(config.password ?? "")".utf8).base64EncodedString()))
        }
        let reply = try await http.post(Data(body.utf8), to: url, contentType: "text/plain; charset=utf-8", headers: headers, service: "InfluxDB")
        guard (200..<300).contains(reply.status) else {
            throw ButlerError(.badGateway, "InfluxDB answered \(reply.status) to /\(path): \(reply.body)")
        }
    }
}

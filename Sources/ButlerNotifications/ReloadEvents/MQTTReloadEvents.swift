import ButlerCore
import Foundation

/// Reload events to MQTT (spec §6.3): a failed task's name to `taskFailureTopic` and, with
/// `taskFailureSendFull`, the event as JSON to `taskFailureFullTopic`; the same for aborted tasks.
/// A broker that is down fails the delivery at once (logged by the dispatcher), never the pipeline (B40).
public struct MQTTReloadEvents: ReloadEventDestination {
    let connection: MQTTConnection
    let config: MQTTConfig

    public init(connection: MQTTConnection, config: MQTTConfig) {
        self.connection = connection
        self.config = config
    }

    public var name: String { "MQTT" }

    public func accepts(_ kind: TaskEvent.Kind) -> Bool { kind == .failed || kind == .aborted }

    public func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int? { nil }

    public func deliver(_ alert: ReloadAlert) async throws {
        let event = alert.event
        let failed = event.kind == .failed
        try await connection.publish(topic: failed ? config.taskFailureTopic : config.taskAbortedTopic, message: event.taskName)
        if failed ? config.taskFailureSendFull : config.taskAbortedSendFull {
            try await connection.publish(topic: failed ? config.taskFailureFullTopic : config.taskAbortedFullTopic, message: Self.json(alert))
        }
    }

    /// The alert as JSON, names as in Butler's full message (spec §6.3): the event's fields, the app's and
    /// task's tags and custom properties, the task's QRS object, and (aborted) the app's.
    static func json(_ alert: ReloadAlert) -> String {
        let event = alert.event
        func properties(_ values: [NameValue]?) -> JSONValue {
            .array((values ?? []).map { .object(["name": .string($0.name), "value": .string($0.value)]) })
        }
        var fields: [String: JSONValue] = [
            "hostName": .string(event.hostName), "user": .string(event.user), "taskName": .string(event.taskName),
            "taskId": .string(event.taskId), "appName": .string(event.appName), "appId": .string(event.appId ?? ""),
            "logTimeStamp": .string(event.logTimeStamp), "logLevel": .string(event.logLevel),
            "executionId": .string(event.executionId), "logMessage": .string(event.logMessage),
            "qs_appTags": .array((alert.app?.tags ?? []).map(JSONValue.string)),
            "qs_appCustomProperties": properties(alert.app?.customProperties),
            "qs_taskTags": .array((alert.task?.tags ?? []).map(JSONValue.string)),
            "qs_taskCustomProperties": properties(alert.task?.customProperties),
            "qs_taskMetadata": alert.task?.raw ?? .object([:]),
        ]
        if event.kind == .aborted { fields["qs_appMetadata"] = alert.app?.raw ?? .object([:]) }
        return JSONValue.object(fields).jsonText
    }
}

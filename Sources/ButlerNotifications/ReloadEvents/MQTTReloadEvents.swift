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

    public func deliver(_ event: TaskEvent) async throws {
        let failed = event.kind == .failed
        try await connection.publish(topic: failed ? config.taskFailureTopic : config.taskAbortedTopic, message: event.taskName)
        if failed ? config.taskFailureSendFull : config.taskAbortedSendFull {
            try await connection.publish(topic: failed ? config.taskFailureFullTopic : config.taskAbortedFullTopic, message: Self.json(event))
        }
    }

    /// The event's fields as JSON, names as in Butler's full message (`hostName`, `user`, `taskName`, …).
    static func json(_ event: TaskEvent) -> String {
        let fields: [String: JSONValue] = [
            "hostName": .string(event.hostName), "user": .string(event.user), "taskName": .string(event.taskName),
            "taskId": .string(event.taskId), "appName": .string(event.appName), "appId": .string(event.appId ?? ""),
            "logTimeStamp": .string(event.logTimeStamp), "logLevel": .string(event.logLevel),
            "executionId": .string(event.executionId), "logMessage": .string(event.logMessage),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(JSONValue.object(fields))) ?? Data("{}".utf8), as: UTF8.self)
    }
}

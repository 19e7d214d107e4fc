import ButlerCore
import Foundation
import ButlerNotifications
import Logging

/// Starts Qlik Sense tasks named by MQTT messages on `Butler.mqttConfig.taskStartTopic` (payload: the task
/// id as plain text).
///
/// Source: Butler's MQTT handler (spec §6.2). Beyond Butler, which started any GUID it received: the start
/// goes through the same `TaskStartService` as the REST route, so `Butler.startTaskFilter` applies.
/// Nothing is published back; every outcome is logged.
struct MQTTTaskStartHandler: Sendable {
    let taskStartTopic: String
    /// nil when Butler has no Qlik Sense connection (none configured, or `--no-qs-connection`).
    let taskStarts: TaskStartService?
    let logger: Logger

    /// Called on libmosquitto's thread: hands the start to a task and returns.
    func handle(_ message: MQTTMessage) {
        guard message.topic == taskStartTopic else { return }
        let taskId = message.text.trimmingCharacters(in: .whitespacesAndNewlines)
        Task { await start(taskId) }
    }

    func start(_ taskId: String) async {
        guard let taskStarts else {
            logger.error("MQTT: cannot start task \(taskId): Butler has no Qlik Sense connection")
            return
        }
        do {
            switch try await taskStarts.startTask(id: taskId) {
            case .started:
                logger.info("MQTT: started Qlik Sense task \(taskId)")
            case .invalid:
                logger.error("MQTT: not a task id, nothing started: \(taskId)")
            case .denied:
                logger.warning("MQTT: task \(taskId) is not in Butler.startTaskFilter, not started")
            }
        } catch {
            logger.error("MQTT: could not start Qlik Sense task \(taskId): \(error)")
        }
    }
}

import ButlerCore
import ButlerNotifications
import Hummingbird

/// `PUT /v4/mqttpublishmessage` (switch `mqttPublishMessage`).
///
/// Source: Butler's route and the seed: `{topic, message}` → 201 with the same fields. Beyond Butler
/// (which published fire-and-forget at QoS 0, and hung when MQTT was off, B39): the 201 comes once the
/// broker has acknowledged the message (QoS 1); MQTT off or the broker down → a prompt 503.
struct MQTTController {
    struct Echo: Encodable {
        let topic: String
        let message: String
    }

    /// `nil` when `Butler.mqttConfig.enable` is false.
    let connection: MQTTConnection?

    func register(on router: Router<ButlerRequestContext>) {
        router.put("/v4/mqttpublishmessage", use: publish)
    }

    @Sendable func publish(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let body = try await request.bodyFields(context: context)
        let echo = Echo(topic: try body.string("topic", required: true)!, message: try body.string("message", required: true)!)
        guard let connection else {
            throw ButlerError(.unavailable, "MQTT is disabled (Butler.mqttConfig.enable is false)")
        }
        try await connection.publish(topic: echo.topic, message: echo.message)
        return try JSONResponse.make(echo, status: .created)
    }
}

import ButlerCore
import CMosquitto
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A message received on a topic Butler subscribes to.
public struct MQTTMessage: Sendable, Equatable {
    public let topic: String
    public let payload: [UInt8]

    /// The payload as UTF-8 text (invalid bytes replaced).
    public var text: String { String(decoding: payload, as: UTF8.self) }
}

/// Butler's connection to the MQTT broker (`Butler.mqttConfig`), through libmosquitto, as a `Service`.
///
/// libmosquitto's own network thread (`mosquitto_loop_start`) keeps the connection and reconnects with
/// backoff (1 s doubling to 30 s). On every (re)connection Butler publishes its status to
/// `qliksense/butler/mqtt/status` and subscribes to `subscriptionRootTopic` (QoS 1); received messages go
/// to the `onMessage` handler. A publish is QoS 1 and completes when the broker has acknowledged it;
/// when the broker is not connected, or doesn't acknowledge within `acknowledgeTimeout`, it fails at once
/// with 503, so no request or notification ever waits on a broker that is down.
public final class MQTTConnection: Service, Sendable {
    private struct State {
        var connected = false
        var pending: [Int32: CheckedContinuation<Void, any Error>] = [:]
    }

    // `struct mosquitto *`, used only through libmosquitto's thread-safe calls.
    private nonisolated(unsafe) let handle: OpaquePointer
    private let state = Mutex(State())
    let config: MQTTConfig
    let acknowledgeTimeout: Duration
    let logger: Logger
    let clientID: String
    let onMessage: @Sendable (MQTTMessage) -> Void

    private static let libraryInitialised: Bool = { mosquitto_lib_init() == MOSQ_ERR_SUCCESS.rawValue }()

    /// Creates the client; nothing connects until `run()`.
    /// - Parameters:
    ///   - acknowledgeTimeout: how long a publish waits for the broker's PUBACK before it fails (503).
    ///   - onMessage: called on libmosquitto's thread for each message under `subscriptionRootTopic`; it
    ///     must return quickly (hand work to a `Task`).
    /// - Throws: `ButlerError.failed` when libmosquitto can't create a client or the TLS files can't be used.
    public init(
        config: MQTTConfig, acknowledgeTimeout: Duration = .seconds(5), logger: Logger,
        onMessage: @escaping @Sendable (MQTTMessage) -> Void = { _ in }
    ) throws {
        let clientID = "butler-\(UUID().uuidString.prefix(8).lowercased())"
        guard Self.libraryInitialised, let handle = mosquitto_new(clientID, true, nil) else {
            throw ButlerError.failed("The MQTT client could not be created")
        }
        self.handle = handle
        self.clientID = clientID
        self.config = config
        self.acknowledgeTimeout = acknowledgeTimeout
        self.logger = logger
        self.onMessage = onMessage
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_connect_callback_set(handle, mqttDidConnect)
        mosquitto_disconnect_callback_set(handle, mqttDidDisconnect)
        mosquitto_publish_callback_set(handle, mqttDidPublish)
        mosquitto_message_callback_set(handle, mqttDidReceive)
        mosquitto_reconnect_delay_set(handle, 1, 30, true)
        if let username = config.username {
            mosquitto_username_pw_set(handle, username, config.password)
        }
        if let tls = config.tls {
            try configureTLS(tls)
        }
    }

    /// `mqttConfig.tls`: the broker's CA (or the system trust store), an optional client certificate, and
    /// `rejectUnauthorized: false` to skip verifying the broker (chain and host name).
    private func configureTLS(_ tls: MQTTConfig.TLS) throws {
        for path in [tls.ca, tls.cert, tls.key].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: path) {
            throw ButlerError.failed("Butler.mqttConfig.tls: cannot read \(path)")
        }
        let rc = mosquitto_tls_set(handle, tls.ca, tls.ca == nil ? "/etc/ssl/certs" : nil, tls.cert, tls.key, nil)
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            throw ButlerError.failed("Butler.mqttConfig.tls: \(Self.describe(rc))")
        }
        if !tls.rejectUnauthorized {
            mosquitto_tls_opts_set(handle, 0, nil, nil)
            mosquitto_tls_insecure_set(handle, true)
        }
    }

    deinit {
        mosquitto_destroy(handle)
    }

    /// Connects (and keeps reconnecting) until graceful shutdown, then disconnects.
    public func run() async throws {
        let address = "\(config.brokerHost):\(config.brokerPort)"
        // The network thread must run before the first connection attempt: when `mosquitto_connect_async`
        // fails before `mosquitto_loop_start`, libmosquitto's thread never retries.
        mosquitto_loop_start(handle)
        let rc = mosquitto_connect_async(handle, config.brokerHost, Int32(config.brokerPort), 60)
        if rc != MOSQ_ERR_SUCCESS.rawValue {
            logger.warning("MQTT: first connection to \(address) failed (\(Self.describe(rc))); retrying in the background")
        }
        try? await gracefulShutdown()
        mosquitto_disconnect(handle)
        // Not forced: cancelling libmosquitto's thread could stop it inside a Swift callback.
        mosquitto_loop_stop(handle, false)
        failAll(ButlerError(.unavailable, "MQTT: Butler is shutting down"))
    }

    /// Publishes `message` to `topic` (QoS 1, not retained) and waits for the broker's acknowledgement.
    /// - Throws: `ButlerError.unavailable` (503) when the broker is not connected or doesn't acknowledge in
    ///   time; `.badRequest` for a topic the broker can't take (empty, wildcards).
    public func publish(topic: String, message: String) async throws {
        let bytes = Array(message.utf8)
        try await withCheckedThrowingContinuation { (acknowledged: CheckedContinuation<Void, any Error>) in
            // The acknowledgement arrives on libmosquitto's thread; it can't be handled before the
            // continuation is registered, because both happen under the lock.
            let mid: Int32? = state.withLock { state in
                guard state.connected else {
                    acknowledged.resume(throwing: ButlerError(
                        .unavailable, "MQTT broker \(config.brokerHost):\(config.brokerPort) is not connected"))
                    return nil
                }
                var mid: Int32 = 0
                let rc = bytes.withUnsafeBytes { mosquitto_publish(handle, &mid, topic, Int32($0.count), $0.baseAddress, 1, false) }
                guard rc == MOSQ_ERR_SUCCESS.rawValue else {
                    acknowledged.resume(throwing: rc == MOSQ_ERR_INVAL.rawValue
                        ? ButlerError.badRequest("Not a valid MQTT topic for publishing: \(topic)")
                        : ButlerError(.unavailable, "MQTT publish failed: \(Self.describe(rc))"))
                    return nil
                }
                state.pending[mid] = acknowledged
                return mid
            }
            guard let mid else { return }
            let timeout = acknowledgeTimeout
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.expire(mid)
            }
        }
    }

    /// Gives up on a publish the broker hasn't acknowledged in time.
    private func expire(_ mid: Int32) {
        let continuation = state.withLock { $0.pending.removeValue(forKey: mid) }
        continuation?.resume(throwing: ButlerError(
            .unavailable, "MQTT broker \(config.brokerHost):\(config.brokerPort) did not acknowledge the message in time"))
    }

    private static func describe(_ rc: Int32) -> String {
        String(cString: mosquitto_strerror(rc))
    }

    private func failAll(_ error: any Error) {
        let pending = state.withLock { state in
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for continuation in pending { continuation.resume(throwing: error) }
    }

    fileprivate func didConnect(_ rc: Int32) {
        let connected = rc == 0
        if connected {
            let status = Array("Connected to MQTT broker \(config.brokerHost):\(config.brokerPort) with client ID \(clientID)".utf8)
            _ = status.withUnsafeBytes { mosquitto_publish(handle, nil, "qliksense/butler/mqtt/status", Int32($0.count), $0.baseAddress, 0, false) }
            let subscribed = mosquitto_subscribe(handle, nil, config.subscriptionRootTopic, 1)
            if subscribed != MOSQ_ERR_SUCCESS.rawValue {
                logger.error("MQTT: could not subscribe to \(config.subscriptionRootTopic): \(Self.describe(subscribed))")
            }
        }
        state.withLock { $0.connected = connected }
        if connected {
            logger.info("MQTT: connected to \(config.brokerHost):\(config.brokerPort), subscribed to \(config.subscriptionRootTopic)")
        } else {
            logger.warning("MQTT: the broker refused the connection: \(String(cString: mosquitto_connack_string(rc)))")
        }
    }

    fileprivate func didDisconnect(_ rc: Int32) {
        state.withLock { $0.connected = false }
        if rc != 0 { logger.warning("MQTT: disconnected from \(config.brokerHost):\(config.brokerPort) (\(Self.describe(rc))); reconnecting") }
        failAll(ButlerError(.unavailable, "MQTT broker \(config.brokerHost):\(config.brokerPort) disconnected"))
    }

    fileprivate func didReceive(_ message: MQTTMessage) {
        onMessage(message)
    }

    fileprivate func didPublish(_ mid: Int32) {
        let continuation = state.withLock { $0.pending.removeValue(forKey: mid) }
        continuation?.resume()
    }
}

// libmosquitto's callbacks: C functions that find the connection through the user-data pointer. They run
// on libmosquitto's network thread.
private func connection(_ pointer: UnsafeMutableRawPointer?) -> MQTTConnection? {
    pointer.map { Unmanaged<MQTTConnection>.fromOpaque($0).takeUnretainedValue() }
}

private let mqttDidConnect: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Void = { _, user, rc in
    connection(user)?.didConnect(rc)
}

private let mqttDidDisconnect: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Void = { _, user, rc in
    connection(user)?.didDisconnect(rc)
}

private let mqttDidReceive: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafePointer<mosquitto_message>?) -> Void = { _, user, message in
    guard let message = message?.pointee, let topic = message.topic else { return }
    let payload = message.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(message.payloadlen))) } ?? []
    connection(user)?.didReceive(MQTTMessage(topic: String(cString: topic), payload: payload))
}

private let mqttDidPublish: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Void = { _, user, mid in
    connection(user)?.didPublish(mid)
}

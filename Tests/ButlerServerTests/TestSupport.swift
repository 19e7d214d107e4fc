import ButlerCore
import ButlerServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// Builds Butler with `buildApplication` (the same composition root `butler` uses), with an in-memory
/// key-value store unless told otherwise, and runs `body` against it through Hummingbird's test client.
func withButler(
    _ config: ButlerConfig = .forTests(),
    rateLimit: Int = 0,
    clock: any WallClock = SystemWallClock(),
    store: (any KeyValueStore)? = InMemoryKeyValueStore(),
    testing: TestingSetup = .router,
    idleTimeout: Duration = .seconds(30),
    outboundTimeout: Duration = .seconds(5),
    qlikSense: (any QlikSenseTasks)? = nil,
    udpBound: @escaping @Sendable (Int) -> Void = { _ in },
    logger: Logger? = nil,
    requestDeadlines: (head: Duration, body: Duration) = (.seconds(10), .seconds(30)),
    _ body: @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    var options = ServerOptions()
    options.apiRateLimit = rateLimit
    options.clock = clock
    options.keyValueStore = store
    options.idleTimeout = idleTimeout
    options.outboundTimeout = outboundTimeout
    options.qlikSenseTasks = qlikSense
    options.onUDPBound = udpBound
    var defaultLogger = Logger(label: "butler-test")
    defaultLogger.logLevel = .warning
    options.logger = logger ?? defaultLogger
    (options.requestHeadTimeout, options.requestBodyTimeout) = requestDeadlines
    let app = try buildApplication(config: config, options: options)
    try await app.test(testing, body)
}

extension ButlerConfig {
    /// A config with every endpoint switched on, on a port the OS picks.
    static func forTests(endpoints: EndpointSwitches = .all, maxKeysPerNamespace: Int = 1000) -> ButlerConfig {
        var config = ButlerConfig()
        config.restServer.serverPort = 0
        config.endpoints = endpoints
        config.keyValueStore.maxKeysPerNamespace = maxKeysPerNamespace
        return config
    }
}

extension TestClientProtocol {
    /// Sends a request with an optional JSON body (as text, so tests can send exactly what a client sends).
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if json != nil && headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    /// The body parsed as JSON (a failed expectation if it isn't).
    var json: JSONValue? {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))
        } catch {
            Issue.record("body is not JSON: \(String(buffer: body))")
            return nil
        }
    }

    var text: String { String(buffer: body) }
}

/// Butler's error body.
func butlerError(_ status: Int, _ reason: String, _ message: String, code: String? = nil) -> JSONValue {
    var fields: [String: JSONValue] = ["statusCode": .number(Double(status)), "error": .string(reason), "message": .string(message)]
    if let code { fields["code"] = .string(code) }
    return .object(fields)
}

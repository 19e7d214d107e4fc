import ButlerCore
import ButlerStore
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging

/// The composition root: builds Butler's REST server, its routes and its background services from one
/// config value. Used by `butler` and by the tests.
///
/// - Throws: `ButlerError` when the database can't be opened, or the TLS files can't be loaded.
public func buildApplication(config: ButlerConfig, options: ServerOptions = .init()) throws -> some ApplicationProtocol {
    let logger = options.logger
    let keyValueStore = try options.keyValueStore
        ?? SQLiteKeyValueStore(database: ButlerDatabase(path: config.database.file))
    let keyValues = KeyValueService(
        store: keyValueStore, clock: options.clock, maxKeysPerNamespace: config.keyValueStore.maxKeysPerNamespace)

    let router = Router(context: ButlerRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: ErrorMiddleware())
    let endpoints = config.endpoints
    if endpoints.isEnabled(.apiListEnabledEndpoints) { EndpointListController(endpoints: endpoints).register(on: router) }
    if endpoints.isEnabled(.butlerping) { PingController().register(on: router) }
    BaseConversionController(endpoints: endpoints).register(on: router)
    if endpoints.isEnabled(.keyValueStore) { KeyValueController(store: keyValues).register(on: router) }

    let rateLimiter = options.apiRateLimit > 0
        ? FixedWindowRateLimiter(limit: options.apiRateLimit, clock: options.clock) : nil
    let responder = PreRoutingResponder(
        middleware: preRoutingMiddleware(rateLimiter: rateLimiter), inner: router.buildResponder())

    let tls = config.restServer.tls
    let server: HTTPServerBuilder = tls.enable ? try .tls(.http1(), tlsConfiguration: makeTLSConfiguration(tls)) : .http1()
    return Application(
        responder: responder,
        server: server,
        configuration: .init(
            address: .hostname(config.restServer.serverHost, port: config.restServer.serverPort),
            serverName: "Butler"),
        services: [KeyValuePurgeService(store: keyValues, interval: options.purgeInterval, logger: logger)],
        logger: logger
    )
}

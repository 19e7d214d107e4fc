import ButlerCore
import ButlerStore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL

/// What the command line adds to the config file, and what tests replace.
public struct ServerOptions: Sendable {
    /// `--api-rate-limit`: requests per minute per client address; 0 turns the limit off.
    public var apiRateLimit: Int = 100
    /// The wall clock for TTLs and rate limits.
    public var clock: any WallClock = SystemWallClock()
    /// The key-value store; `nil` opens the SQLite store at `Butler.database.file`.
    public var keyValueStore: (any KeyValueStore)?
    /// How often expired key-value pairs are purged from storage.
    public var purgeInterval: Duration = .seconds(60)
    /// The application's logger (its level decides what is logged).
    public var logger: Logger = Logger(label: "butler")

    public init() {}
}

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

/// HTTPS from `Butler.restServerConfig.tls`: the PEM certificate chain and key; with `ca`, clients that
/// present a certificate must present one the CA signed (clients without one are still served, as with
/// Butler, whose `ca` did not require client certificates).
func makeTLSConfiguration(_ tls: TLSConfig) throws -> TLSConfiguration {
    func load<T>(_ what: String, _ path: String?, _ body: (String) throws -> T) throws -> T {
        guard let path, !path.isEmpty else { throw ButlerError.failed("REST API TLS \(what) file is not set") }
        do {
            return try body(path)
        } catch {
            throw ButlerError.failed("REST API TLS \(what) file could not be loaded (\(path)): \(error)")
        }
    }
    let chain = try load("cert", tls.cert) { try NIOSSLCertificate.fromPEMFile($0) }
    let key = try load("key", tls.key) { try NIOSSLPrivateKey(file: $0, format: .pem) }
    var configuration = TLSConfiguration.makeServerConfiguration(
        certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    if let ca = tls.ca, !ca.isEmpty {
        let roots = try load("CA", ca) { try NIOSSLCertificate.fromPEMFile($0) }
        configuration.trustRoots = .certificates(roots)
        configuration.certificateVerification = .optionalVerification
    }
    return configuration
}

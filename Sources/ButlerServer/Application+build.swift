import ButlerCore
import ButlerNotifications
import ButlerStore
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import QlikSense
import ServiceLifecycle

/// The composition root: builds Butler's REST server, its routes and its background services from one
/// config value. Used by `butler` and by the tests.
///
/// - Throws: `ButlerError` when the database can't be opened, or the TLS files can't be loaded. Services
///   built before the failure that own connections (HTTP clients) are closed first.
public func buildApplication(config: ButlerConfig, options: ServerOptions = .init()) throws -> some ApplicationProtocol {
    var services: [any Service] = []
    do {
        return try assembleApplication(config: config, options: options, services: &services)
    } catch {
        for case let service as any ClosableService in services { service.closeNow() }
        throw error
    }
}

private func assembleApplication(config: ButlerConfig, options: ServerOptions, services: inout [any Service]) throws -> some ApplicationProtocol {
    let logger = options.logger
    let endpoints = config.endpoints

    let router = Router(context: ButlerRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: ErrorMiddleware())
    if endpoints.isEnabled(.apiListEnabledEndpoints) { EndpointListController(endpoints: endpoints).register(on: router) }
    if endpoints.isEnabled(.butlerping) { PingController().register(on: router) }
    BaseConversionController(endpoints: endpoints).register(on: router)
    if [.fileCopy, .fileMove, .fileDelete, .createDir, .createDirQVD].contains(where: endpoints.isEnabled) {
        let (files, warnings) = try FileService.make(
            config: config.files, createDirEnabled: endpoints.isEnabled(.createDir), logger: logger)
        for warning in warnings { logger.warning("Config: \(warning)") }
        FileController(files: files, endpoints: endpoints).register(on: router)
    }
    var qrs: QRSClient?
    if options.qlikSenseConnection, config.qlikSense.qrs != nil {
        let client = try QRSClient(config: config.qlikSense, logger: logger)
        services.append(client)
        qrs = client
    }
    let qlikSenseTasks = options.qlikSenseTasks ?? qrs
    let taskStarts = qlikSenseTasks.map {
        TaskStartService(site: $0, filter: config.startTaskFilter, logger: logger)
    }
    var mqtt: MQTTConnection?
    if config.mqtt.enable {
        let taskStartHandler = MQTTTaskStartHandler(
            taskStartTopic: config.mqtt.taskStartTopic, taskStarts: taskStarts, logger: logger)
        let connection = try MQTTConnection(
            config: config.mqtt, acknowledgeTimeout: options.outboundTimeout, logger: logger,
            onMessage: taskStartHandler.handle)
        services.append(connection)
        mqtt = connection
    }
    if endpoints.isEnabled(.mqttPublishMessage) { MQTTController(connection: mqtt).register(on: router) }
    let http = OutboundHTTPClient(timeout: options.outboundTimeout)
    if endpoints.isEnabled(.slackPostMessage) {
        SlackController(slack: SlackMessenger(webhookURL: config.slack.restMessageWebhookURL, http: http)).register(on: router)
    }
    if endpoints.isEnabled(.postNewRelicEvent) || endpoints.isEnabled(.postNewRelicMetric) {
        let poster = NewRelicPoster(config: config.newRelic, http: http, logger: logger)
        NewRelicController(newRelic: poster, endpoints: endpoints, clock: options.clock).register(on: router)
    }
    // As in Butler, the `keyValueStore` switch alone decides whether the store exists.
    // One database for everything durable, opened only when something needs it.
    var openedDatabase: ButlerDatabase?
    func database() throws -> ButlerDatabase {
        if let openedDatabase { return openedDatabase }
        let opened = try ButlerDatabase(path: config.database.file)
        openedDatabase = opened
        return opened
    }
    var keyValues: KeyValueService?
    if endpoints.isEnabled(.keyValueStore) {
        let store = try options.keyValueStore ?? SQLiteKeyValueStore(database: database())
        let service = KeyValueService(
            store: store, clock: options.clock, maxKeysPerNamespace: config.keyValueStore.maxKeysPerNamespace)
        KeyValueController(store: service).register(on: router)
        services.append(KeyValuePurgeService(store: service, interval: options.purgeInterval, logger: logger))
        keyValues = service
    }
    // Decision 10: with `scheduler.enable: false` the scheduler doesn't run and its routes don't exist.
    if config.scheduler.enable {
        // Scheduled starts share the start-task route's allow-list and concurrency limit.
        let scheduler = try Scheduler(
            file: ScheduleFile(path: config.scheduler.configFile), taskStarts: taskStarts,
            maxSchedules: config.scheduler.maxSchedules, clock: options.clock, logger: logger)
        ScheduleController(scheduler: scheduler, endpoints: endpoints).register(on: router)
        services.append(ScheduleRunner(scheduler: scheduler, clock: options.clock, logger: logger))
    }
    if endpoints.isEnabled(.senseStartTask) {
        ReloadTaskController(taskStarts: taskStarts, keyValues: keyValues, logger: logger).register(on: router)
    }
    if [.senseAppReload, .senseAppDump, .senseListApps].contains(where: endpoints.isEnabled) {
        let engine = options.qlikSenseConnection && config.qlikSense.engine != nil
            ? try EngineClient(config: config.qlikSense, logger: logger) : nil
        AppController(apps: engine, taskStarts: taskStarts, endpoints: endpoints, logger: logger).register(on: router)
    }

    if config.udpServer.enable {
        let destinations = try reloadEventDestinations(config: config, options: options, mqtt: mqtt, http: http, services: &services)
        let dispatcher = ReloadEventDispatcher(
            destinations: destinations, enricher: ReloadEventEnricher(site: qrs, logger: logger, clock: options.clock), clock: options.clock, logger: logger)
        let intake = ReloadEventIntake(
            config: config.udpServer, allowedAddresses: try UDPListener.allowedAddresses(config.udpServer, logger: logger),
            deduplication: config.udpServer.deduplication ? try SQLiteExecutionDeduplication(database: database(), now: options.clock.now, logger: logger) : nil,
            clock: options.clock, logger: logger, handler: { try await dispatcher.dispatch($0) })
        services.append(UDPListener(
            config: config.udpServer, intake: intake, logger: logger, onBound: options.onUDPBound, onStop: dispatcher.cancelDistributePolls))
    }

    let rateLimiter = options.apiRateLimit > 0
        ? FixedWindowRateLimiter(limit: options.apiRateLimit, clock: options.clock) : nil
    let access = try accessGuard(config.restServer, logger: logger)
    let responder = PreRoutingResponder(
        middleware: preRoutingMiddleware(access: access, rateLimiter: rateLimiter), inner: router.buildResponder())

    let tls = config.restServer.tls
    let limits = ConnectionGuard.Limits(
        maxConnections: config.restServer.maxConnections, headTimeout: options.requestHeadTimeout,
        bodyTimeout: options.requestBodyTimeout, logger: logger)
    let http1 = HTTPServerBuilder.http1(configuration: .init(
        additionalChannelHandlers: [ConnectionGuard(limits: limits)], idleTimeout: TimeAmount(options.idleTimeout)))
    let server = tls.enable ? try .tls(http1, tlsConfiguration: makeTLSConfiguration(tls)) : http1
    return Application(
        responder: responder,
        server: server,
        configuration: .init(
            address: .hostname(config.restServer.serverHost, port: config.restServer.serverPort),
            serverName: "Butler"),
        services: services,
        logger: logger
    )
}

/// The access guard for `Butler.restServerConfig`, with the start-up log lines that say what it enforces.
private func accessGuard(_ config: RestServerConfig, logger: Logger) throws -> AccessGuardMiddleware {
    let keyring = try APIKeyring(config: config.auth)
    let browser = BrowserRequestPolicy(config: config)
    if keyring.isEmpty {
        logger.info("API: no API keys are configured (restServerConfig.auth.apiKeys): every client that reaches the REST API may call it")
    } else {
        logger.info("API: \(keyring.keys.count) API key(s) configured; every request needs one")
    }
    if browser.hostRule == .any {
        logger.warning("API: listening on \(config.serverHost) without restServerConfig.allowedHosts: requests naming any host are served (no DNS-rebinding defence)")
    }
    return AccessGuardMiddleware(allowedClients: config.allowedClients, browser: browser, keyring: keyring)
}

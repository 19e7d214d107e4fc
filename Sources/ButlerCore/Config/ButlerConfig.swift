import Foundation

/// Butler's configuration: the `Butler:` section of Butler's YAML config file, decoded once at start-up.
///
/// Key names are Butler's (see `config/production_template.yaml`). Sections this implementation doesn't
/// use yet are accepted and ignored (`ButlerConfig.acceptedSections`); any other unknown key gives a
/// warning. Relative paths in the config resolve against the working directory, as in Butler.
public struct ButlerConfig: Equatable, Sendable {
    /// `Butler.logLevel`; `--loglevel` overrides it.
    public var logLevel: LogLevel = .info
    /// `Butler.fileLogging`: also write logs to daily files in `logDirectory`.
    public var fileLogging: Bool = false
    /// `Butler.logDirectory`: where daily log files go (`butler.YYYY-MM-DD.log`).
    public var logDirectory: String = "log"
    /// `Butler.restServerConfig`.
    public var restServer: RestServerConfig = .init()
    /// `Butler.restServerEndpointsEnable`: which REST routes exist.
    public var endpoints: EndpointSwitches = .init()
    /// `Butler.keyValueStore`.
    public var keyValueStore: KeyValueStoreConfig = .init()
    /// `Butler.database` (beyond Butler): where durable state lives.
    public var database: DatabaseConfig = .init()
    /// The approved directories of the file routes and the QVD folder.
    public var files: FileOperationsConfig = .init()
    /// `Butler.slackNotification` (the part used by `PUT /v4/slackpostmessage`).
    public var slack: SlackConfig = .init()
    /// New Relic accounts and the settings of the New Relic routes.
    public var newRelic: NewRelicConfig = .init()
    /// `Butler.mqttConfig`.
    public var mqtt: MQTTConfig = .init()
    /// `Butler.configQRS`, `Butler.configEngine`, `Butler.cert`: the Qlik Sense site.
    public var qlikSense: QlikSenseConfig = .init()
    /// `Butler.udpServerConfig`: the Scheduler's UDP messages.
    public var udpServer: UDPServerConfig = .init()
    /// `Butler.qlikSenseUrls` and `Butler.genericUrls`.
    public var urls: QlikSenseURLsConfig = .init()
    /// `Butler.teamsNotification`.
    public var teams: TeamsConfig = .init()
    /// `Butler.incidentTool.signl4`.
    public var signl4: Signl4Config = .init()
    /// `Butler.incidentTool.newRelic` (nil when off).
    public var newRelicIncidents: NewRelicIncidentConfig?
    /// `Butler.emailNotification`.
    public var email: EmailConfig = .init()
    /// `Butler.influxDb`.
    public var influxDB: InfluxDBConfig = .init()
    /// `Butler.scriptLog`.
    public var scriptLog: ScriptLogConfig = .init()
    /// `Butler.webhookNotification`.
    public var webhooks: WebhookConfig = .init()
    /// `Butler.scheduler`.
    public var scheduler: SchedulerConfig = .init()
    /// `Butler.startTaskFilter`: the allow-list for starting Qlik Sense tasks.
    public var startTaskFilter: StartTaskFilter = .init()

    public init() {}
}

extension ButlerConfig: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case logLevel, fileLogging, logDirectory
        case restServer = "restServerConfig"
        case endpoints = "restServerEndpointsEnable"
        case keyValueStore, database
        case fileCopyApprovedDirectories, fileMoveApprovedDirectories, fileDeleteApprovedDirectories
        case createDirApprovedDirectories, configDirectories
        case slackNotification, thirdPartyToolsCredentials, restServerEndpointsConfig
        case mqtt = "mqttConfig"
        case startTaskFilter, scheduler
        case udpServer = "udpServerConfig"
        case webhooks = "webhookNotification"
        case scriptLog
        case influxDB = "influxDb"
        case qlikSenseUrls, genericUrls
        case email = "emailNotification"
        case teams = "teamsNotification"
        case incidentTool
        case cert, configEngine, configQRS
    }

    /// Top-level sections of Butler's config that are valid but not used (yet) by this implementation.
    public static let acceptedSections: Set<String> = [
        "anonTelemetry", "systemInfo", "configVisualisation", "heartbeat", "dockerHealthCheck", "uptimeMonitor",
        "qlikSenseVersion",
        "qlikSenseLicense", "restServerApiDocGenerate",
        "serviceMonitor", "qlikSenseCloud",
    ]

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self, alsoKnown: Self.acceptedSections)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        logLevel = try container.value(.logLevel, default: .info)
        fileLogging = try container.value(.fileLogging, default: false)
        logDirectory = try container.value(.logDirectory, default: "log")
        restServer = try container.value(.restServer, default: .init())
        endpoints = try container.value(.endpoints, default: .init())
        keyValueStore = try container.value(.keyValueStore, default: .init())
        database = try container.value(.database, default: .init())
        // Butler's template leaves these lists empty (null): nothing approved.
        files = FileOperationsConfig(
            copyApprovedDirectories: try container.value(.fileCopyApprovedDirectories, default: []),
            moveApprovedDirectories: try container.value(.fileMoveApprovedDirectories, default: []),
            deleteApprovedDirectories: try container.value(.fileDeleteApprovedDirectories, default: []),
            // Present but empty (`key:` with nothing, only comments, or `[]`) approves nothing; only an
            // absent key lets createdir create anywhere (Butler's behaviour).
            createDirApprovedDirectories: try container.presentList(.createDirApprovedDirectories),
            qvdPath: try container.decodeIfPresent(ConfigDirectories.self, forKey: .configDirectories)?.qvdPath)
        slack = try container.value(.slackNotification, default: .init())
        mqtt = try container.value(.mqtt, default: .init())
        startTaskFilter = try container.value(.startTaskFilter, default: .init())
        scheduler = try container.value(.scheduler, default: .init())
        udpServer = try container.value(.udpServer, default: .init())
        webhooks = try container.value(.webhooks, default: .init())
        scriptLog = try container.value(.scriptLog, default: .init())
        influxDB = try container.value(.influxDB, default: .init())
        email = try container.value(.email, default: .init())
        teams = try container.value(.teams, default: .init())
        let incidentTool = try container.decodeIfPresent(IncidentToolSection.self, forKey: .incidentTool)
        signl4 = incidentTool?.signl4 ?? .init()
        newRelicIncidents = incidentTool?.newRelic
        let links = try container.decodeIfPresent(QlikSenseURLsConfig.Links.self, forKey: .qlikSenseUrls)
        urls = QlikSenseURLsConfig(
            qmc: links?.qmc ?? "", hub: links?.hub ?? "", appBaseUrl: links?.appBaseUrl ?? "",
            generic: try container.decodeIfPresent([QlikSenseURLsConfig.GenericURL].self, forKey: .genericUrls) ?? [])
        qlikSense.qrs = try container.decodeIfPresent(QRSSection.self, forKey: .configQRS)?.endpoint
        if let engine = try container.decodeIfPresent(EngineSection.self, forKey: .configEngine) {
            qlikSense.engine = engine.endpoint
            qlikSense.engineVersion = engine.engineVersion
        }
        qlikSense.certificates = try container.value(.cert, default: .init())
        let endpointSettings = try container.decodeIfPresent(RestServerEndpointsConfig.self, forKey: .restServerEndpointsConfig)
        newRelic = NewRelicConfig(
            accounts: try container.decodeIfPresent(ThirdPartyToolsCredentials.self, forKey: .thirdPartyToolsCredentials)?.newRelic ?? [],
            event: endpointSettings?.event ?? NewRelicConfig.Endpoint(url: NewRelicConfig.defaultEventURL),
            metric: endpointSettings?.metric ?? NewRelicConfig.Endpoint(url: NewRelicConfig.defaultMetricURL))
    }
}

/// `Butler.keyValueStore`.
public struct KeyValueStoreConfig: Equatable, Sendable, Decodable {
    /// `enable`: kept for Butler compatibility; as in Butler, only the `keyValueStore` endpoint switch
    /// decides whether the KV routes exist.
    public var enable: Bool = true
    /// `maxKeysPerNamespace`: the most keys one namespace may hold (Butler ignored it; we enforce it).
    public var maxKeysPerNamespace: Int = 1000

    public init(enable: Bool = true, maxKeysPerNamespace: Int = 1000) {
        self.enable = enable
        self.maxKeysPerNamespace = maxKeysPerNamespace
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enable, maxKeysPerNamespace
    }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enable = try container.value(.enable, default: true)
        maxKeysPerNamespace = try container.integer(.maxKeysPerNamespace, in: 1...Int(Int32.max), default: 1000)
    }
}

/// `Butler.database` (beyond Butler, whose key-value store lived in memory only).
public struct DatabaseConfig: Equatable, Sendable, Decodable {
    /// `file`: the SQLite file for durable state (key-value pairs); its directory is created if missing.
    public var file: String = "data/butler.sqlite"

    public init(file: String = "data/butler.sqlite") {
        self.file = file
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case file
    }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        file = try container.value(.file, default: "data/butler.sqlite")
        if file.isEmpty { throw ConfigError(container.codingPath + [CodingKeys.file], "expected a file path, found an empty string") }
    }
}

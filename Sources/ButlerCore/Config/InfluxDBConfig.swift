/// `Butler.influxDb`: InfluxDB 1.x, where task events are stored as points (spec §7.4–7.5).
///
/// Only `version: 1` (InfluxDB 1.x, line protocol over HTTP) is implemented; another version with
/// `enable: true` stops start-up.
public struct InfluxDBConfig: Equatable, Sendable, Decodable {
    /// What one kind of event stores: its switch, fixed tags, and whether the app's and task's tags are copied.
    public struct Measurement: Equatable, Sendable {
        public var enable: Bool = false
        public var staticTags: [NameValue] = []
        public var useAppTags: Bool = false
        public var useTaskTags: Bool = false
        public var tailScriptLogLines: Int = 20
        /// `reloadTaskSuccess` only: store every success, or only tasks with this custom property value.
        public var allTasks: Bool = true
        public var byCustomProperty: NameValue?

        public init(enable: Bool = false) { self.enable = enable }
    }

    public var enable: Bool = false
    public var host: String = "127.0.0.1"
    public var port: Int = 8086
    public var database: String = "butler"
    public var username: String?
    public var password: String?
    /// `v1Config.retentionPolicy.{name, duration}`, created with the database.
    public var retentionPolicy: (name: String, duration: String)?
    public var staticTags: [NameValue] = []
    /// By section name: `reloadTaskFailure`, `reloadTaskSuccess`, `externalProgramTaskFailure`, …
    public var measurements: [String: Measurement] = [:]

    public init() {}

    public static func == (lhs: InfluxDBConfig, rhs: InfluxDBConfig) -> Bool {
        lhs.enable == rhs.enable && lhs.host == rhs.host && lhs.port == rhs.port && lhs.database == rhs.database
            && lhs.username == rhs.username && lhs.retentionPolicy?.name == rhs.retentionPolicy?.name
            && lhs.staticTags == rhs.staticTags && lhs.measurements == rhs.measurements
    }

    static let sections = ["reloadTaskFailure", "reloadTaskSuccess", "userSyncTaskSuccess", "userSyncTaskFailure",
                           "externalProgramTaskSuccess", "externalProgramTaskFailure", "distributeTaskSuccess", "distributeTaskFailure",
                           "preloadTaskSuccess", "preloadTaskFailure"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        func key(_ name: String) -> AnyCodingKey { AnyCodingKey(name) }
        enable = try c.value(key("enable"), default: false)
        guard enable else { return }
        host = try c.value(key("hostIP"), default: "127.0.0.1")
        port = try c.integer(key("hostPort"), in: 1...65535, default: 8086)
        let version = try c.integer(key("version"), in: 1...3, default: 1)
        guard version == 1 else {
            throw ConfigError(c.codingPath + [key("version")], "only InfluxDB 1.x (version: 1) is supported so far")
        }
        if c.contains(key("v1Config")) {
            let v1 = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("v1Config"))
            database = try v1.value(key("dbName"), default: "butler")
            if v1.contains(key("auth")) {
                let auth = try v1.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("auth"))
                if try auth.value(key("enable"), default: false) {
                    username = try auth.decodeIfPresent(String.self, forKey: key("username"))
                    password = try auth.decodeIfPresent(String.self, forKey: key("password"))
                }
            }
            if v1.contains(key("retentionPolicy")) {
                let policy = try v1.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("retentionPolicy"))
                if let name = try policy.decodeIfPresent(String.self, forKey: key("name")),
                    let duration = try policy.decodeIfPresent(String.self, forKey: key("duration")) {
                    retentionPolicy = (name, duration)
                }
            }
        }
        staticTags = try Self.staticTags(c, key("tag"))
        for section in Self.sections where c.contains(key(section)) {
            let s = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key(section))
            var measurement = Measurement(enable: try s.value(key("enable"), default: false))
            measurement.staticTags = try Self.staticTags(s, key("tag"))
            measurement.tailScriptLogLines = try s.integer(key("tailScriptLogLines"), in: 0...10_000, default: 20)
            if s.contains(key("tag")), let tag = try? s.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("tag")),
                tag.contains(key("dynamic")) {
                let dynamic = try tag.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("dynamic"))
                measurement.useAppTags = try dynamic.value(key("useAppTags"), default: false)
                measurement.useTaskTags = try dynamic.value(key("useTaskTags"), default: false)
            }
            if section == "reloadTaskSuccess" {
                if s.contains(key("allReloadTasks")) {
                    measurement.allTasks = try s.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("allReloadTasks"))
                        .value(key("enable"), default: false)
                } else {
                    measurement.allTasks = false
                }
                if s.contains(key("byCustomProperty")) {
                    let by = try s.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("byCustomProperty"))
                    if try by.value(key("enable"), default: false) {
                        measurement.byCustomProperty = NameValue(
                            name: try by.value(key("customPropertyName"), default: ""), value: try by.decodeScalarAsString(key("enabledValue")))
                    }
                }
            }
            measurements[section] = measurement
        }
    }

    static func staticTags(_ container: KeyedDecodingContainer<AnyCodingKey>, _ key: AnyCodingKey) throws -> [NameValue] {
        guard container.contains(key) else { return [] }
        let tag = try container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key)
        return try tag.decodeIfPresent([NameValue].self, forKey: AnyCodingKey("static")) ?? []
    }
}

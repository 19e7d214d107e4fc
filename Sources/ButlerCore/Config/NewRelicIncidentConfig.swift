/// `Butler.incidentTool.newRelic`: New Relic events and log entries for failed and aborted reloads.
public struct NewRelicIncidentConfig: Equatable, Sendable {
    /// Which accounts get one kind of record, and with which attributes.
    public struct Destination: Equatable, Sendable {
        /// `sendToAccount.always.account` when `always.enable`.
        public var alwaysAccounts: [String] = []
        /// `sendToAccount.byCustomProperty.customPropertyName` when enabled: the task's values name accounts.
        public var accountCustomProperty: String?
        public var staticAttributes: [NameValue] = []
        public var useAppTags = false
        public var useTaskTags = false
        /// Logs only: script-log lines from the end.
        public var tailScriptLogLines = 20

        public init(alwaysAccounts: [String] = [], accountCustomProperty: String? = nil) {
            self.alwaysAccounts = alwaysAccounts
            self.accountCustomProperty = accountCustomProperty
        }
    }

    /// One event kind (`reloadTaskFailure`, `reloadTaskAborted`).
    public struct Alert: Equatable, Sendable {
        public var event: Destination?
        public var log: Destination?
        /// `sharedSettings.rateLimit` (seconds per task).
        public var rateLimit = 300
        public var headers: [NameValue] = []
        public var staticAttributes: [NameValue] = []

        public init(event: Destination? = nil, log: Destination? = nil) {
            self.event = event
            self.log = log
        }
    }

    /// `url.event`: the account path `/v1/accounts/<id>/events` is appended.
    public var eventURL = "https://insights-collector.newrelic.com"
    /// `url.log`: the Log API's URL.
    public var logURL = "https://log-api.newrelic.com/log/v1"
    public var reloadTaskFailure: Alert?
    public var reloadTaskAborted: Alert?

    public init(eventURL: String = "https://insights-collector.newrelic.com", logURL: String = "https://log-api.newrelic.com/log/v1",
                reloadTaskFailure: Alert? = nil, reloadTaskAborted: Alert? = nil) {
        self.eventURL = eventURL
        self.logURL = logURL
        self.reloadTaskFailure = reloadTaskFailure
        self.reloadTaskAborted = reloadTaskAborted
    }

    /// Reads `incidentTool.newRelic` (nil when absent or `enable: false`).
    static func decode(incidentTool decoder: any Decoder) throws -> NewRelicIncidentConfig? {
        func key(_ name: String) -> AnyCodingKey { AnyCodingKey(name) }
        let tool = try decoder.container(keyedBy: AnyCodingKey.self)
        guard tool.contains(key("newRelic")) else { return nil }
        let n = try tool.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("newRelic"))
        guard try n.value(key("enable"), default: false) else { return nil }
        var config = NewRelicIncidentConfig()
        if n.contains(key("url")) {
            let url = try n.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("url"))
            config.eventURL = try url.value(key("event"), default: config.eventURL)
            config.logURL = try url.value(key("log"), default: config.logURL)
        }
        func statics(_ c: KeyedDecodingContainer<AnyCodingKey>) throws -> [NameValue] {
            guard c.contains(key("attribute")) else { return [] }
            let a = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("attribute"))
            return try a.decodeIfPresent([NameValue].self, forKey: key("static")) ?? []
        }
        func destination(_ c: KeyedDecodingContainer<AnyCodingKey>, _ name: String) throws -> Destination? {
            guard c.contains(key(name)) else { return nil }
            let d = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key(name))
            guard try d.value(key("enable"), default: false) else { return nil }
            var destination = Destination()
            destination.tailScriptLogLines = try d.integer(key("tailScriptLogLines"), in: 0...10_000, default: 20)
            if d.contains(key("sendToAccount")) {
                let to = try d.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("sendToAccount"))
                if to.contains(key("always")) {
                    let always = try to.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("always"))
                    if try always.value(key("enable"), default: false) {
                        destination.alwaysAccounts = try always.decodeIfPresent([String].self, forKey: key("account")) ?? []
                    }
                }
                if to.contains(key("byCustomProperty")) {
                    let by = try to.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("byCustomProperty"))
                    if try by.value(key("enable"), default: false) {
                        destination.accountCustomProperty = try by.decodeIfPresent(String.self, forKey: key("customPropertyName"))
                    }
                }
            }
            destination.staticAttributes = try statics(d)
            if d.contains(key("attribute")) {
                let a = try d.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("attribute"))
                if a.contains(key("dynamic")) {
                    let dynamic = try a.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("dynamic"))
                    destination.useAppTags = try dynamic.value(key("useAppTags"), default: false)
                    destination.useTaskTags = try dynamic.value(key("useTaskTags"), default: false)
                }
            }
            return destination
        }
        for name in ["reloadTaskFailure", "reloadTaskAborted"] where n.contains(key(name)) {
            let section = try n.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key(name))
            var alert = Alert()
            if section.contains(key("destination")) {
                let d = try section.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("destination"))
                alert.event = try destination(d, "event")
                alert.log = try destination(d, "log")
            }
            if section.contains(key("sharedSettings")) {
                let shared = try section.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("sharedSettings"))
                alert.rateLimit = try shared.integer(key("rateLimit"), in: 0...86_400 * 30, default: 300)
                alert.headers = try shared.decodeIfPresent([NameValue].self, forKey: key("header")) ?? []
                alert.staticAttributes = try statics(shared)
            }
            guard alert.event != nil || alert.log != nil else { continue }
            if name == "reloadTaskFailure" { config.reloadTaskFailure = alert } else { config.reloadTaskAborted = alert }
        }
        return config
    }
}

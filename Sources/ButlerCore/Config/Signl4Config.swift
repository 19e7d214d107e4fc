/// `Butler.incidentTool.signl4`: Signl4 alerts for failed and aborted reloads.
public struct Signl4Config: Equatable, Sendable {
    public struct Alert: Equatable, Sendable {
        public var rateLimit: Int = 300
        public var serviceName: String = "Qlik Sense"
        public var severity: Int = 1

        public init(rateLimit: Int = 300, serviceName: String = "Qlik Sense", severity: Int = 1) {
            self.rateLimit = rateLimit
            self.serviceName = serviceName
            self.severity = severity
        }
    }

    public var url: String = ""
    public var reloadTaskFailure: Alert?
    public var reloadTaskAborted: Alert?

    public init(url: String = "", reloadTaskFailure: Alert? = nil, reloadTaskAborted: Alert? = nil) {
        self.url = url
        self.reloadTaskFailure = reloadTaskFailure
        self.reloadTaskAborted = reloadTaskAborted
    }

    /// Reads `incidentTool` (only its `signl4` part; `newRelic` is accepted).
    static func decode(incidentTool decoder: any Decoder) throws -> Signl4Config {
        var config = Signl4Config()
        let tool = try decoder.container(keyedBy: AnyCodingKey.self)
        guard tool.contains(AnyCodingKey("signl4")) else { return config }
        let s = try tool.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("signl4"))
        guard try s.value(AnyCodingKey("enable"), default: false) else { return config }
        config.url = try s.value(AnyCodingKey("url"), default: "")
        guard !config.url.isEmpty else { throw ConfigError(s.codingPath + [AnyCodingKey("url")], "must be set when Signl4 is enabled") }
        for name in ["reloadTaskFailure", "reloadTaskAborted"] where s.contains(AnyCodingKey(name)) {
            let a = try s.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey(name))
            guard try a.value(AnyCodingKey("enable"), default: false) else { continue }
            let alert = Alert(
                rateLimit: try a.integer(AnyCodingKey("rateLimit"), in: 0...86_400 * 30, default: 300),
                serviceName: try a.value(AnyCodingKey("serviceName"), default: "Qlik Sense"),
                severity: try a.integer(AnyCodingKey("severity"), in: 0...1000, default: name == "reloadTaskFailure" ? 1 : 10))
            if name == "reloadTaskFailure" { config.reloadTaskFailure = alert } else { config.reloadTaskAborted = alert }
        }
        return config
    }
}

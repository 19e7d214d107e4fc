/// `Butler.scheduler`: whether the scheduler runs, and its schedule file.
public struct SchedulerConfig: Equatable, Sendable, Decodable {
    public var enable: Bool = false
    /// `configfile`: the schedule file (Butler's YAML format, `butlerSchedule:` list), relative to the
    /// working directory.
    public var configFile: String = "config/schedule.yaml"

    public init(enable: Bool = false, configFile: String = "config/schedule.yaml") {
        self.enable = enable
        self.configFile = configFile
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enable
        case configFile = "configfile"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enable = try container.value(.enable, default: false)
        configFile = try container.value(.configFile, default: "config/schedule.yaml")
    }
}

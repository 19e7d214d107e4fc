/// `Butler.scheduler`: whether the scheduler runs, its schedule file, and how many schedules it keeps.
public struct SchedulerConfig: Equatable, Sendable, Decodable {
    public var enable: Bool = false
    /// `configfile`: the schedule file (Butler's YAML format, `butlerSchedule:` list), relative to the
    /// working directory.
    public var configFile: String = "config/schedule.yaml"
    /// `maxSchedules` (beyond Butler, which had no limit): `POST /v4/schedules` beyond this many
    /// schedules is refused with 400. Default 1,000; 1 to 10,000,000.
    public var maxSchedules: Int = 1000

    public init(enable: Bool = false, configFile: String = "config/schedule.yaml", maxSchedules: Int = 1000) {
        self.enable = enable
        self.configFile = configFile
        self.maxSchedules = maxSchedules
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enable
        case configFile = "configfile"
        case maxSchedules
    }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enable = try container.value(.enable, default: false)
        configFile = try container.value(.configFile, default: "config/schedule.yaml")
        maxSchedules = try container.integer(.maxSchedules, in: 1...10_000_000, default: 1000)
    }
}

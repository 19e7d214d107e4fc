/// `Butler.scriptLog.storeOnDisk.clientManaged.reloadTaskFailure`: where script logs of failed reloads are
/// kept, and (beyond Butler) how much of them: `maxTotalSizeMB` (default 1024) caps the folder, and
/// `minIntervalPerTaskSeconds` (default 60) keeps at most one log per task in that time, so a flood of
/// failure datagrams can't fill the disk (issue 12, item 7).
public struct ScriptLogConfig: Equatable, Sendable, Decodable {
    /// nil when storing is off.
    public var failedReloadDirectory: String?
    /// The folder's size cap in bytes (`maxTotalSizeMB` × 1,048,576); a log that would pass it isn't stored.
    public var maxTotalBytes: Int64 = 1024 * 1_048_576
    /// Least seconds between two stored logs of one task; 0 = no limit.
    public var minIntervalPerTaskSeconds: Int = 60

    public init(failedReloadDirectory: String? = nil, maxTotalBytes: Int64 = 1024 * 1_048_576, minIntervalPerTaskSeconds: Int = 60) {
        self.failedReloadDirectory = failedReloadDirectory
        self.maxTotalBytes = maxTotalBytes
        self.minIntervalPerTaskSeconds = minIntervalPerTaskSeconds
    }

    struct StoreOnDisk: Decodable { var clientManaged: ClientManaged? }
    struct ClientManaged: Decodable { var reloadTaskFailure: Target? }
    struct Target: Decodable {
        var enable: Bool?
        var logDirectory: String?
        var maxTotalSizeMB: Int?
        var minIntervalPerTaskSeconds: Int?
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case storeOnDisk }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let target = try c.decodeIfPresent(StoreOnDisk.self, forKey: .storeOnDisk)?.clientManaged?.reloadTaskFailure
        let path = "clientManaged.reloadTaskFailure"
        if let size = target?.maxTotalSizeMB {
            guard (1...10_000_000).contains(size) else {
                throw ConfigError(c.codingPath + [CodingKeys.storeOnDisk], "\(path).maxTotalSizeMB must be between 1 and 10000000 (MB)")
            }
            maxTotalBytes = Int64(size) * 1_048_576
        }
        if let interval = target?.minIntervalPerTaskSeconds {
            guard (0...86_400).contains(interval) else {
                throw ConfigError(c.codingPath + [CodingKeys.storeOnDisk], "\(path).minIntervalPerTaskSeconds must be between 0 and 86400")
            }
            minIntervalPerTaskSeconds = interval
        }
        if target?.enable == true {
            guard let directory = target?.logDirectory, !directory.isEmpty else {
                throw ConfigError(c.codingPath + [CodingKeys.storeOnDisk], "\(path).logDirectory must be set when enable is true")
            }
            failedReloadDirectory = directory
        }
    }
}

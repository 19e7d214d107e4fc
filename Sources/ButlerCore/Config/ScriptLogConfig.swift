/// `Butler.scriptLog.storeOnDisk.clientManaged.reloadTaskFailure`: where script logs of failed reloads are kept.
public struct ScriptLogConfig: Equatable, Sendable, Decodable {
    /// nil when storing is off.
    public var failedReloadDirectory: String?

    public init(failedReloadDirectory: String? = nil) {
        self.failedReloadDirectory = failedReloadDirectory
    }

    struct StoreOnDisk: Decodable { var clientManaged: ClientManaged? }
    struct ClientManaged: Decodable { var reloadTaskFailure: Target? }
    struct Target: Decodable {
        var enable: Bool?
        var logDirectory: String?
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case storeOnDisk }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let target = try c.decodeIfPresent(StoreOnDisk.self, forKey: .storeOnDisk)?.clientManaged?.reloadTaskFailure
        if target?.enable == true {
            guard let directory = target?.logDirectory, !directory.isEmpty else {
                throw ConfigError(c.codingPath + [CodingKeys.storeOnDisk], "clientManaged.reloadTaskFailure.logDirectory must be set when enable is true")
            }
            failedReloadDirectory = directory
        }
    }
}

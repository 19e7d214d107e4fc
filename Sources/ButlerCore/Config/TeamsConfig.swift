/// `Butler.teamsNotification`: Microsoft Teams alerts for failed and aborted reloads (the `serviceStopped`
/// and `serviceStarted` sections are accepted).
public struct TeamsConfig: Equatable, Sendable, Decodable {
    public var reloadTaskFailure: ChatAlertConfig?
    public var reloadTaskAborted: ChatAlertConfig?

    public init(reloadTaskFailure: ChatAlertConfig? = nil, reloadTaskAborted: ChatAlertConfig? = nil) {
        self.reloadTaskFailure = reloadTaskFailure
        self.reloadTaskAborted = reloadTaskAborted
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case enable, reloadTaskFailure, reloadTaskAborted }
    struct Switch: Decodable { var enable: Bool? }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self, alsoKnown: ["serviceStopped", "serviceStarted"])
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard try c.value(.enable, default: false) else { return }
        if try c.decodeIfPresent(Switch.self, forKey: .reloadTaskFailure)?.enable == true {
            reloadTaskFailure = try c.decode(ChatAlertConfig.self, forKey: .reloadTaskFailure)
        }
        if try c.decodeIfPresent(Switch.self, forKey: .reloadTaskAborted)?.enable == true {
            reloadTaskAborted = try c.decode(ChatAlertConfig.self, forKey: .reloadTaskAborted)
        }
    }
}

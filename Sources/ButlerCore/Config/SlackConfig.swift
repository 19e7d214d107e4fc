/// `Butler.slackNotification`: the incoming webhook of `PUT /v4/slackpostmessage`, and the reload alerts.
public struct SlackConfig: Equatable, Sendable, Decodable {
    /// `restMessage.webhookURL`: the incoming webhook that `PUT /v4/slackpostmessage` posts to.
    public var restMessageWebhookURL: String?
    /// `reloadTaskFailure` / `reloadTaskAborted` when `enable` (and their own `enable`) are true.
    public var reloadTaskFailure: ChatAlertConfig?
    public var reloadTaskAborted: ChatAlertConfig?

    public init(restMessageWebhookURL: String? = nil, reloadTaskFailure: ChatAlertConfig? = nil, reloadTaskAborted: ChatAlertConfig? = nil) {
        self.restMessageWebhookURL = restMessageWebhookURL
        self.reloadTaskFailure = reloadTaskFailure
        self.reloadTaskAborted = reloadTaskAborted
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enable, restMessage, reloadTaskFailure, reloadTaskAborted
    }

    struct RestMessage: Decodable {
        var webhookURL: String?
    }

    struct Switch: Decodable {
        var enable: Bool?
    }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self, alsoKnown: ["serviceStopped", "serviceStarted"])
        let container = try decoder.container(keyedBy: CodingKeys.self)
        restMessageWebhookURL = try container.decodeIfPresent(RestMessage.self, forKey: .restMessage)?.webhookURL
        guard try container.value(.enable, default: false) else { return }
        if try container.decodeIfPresent(Switch.self, forKey: .reloadTaskFailure)?.enable == true {
            reloadTaskFailure = try container.decode(ChatAlertConfig.self, forKey: .reloadTaskFailure)
        }
        if try container.decodeIfPresent(Switch.self, forKey: .reloadTaskAborted)?.enable == true {
            reloadTaskAborted = try container.decode(ChatAlertConfig.self, forKey: .reloadTaskAborted)
        }
    }
}

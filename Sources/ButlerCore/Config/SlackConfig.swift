/// `Butler.slackNotification`: only `restMessage.webhookURL` (for `PUT /v4/slackpostmessage`) is used so
/// far; the reload-alert sections are accepted.
public struct SlackConfig: Equatable, Sendable, Decodable {
    /// `restMessage.webhookURL`: the incoming webhook that `PUT /v4/slackpostmessage` posts to.
    public var restMessageWebhookURL: String?

    public init(restMessageWebhookURL: String? = nil) {
        self.restMessageWebhookURL = restMessageWebhookURL
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case restMessage
    }

    struct RestMessage: Decodable {
        var webhookURL: String?
    }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(
            CodingKeys.self, alsoKnown: ["enable", "reloadTaskFailure", "reloadTaskAborted", "serviceStopped", "serviceStarted"])
        let container = try decoder.container(keyedBy: CodingKeys.self)
        restMessageWebhookURL = try container.decodeIfPresent(RestMessage.self, forKey: .restMessage)?.webhookURL
    }
}

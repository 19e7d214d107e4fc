/// One Slack or Teams reload alert (`slackNotification.reloadTaskFailure`, `teamsNotification.reloadTaskAborted`, …):
/// where it goes and how it looks. `channel`, `fromUser` and `iconEmoji` are Slack's.
public struct ChatAlertConfig: Equatable, Sendable, Decodable {
    public enum MessageType: String, Sendable, Decodable { case basic, formatted }
    public var webhookURL: String
    public var channel: String = ""
    public var messageType: MessageType = .basic
    public var basicMsgTemplate: String = "Qlik Sense reload: \"{{taskName}}\""
    /// Seconds between two alerts for the same task.
    public var rateLimit: Int = 300
    public var headScriptLogLines: Int = 10
    public var tailScriptLogLines: Int = 10
    /// A Handlebars template that renders the channel's JSON (`formatted`).
    public var templateFile: String?
    public var fromUser: String = "Qlik Sense"
    public var iconEmoji: String = ":warning:"

    public init(webhookURL: String, messageType: MessageType = .basic, templateFile: String? = nil) {
        self.webhookURL = webhookURL
        self.messageType = messageType
        self.templateFile = templateFile
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enable, webhookURL, channel, messageType, basicMsgTemplate, rateLimit, headScriptLogLines, tailScriptLogLines
        case templateFile, fromUser, iconEmoji
    }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        webhookURL = try c.value(.webhookURL, default: "")
        guard !webhookURL.isEmpty else { throw ConfigError(c.codingPath + [CodingKeys.webhookURL], "must be set when the alert is enabled") }
        channel = try c.value(.channel, default: "")
        messageType = try c.value(.messageType, default: .basic)
        basicMsgTemplate = try c.value(.basicMsgTemplate, default: basicMsgTemplate)
        rateLimit = try c.integer(.rateLimit, in: 0...86_400 * 30, default: 300)
        headScriptLogLines = try c.integer(.headScriptLogLines, in: 0...10_000, default: 10)
        tailScriptLogLines = try c.integer(.tailScriptLogLines, in: 0...10_000, default: 10)
        templateFile = try c.decodeIfPresent(String.self, forKey: .templateFile)
        fromUser = try c.value(.fromUser, default: fromUser)
        iconEmoji = try c.value(.iconEmoji, default: iconEmoji)
    }
}

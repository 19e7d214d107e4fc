/// `Butler.webhookNotification`: outgoing webhooks for failed and aborted reloads.
public struct WebhookConfig: Equatable, Sendable, Decodable {
    /// One webhook: `{description, webhookURL, httpMethod, cert.{enable, rejectUnauthorized, certCA}}`.
    public struct Webhook: Equatable, Sendable, Decodable {
        public enum Method: String, Sendable, Decodable { case GET, POST, PUT }
        public var description: String
        public var url: String
        public var method: Method
        /// `cert.certCA` when `cert.enable`: the CA the webhook's server certificate must chain to.
        public var certificateAuthority: String?
        /// `cert.rejectUnauthorized` (only with `cert.enable`): false accepts any certificate.
        public var rejectUnauthorized: Bool = true

        public init(description: String, url: String, method: Method, certificateAuthority: String? = nil, rejectUnauthorized: Bool = true) {
            self.description = description
            self.url = url
            self.method = method
            self.certificateAuthority = certificateAuthority
            self.rejectUnauthorized = rejectUnauthorized
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case description, webhookURL, httpMethod, cert }
        struct Cert: Decodable {
            var enable: Bool?
            var rejectUnauthorized: Bool?
            var certCA: String?
        }

        public init(from decoder: any Decoder) throws {
            try decoder.warnAboutUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            description = try c.value(.description, default: "")
            url = try c.decode(String.self, forKey: .webhookURL)
            let method = try c.value(.httpMethod, default: "POST")
            guard let parsed = Method(rawValue: method.uppercased()) else {
                throw ConfigError(c.codingPath + [CodingKeys.httpMethod], "must be GET, POST or PUT")
            }
            self.method = parsed
            if let cert = try c.decodeIfPresent(Cert.self, forKey: .cert), cert.enable == true {
                certificateAuthority = cert.certCA.flatMap { $0.isEmpty ? nil : $0 }
                rejectUnauthorized = cert.rejectUnauthorized ?? true
            }
        }
    }

    /// The webhooks of one event kind and their rate limit (seconds per task; Butler's default 300).
    public struct Event: Equatable, Sendable, Decodable {
        public var rateLimit: Int = 300
        public var webhooks: [Webhook] = []

        public init(rateLimit: Int = 300, webhooks: [Webhook] = []) {
            self.rateLimit = rateLimit
            self.webhooks = webhooks
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case rateLimit, webhooks }

        public init(from decoder: any Decoder) throws {
            try decoder.warnAboutUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            rateLimit = try c.integer(.rateLimit, in: 0...86_400 * 30, default: 300)
            webhooks = try c.decodeIfPresent([Webhook].self, forKey: .webhooks) ?? []
        }
    }

    public var enable: Bool = false
    public var reloadTaskFailure: Event = .init()
    public var reloadTaskAborted: Event = .init()

    public init(enable: Bool = false, reloadTaskFailure: Event = .init(), reloadTaskAborted: Event = .init()) {
        self.enable = enable
        self.reloadTaskFailure = reloadTaskFailure
        self.reloadTaskAborted = reloadTaskAborted
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case enable, reloadTaskFailure, reloadTaskAborted }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(
            CodingKeys.self, alsoKnown: ["serviceMonitor", "qlikSenseServerLicenseMonitor", "qlikSenseServerLicenseExpiryAlert"])
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enable = try c.value(.enable, default: false)
        reloadTaskFailure = try c.value(.reloadTaskFailure, default: .init())
        reloadTaskAborted = try c.value(.reloadTaskAborted, default: .init())
    }
}

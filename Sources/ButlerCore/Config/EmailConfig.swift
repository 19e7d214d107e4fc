/// `Butler.emailNotification`: the SMTP server and the e-mail alerts for failed and aborted reloads.
public struct EmailConfig: Equatable, Sendable, Decodable {
    /// `smtp`: the outgoing mail server.
    public struct SMTP: Equatable, Sendable {
        public var host: String = "localhost"
        public var port: Int = 587
        /// TLS from the first byte (`smtps`), usually port 465.
        public var secure = false
        public var ignoreTLS = false
        public var requireTLS = false
        public var rejectUnauthorized = true
        public var user: String?
        public var password: String?

        public init(host: String = "localhost", port: Int = 587) {
            self.host = host
            self.port = port
        }
    }

    /// An app owner named in `includeOwner.user` / `excludeOwner.user`.
    public struct Owner: Equatable, Sendable, Decodable {
        public var directory: String
        public var userId: String

        public init(directory: String, userId: String) {
            self.directory = directory
            self.userId = userId
        }
    }

    /// One alert (`reloadTaskFailure`, `reloadTaskAborted`).
    public struct Alert: Equatable, Sendable {
        /// Seconds between two e-mails for the same task and recipient.
        public var rateLimit: Int = 600
        public var headScriptLogLines: Int = 15
        public var tailScriptLogLines: Int = 15
        /// `high`, `normal` or `low`.
        public var priority: String = "normal"
        /// A Handlebars template.
        public var subject: String = "Qlik Sense reload failed: \"{{taskName}}\""
        /// `<bodyFileDirectory>/<htmlTemplateFile>.handlebars`.
        public var bodyFileDirectory: String = "config/email_templates"
        public var htmlTemplateFile: String = "failed-reload-qseow"
        public var fromAddress: String = "Qlik Sense <qliksense-noreply@example.com>"
        /// Sent for every task (or, with `enableByCustomProperty`, for tasks with that property value).
        public var recipients: [String] = []
        /// `alertEnableByCustomProperty` when enabled: `recipients` only get tasks with this value.
        public var enableByCustomProperty: NameValue?
        /// `alertEnabledByEmailAddress.customPropertyName`: a task's values of this property are recipients too.
        public var addressCustomProperty: String?
        /// `appOwnerAlert` when enabled.
        public var appOwner: OwnerRule?

        public init() {}
    }

    /// `appOwnerAlert`: `includeOwner.includeAll` or the listed owners, minus `excludeOwner.user`.
    public struct OwnerRule: Equatable, Sendable {
        public var includeAll = true
        public var include: [Owner] = []
        public var exclude: [Owner] = []

        public init(includeAll: Bool = true, include: [Owner] = [], exclude: [Owner] = []) {
            self.includeAll = includeAll
            self.include = include
            self.exclude = exclude
        }

        public func includes(directory: String, userId: String) -> Bool {
            let match = { (owner: Owner) in owner.directory.lowercased() == directory.lowercased() && owner.userId.lowercased() == userId.lowercased() }
            guard !exclude.contains(where: match) else { return false }
            return includeAll || include.contains(where: match)
        }
    }

    public var enable = false
    public var smtp = SMTP()
    public var reloadTaskFailure: Alert?
    public var reloadTaskAborted: Alert?
    /// Successful reloads (normally gated by `alertEnableByCustomProperty`).
    public var reloadTaskSuccess: Alert?

    public init(enable: Bool = false, smtp: SMTP = SMTP(), reloadTaskFailure: Alert? = nil, reloadTaskAborted: Alert? = nil,
                reloadTaskSuccess: Alert? = nil) {
        self.enable = enable
        self.smtp = smtp
        self.reloadTaskFailure = reloadTaskFailure
        self.reloadTaskAborted = reloadTaskAborted
        self.reloadTaskSuccess = reloadTaskSuccess
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        func key(_ name: String) -> AnyCodingKey { AnyCodingKey(name) }
        enable = try c.value(key("enable"), default: false)
        // Read even when alerts are off: --test-email-address uses it.
        if c.contains(key("smtp")) {
            let s = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("smtp"))
            smtp.host = try s.value(key("host"), default: "localhost")
            smtp.port = try s.integer(key("port"), in: 1...65535, default: 587)
            smtp.secure = try s.value(key("secure"), default: false)
            if s.contains(key("tls")) {
                let t = try s.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("tls"))
                smtp.ignoreTLS = try t.value(key("ignoreTLS"), default: false)
                smtp.requireTLS = try t.value(key("requireTLS"), default: false)
                smtp.rejectUnauthorized = try t.value(key("rejectUnauthorized"), default: true)
                if let name = try t.decodeIfPresent(String.self, forKey: key("serverName")), !name.isEmpty {
                    throw ConfigError(t.codingPath + [key("serverName")],
                                      "is not supported yet: connect with the name the server's certificate holds in smtp.host")
                }
            }
            if s.contains(key("auth")) {
                let a = try s.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("auth"))
                if try a.value(key("enable"), default: false) {
                    smtp.user = try a.decodeIfPresent(String.self, forKey: key("user"))
                    smtp.password = try a.decodeIfPresent(String.self, forKey: key("password"))
                }
            }
        }
        guard enable else { return }
        reloadTaskFailure = try Self.alert(c, "reloadTaskFailure")
        reloadTaskAborted = try Self.alert(c, "reloadTaskAborted")
        reloadTaskSuccess = try Self.alert(c, "reloadTaskSuccess")
    }

    static func alert(_ c: KeyedDecodingContainer<AnyCodingKey>, _ name: String) throws -> Alert? {
        func key(_ name: String) -> AnyCodingKey { AnyCodingKey(name) }
        guard c.contains(key(name)) else { return nil }
        let a = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key(name))
        guard try a.value(key("enable"), default: false) else { return nil }
        var alert = Alert()
        alert.rateLimit = try a.integer(key("rateLimit"), in: 0...86_400 * 30, default: 600)
        alert.headScriptLogLines = try a.integer(key("headScriptLogLines"), in: 0...10_000, default: 15)
        alert.tailScriptLogLines = try a.integer(key("tailScriptLogLines"), in: 0...10_000, default: 15)
        alert.priority = try a.value(key("priority"), default: "normal")
        guard ["high", "normal", "low"].contains(alert.priority) else {
            throw ConfigError(a.codingPath + [key("priority")], "must be high, normal or low")
        }
        alert.subject = try a.value(key("subject"), default: alert.subject)
        alert.bodyFileDirectory = try a.value(key("bodyFileDirectory"), default: alert.bodyFileDirectory)
        let defaultTemplate = ["reloadTaskAborted": "aborted-reload-qseow", "reloadTaskSuccess": "success-reload-qseow"][name] ?? "failed-reload-qseow"
        alert.htmlTemplateFile = try a.value(key("htmlTemplateFile"), default: defaultTemplate)
        alert.fromAddress = try a.value(key("fromAddress"), default: alert.fromAddress)
        let from = alert.fromAddress
        let address = from.contains("<") ? String(from[from.index(after: from.lastIndex(of: "<")!)...].prefix { $0 != ">" }) : from
        let display = from.contains("<") ? String(from[..<from.lastIndex(of: "<")!]) : ""
        guard address.split(separator: "@").count == 2, !address.contains(" "), !display.contains(","), address.allSatisfy(\.isASCII) else {
            throw ConfigError(a.codingPath + [key("fromAddress")], "must be an address or Name <address> (without commas in the name)")
        }
        alert.recipients = (try a.decodeIfPresent([String?].self, forKey: key("recipients")) ?? []).compactMap { $0 }
        if a.contains(key("alertEnableByCustomProperty")) {
            let by = try a.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("alertEnableByCustomProperty"))
            if try by.value(key("enable"), default: false) {
                alert.enableByCustomProperty = NameValue(
                    name: try by.value(key("customPropertyName"), default: ""), value: try by.decodeScalarAsString(key("enabledValue")))
            }
        }
        if a.contains(key("alertEnabledByEmailAddress")) {
            let by = try a.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("alertEnabledByEmailAddress"))
            alert.addressCustomProperty = try by.decodeIfPresent(String.self, forKey: key("customPropertyName"))
        }
        if a.contains(key("appOwnerAlert")) {
            let owner = try a.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("appOwnerAlert"))
            if try owner.value(key("enable"), default: false) {
                var rule = OwnerRule()
                if owner.contains(key("includeOwner")) {
                    let include = try owner.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("includeOwner"))
                    rule.includeAll = try include.value(key("includeAll"), default: true)
                    rule.include = try include.decodeIfPresent([Owner].self, forKey: key("user")) ?? []
                }
                if owner.contains(key("excludeOwner")) {
                    let exclude = try owner.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key("excludeOwner"))
                    rule.exclude = try exclude.decodeIfPresent([Owner].self, forKey: key("user")) ?? []
                }
                alert.appOwner = rule
            }
        }
        return alert
    }
}

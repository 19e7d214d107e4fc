/// New Relic for the REST routes: `Butler.thirdPartyToolsCredentials.newRelic` (accounts) and
/// `Butler.restServerEndpointsConfig.newRelic.{postNewRelicEvent, postNewRelicMetric}`.
public struct NewRelicConfig: Equatable, Sendable {
    /// One account of `thirdPartyToolsCredentials.newRelic`.
    public struct Account: Equatable, Sendable, Decodable {
        public var accountName: String
        public var insertApiKey: String
        public var accountId: String

        public init(accountName: String, insertApiKey: String, accountId: String) {
            self.accountName = accountName
            self.insertApiKey = insertApiKey
            self.accountId = accountId
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case accountName, insertApiKey, accountId
        }

        public init(from decoder: any Decoder) throws {
            try decoder.warnAboutUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            accountName = try container.decode(String.self, forKey: .accountName)
            insertApiKey = try container.decode(String.self, forKey: .insertApiKey)
            accountId = try container.decodeScalarAsString(.accountId)
        }
    }

    /// `postNewRelicEvent` or `postNewRelicMetric`.
    public struct Endpoint: Equatable, Sendable, Decodable {
        /// Names of accounts (from `thirdPartyToolsCredentials.newRelic`) to send to.
        public var destinationAccount: [String] = []
        /// Events: the API's base URL (the account path is appended). Metrics: the full metric API URL.
        public var url: String
        public var header: [NameValue] = []
        /// `attribute.static`: added to every event or metric.
        public var staticAttributes: [NameValue] = []

        public init(destinationAccount: [String] = [], url: String, header: [NameValue] = [], staticAttributes: [NameValue] = []) {
            self.destinationAccount = destinationAccount
            self.url = url
            self.header = header
            self.staticAttributes = staticAttributes
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case destinationAccount, url, header, attribute
        }

        struct Attributes: Decodable {
            var `static`: [NameValue]?
        }

        init(from decoder: any Decoder, defaultURL: String) throws {
            try decoder.warnAboutUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            destinationAccount = try container.value(.destinationAccount, default: [])
            url = try container.value(.url, default: defaultURL)
            header = try container.value(.header, default: [])
            staticAttributes = try container.decodeIfPresent(Attributes.self, forKey: .attribute)?.static ?? []
        }

        public init(from decoder: any Decoder) throws {
            try self.init(from: decoder, defaultURL: "")
        }
    }

    public static let defaultEventURL = "https://insights-collector.eu01.nr-data.net/"
    public static let defaultMetricURL = "https://insights-collector.eu01.nr-data.net/metric/v1"

    public var accounts: [Account] = []
    public var event = Endpoint(url: defaultEventURL)
    public var metric = Endpoint(url: defaultMetricURL)

    public init(accounts: [Account] = [], event: Endpoint = Endpoint(url: defaultEventURL), metric: Endpoint = Endpoint(url: defaultMetricURL)) {
        self.accounts = accounts
        self.event = event
        self.metric = metric
    }
}

/// `Butler.thirdPartyToolsCredentials`.
struct ThirdPartyToolsCredentials: Decodable {
    var newRelic: [NewRelicConfig.Account]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case newRelic
    }

    init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        newRelic = try decoder.container(keyedBy: CodingKeys.self).value(.newRelic, default: [])
    }
}

/// `Butler.restServerEndpointsConfig`.
struct RestServerEndpointsConfig: Decodable {
    var event = NewRelicConfig.Endpoint(url: NewRelicConfig.defaultEventURL)
    var metric = NewRelicConfig.Endpoint(url: NewRelicConfig.defaultMetricURL)

    enum CodingKeys: String, CodingKey, CaseIterable {
        case newRelic
    }

    enum NewRelicKeys: String, CodingKey, CaseIterable {
        case postNewRelicEvent, postNewRelicMetric
    }

    init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.contains(.newRelic), try !container.decodeNil(forKey: .newRelic) else { return }
        let newRelic = try container.superDecoder(forKey: .newRelic)
        try newRelic.warnAboutUnknownKeys(NewRelicKeys.self)
        let endpoints = try newRelic.container(keyedBy: NewRelicKeys.self)
        if endpoints.contains(.postNewRelicEvent), try !endpoints.decodeNil(forKey: .postNewRelicEvent) {
            event = try NewRelicConfig.Endpoint(from: endpoints.superDecoder(forKey: .postNewRelicEvent), defaultURL: NewRelicConfig.defaultEventURL)
        }
        if endpoints.contains(.postNewRelicMetric), try !endpoints.decodeNil(forKey: .postNewRelicMetric) {
            metric = try NewRelicConfig.Endpoint(from: endpoints.superDecoder(forKey: .postNewRelicMetric), defaultURL: NewRelicConfig.defaultMetricURL)
        }
    }
}

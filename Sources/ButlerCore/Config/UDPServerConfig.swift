/// `Butler.udpServerConfig`: the listener for the Qlik Sense Scheduler's UDP messages.
public struct UDPServerConfig: Equatable, Sendable, Decodable {
    public var enable: Bool = false
    public var serverHost: String = "127.0.0.1"
    public var portTaskFailure: Int = 9998
    /// Larger datagrams are dropped (bytes).
    public var maxMessageSize: Int = 65507
    public var enableSourceValidation: Bool = false
    /// IPv4/IPv6 addresses or host names (resolved once at start-up).
    public var allowedSources: [String] = []
    /// Events handled at the same time.
    public var maxConcurrent: Int = 10
    /// Events waiting at most; more are dropped and counted.
    public var maxQueueSize: Int = 200
    /// Queue fill level (percent) at which a warning is logged.
    public var backpressureThreshold: Int = 80
    /// Datagrams accepted per minute (all sources together); nil = no limit.
    public var maxMessagesPerMinute: Int?
    public var deduplication: Bool = true
    /// How long a handled execution id is remembered (minutes).
    public var deduplicationTTLMinutes: Int = 10

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enable, serverHost, portTaskFailure, maxMessageSize, enableSourceValidation, allowedSources
        case messageQueue, rateLimit, deduplication, queueMetrics
    }

    enum QueueKeys: String, CodingKey, CaseIterable { case maxConcurrent, maxSize, backpressureThreshold }
    enum RateKeys: String, CodingKey, CaseIterable { case enable, maxMessagesPerMinute }
    enum DedupKeys: String, CodingKey, CaseIterable { case enable, ttlMinutes }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enable = try c.value(.enable, default: false)
        serverHost = try c.value(.serverHost, default: "127.0.0.1")
        portTaskFailure = try c.integer(.portTaskFailure, in: 1...65535, default: 9998)
        maxMessageSize = try c.integer(.maxMessageSize, in: 1...65507, default: 65507)
        enableSourceValidation = try c.value(.enableSourceValidation, default: false)
        allowedSources = try c.decodeIfPresent([String].self, forKey: .allowedSources) ?? []
        if c.contains(.messageQueue), try !c.decodeNil(forKey: .messageQueue) {
            let queue = try c.nestedContainer(keyedBy: QueueKeys.self, forKey: .messageQueue)
            maxConcurrent = try queue.integer(.maxConcurrent, in: 1...1000, default: 10)
            maxQueueSize = try queue.integer(.maxSize, in: 1...1_000_000, default: 200)
            backpressureThreshold = try queue.integer(.backpressureThreshold, in: 1...100, default: 80)
        }
        if c.contains(.rateLimit), try !c.decodeNil(forKey: .rateLimit) {
            let rate = try c.nestedContainer(keyedBy: RateKeys.self, forKey: .rateLimit)
            if try rate.value(.enable, default: false) {
                maxMessagesPerMinute = try rate.integer(.maxMessagesPerMinute, in: 1...10_000_000, default: 600)
            }
        }
        if c.contains(.deduplication), try !c.decodeNil(forKey: .deduplication) {
            let dedup = try c.nestedContainer(keyedBy: DedupKeys.self, forKey: .deduplication)
            deduplication = try dedup.value(.enable, default: true)
            deduplicationTTLMinutes = try dedup.integer(.ttlMinutes, in: 1...10_080, default: 10)
        }
        // Butler's rule let everything through when validation was on with an empty list (B49): refuse.
        if enableSourceValidation && allowedSources.isEmpty {
            throw ConfigError(c.codingPath + [CodingKeys.allowedSources],
                              "enableSourceValidation is true but allowedSources is empty; list the Qlik Sense nodes or turn validation off")
        }
    }
}

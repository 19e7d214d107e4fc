/// A REST route group that `Butler.restServerEndpointsEnable` switches on or off.
///
/// The raw value is the switch's key path under `restServerEndpointsEnable`.
public enum Endpoint: String, CaseIterable, Sendable {
    case apiListEnabledEndpoints
    case base62ToBase16, base16ToBase62, butlerping
    case createDir, createDirQVD, fileDelete, fileMove, fileCopy
    case keyValueStore, mqttPublishMessage
    case postNewRelicMetric = "newRelic.postNewRelicMetric"
    case postNewRelicEvent = "newRelic.postNewRelicEvent"
    case createNewSchedule = "scheduler.createNewSchedule"
    case getSchedule = "scheduler.getSchedule"
    case getScheduleStatusAll = "scheduler.getScheduleStatusAll"
    case updateSchedule = "scheduler.updateSchedule"
    case deleteSchedule = "scheduler.deleteSchedule"
    case startSchedule = "scheduler.startSchedule"
    case stopSchedule = "scheduler.stopSchedule"
    case senseAppReload, senseAppDump, senseListApps, senseStartTask, slackPostMessage

    /// Butler 9.4.0's misspelling of `apiListEnabledEndpoints`, accepted as the same switch.
    static let misspellings = ["apiListEnbledEndpoints": Endpoint.apiListEnabledEndpoints]

    /// The switch's own key name (the last part of its path), as `GET /v4/configfile/endpointsenabled` lists it.
    public var leafName: String { String(rawValue.split(separator: ".").last!) }
}

/// `Butler.restServerEndpointsEnable`: the switch of every REST route group, in config-file order.
///
/// Source: Butler registers a route only when its switch is `true`; `GET /v4/configfile/endpointsenabled`
/// lists the leaf names of the switches that are `true`, in the order of the config file (parents such as
/// `scheduler` are never listed). A switch that is absent is off.
public struct EndpointSwitches: Equatable, Sendable {
    /// The switches that are on, as (name as written in the config, endpoint), in config order.
    private var enabled: [(name: String, endpoint: Endpoint)] = []

    public init() {}

    /// Switches on `endpoints`, in this order, under their canonical names.
    public init(enabling endpoints: [Endpoint]) {
        enabled = endpoints.map { ($0.leafName, $0) }
    }

    /// Every switch on, in `Endpoint.allCases` order.
    public static let all = EndpointSwitches(enabling: Endpoint.allCases)

    public func isEnabled(_ endpoint: Endpoint) -> Bool {
        enabled.contains { $0.endpoint == endpoint }
    }

    /// The leaf names of the switches that are on, in config order, as written in the config.
    public var enabledNames: [String] { enabled.map(\.name) }

    public static func == (lhs: EndpointSwitches, rhs: EndpointSwitches) -> Bool {
        lhs.enabled.map(\.name) == rhs.enabled.map(\.name) && lhs.enabled.map(\.endpoint) == rhs.enabled.map(\.endpoint)
    }
}

extension EndpointSwitches: Decodable {
    public init(from decoder: any Decoder) throws {
        try Self.read(decoder, prefix: "", into: &enabled)
    }

    /// Walks one mapping of switches (the top level, or `newRelic`/`scheduler`), keeping file order.
    private static func read(_ decoder: any Decoder, prefix: String, into enabled: inout [(name: String, endpoint: Endpoint)]) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let collector = decoder.userInfo[ConfigWarningCollector.userInfoKey] as? ConfigWarningCollector
        for key in container.allKeys {
            let path = prefix + key.stringValue
            if let endpoint = Endpoint(rawValue: path) ?? (prefix.isEmpty ? Endpoint.misspellings[path] : nil) {
                if try container.decodeIfPresent(Bool.self, forKey: key) == true {
                    enabled.append((key.stringValue, endpoint))
                }
            } else if prefix.isEmpty, Endpoint.allCases.contains(where: { $0.rawValue.hasPrefix(path + ".") }) {
                try read(try container.superDecoder(forKey: key), prefix: path + ".", into: &enabled)
            } else {
                collector?.warnings.append("Unknown config key \(ConfigError.render(container.codingPath + [key])) is ignored")
            }
        }
    }
}

/// `Butler.incidentTool`: Signl4 and New Relic.
struct IncidentToolSection: Decodable {
    var signl4: Signl4Config
    var newRelic: NewRelicIncidentConfig?

    init(from decoder: any Decoder) throws {
        signl4 = try Signl4Config.decode(incidentTool: decoder)
        newRelic = try NewRelicIncidentConfig.decode(incidentTool: decoder)
    }
}

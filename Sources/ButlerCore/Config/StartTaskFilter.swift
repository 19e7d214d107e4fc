/// `Butler.startTaskFilter`: which tasks may be started through Butler (REST start-task route, MQTT).
///
/// The lists don't add up (DESIGN Decisions 5): an id is allowed only by `allowTask.taskId`, a tag only by
/// `allowTask.tag`, a custom property only by `allowTask.customProperty`. Ids compare case-insensitively.
public struct StartTaskFilter: Equatable, Sendable, Decodable {
    public var enable: Bool = false
    /// Lower-case task ids.
    public var taskIds: Set<String> = []
    public var tags: Set<String> = []
    public var customProperties: [NameValue] = []

    public init(enable: Bool = false, taskIds: Set<String> = [], tags: Set<String> = [], customProperties: [NameValue] = []) {
        self.enable = enable
        self.taskIds = Set(taskIds.map { $0.lowercased() })
        self.tags = tags
        self.customProperties = customProperties
    }

    public func allows(taskId: String) -> Bool { !enable || taskIds.contains(taskId.lowercased()) }
    public func allows(tag: String) -> Bool { !enable || tags.contains(tag) }
    public func allows(customProperty name: String, value: String) -> Bool {
        !enable || customProperties.contains(NameValue(name: name, value: value))
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enable, allowTask
    }

    enum AllowKeys: String, CodingKey, CaseIterable {
        case taskId, tag, customProperty
    }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enable = try container.value(.enable, default: false)
        guard container.contains(.allowTask), try !container.decodeNil(forKey: .allowTask) else { return }
        let allow = try container.nestedContainer(keyedBy: AllowKeys.self, forKey: .allowTask)
        taskIds = Set((try allow.decodeIfPresent([String].self, forKey: .taskId) ?? []).map { $0.lowercased() })
        tags = Set(try allow.decodeIfPresent([String].self, forKey: .tag) ?? [])
        customProperties = try allow.decodeIfPresent([NameValue].self, forKey: .customProperty) ?? []
    }
}

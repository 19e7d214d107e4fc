import Foundation
import Yams

/// A Qlik Sense site for the simulator: users, apps, reload tasks and custom property definitions, read
/// from YAML (or JSON, which is YAML) — see `examples/qlik-sense-site.yaml`.
public struct SiteDescription: Sendable, Decodable {
    public var users: [User] = []
    public var apps: [App] = []
    public var tasks: [ReloadTask] = []
    public var customPropertyDefinitions: [CustomPropertyDefinition] = []

    public init(users: [User] = [], apps: [App] = [], tasks: [ReloadTask] = [], customPropertyDefinitions: [CustomPropertyDefinition] = []) {
        self.users = users
        self.apps = apps
        self.tasks = tasks
        self.customPropertyDefinitions = customPropertyDefinitions
    }

    /// Reads a site description file.
    /// - Throws: when the file can't be read, or isn't a valid description (Yams's decoding error).
    public static func load(from path: String) throws -> SiteDescription {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try YAMLDecoder().decode(SiteDescription.self, from: text)
    }

    /// A user; `email` becomes an `Email` attribute in QRS.
    public struct User: Sendable, Decodable {
        public var id: String
        public var userDirectory: String
        public var userId: String
        public var name: String
        public var email: String?

        public init(id: String, userDirectory: String, userId: String, name: String, email: String? = nil) {
            self.id = id
            self.userDirectory = userDirectory
            self.userId = userId
            self.name = name
            self.email = email
        }
    }

    /// An app: QRS metadata plus what the Engine serves (`content`).
    public struct App: Sendable, Decodable {
        public var id: String
        public var name: String
        /// The owner's user id (GUID).
        public var owner: String?
        public var description: String = ""
        public var stream: String?
        public var tags: [String] = []
        public var customProperties: [PropertyValue] = []
        public var fileSize: Int = 0
        public var lastReloadTime: String = "1753-01-01T00:00:00.000Z"
        /// The load script, sheets, measures, variables… served by the Engine.
        public var content: AppContent = .init()

        public init(id: String, name: String, owner: String? = nil, tags: [String] = [], customProperties: [PropertyValue] = [], content: AppContent = .init()) {
            self.id = id
            self.name = name
            self.owner = owner
            self.tags = tags
            self.customProperties = customProperties
            self.content = content
        }

        enum CodingKeys: String, CodingKey {
            case id, name, owner, description, stream, tags, customProperties, fileSize, lastReloadTime, content
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            name = try c.decode(String.self, forKey: .name)
            owner = try c.decodeIfPresent(String.self, forKey: .owner)
            description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
            stream = try c.decodeIfPresent(String.self, forKey: .stream)
            tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
            customProperties = try c.decodeIfPresent([PropertyValue].self, forKey: .customProperties) ?? []
            fileSize = try c.decodeIfPresent(Int.self, forKey: .fileSize) ?? 0
            lastReloadTime = try c.decodeIfPresent(String.self, forKey: .lastReloadTime) ?? "1753-01-01T00:00:00.000Z"
            content = try c.decodeIfPresent(AppContent.self, forKey: .content) ?? .init()
        }
    }

    /// How a simulated run of a task ends (QRS `TaskExecutionStatus`: 7, 8, 6).
    public enum RunOutcome: String, Sendable, Decodable {
        case success, fail, abort
    }

    /// QRS `taskType`: 0 Reload, 1 ExternalProgram, 2 UserSync, 3 Distribute, 4 Preload.
    public enum TaskType: String, Sendable, Decodable {
        case reload, externalProgram, userSync, distribute, preload

        public var code: Int {
            switch self {
            case .reload: 0
            case .externalProgram: 1
            case .userSync: 2
            case .distribute: 3
            case .preload: 4
            }
        }

        public var schemaPath: String {
            switch self {
            case .reload: "ReloadTask"
            case .externalProgram: "ExternalProgramTask"
            case .userSync: "UserSyncTask"
            case .distribute: "DistributeTask"
            case .preload: "PreloadTask"
            }
        }
    }

    /// A task. A start makes a run that ends with `outcome`, with `scriptLog` as its script log.
    public struct ReloadTask: Sendable, Decodable {
        public var id: String
        public var name: String
        public var type: TaskType = .reload
        /// The app's id (reload tasks).
        public var app: String?
        public var enabled: Bool = true
        public var tags: [String] = []
        public var customProperties: [PropertyValue] = []
        public var outcome: RunOutcome = .success
        /// Script-log lines of a run; a default log is made when empty.
        public var scriptLog: [String] = []

        public init(id: String, name: String, type: TaskType = .reload, app: String? = nil, tags: [String] = [],
                    customProperties: [PropertyValue] = [], outcome: RunOutcome = .success) {
            self.id = id
            self.name = name
            self.type = type
            self.app = app
            self.tags = tags
            self.customProperties = customProperties
            self.outcome = outcome
        }

        enum CodingKeys: String, CodingKey {
            case id, name, type, app, enabled, tags, customProperties, outcome, scriptLog
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            name = try c.decode(String.self, forKey: .name)
            type = try c.decodeIfPresent(TaskType.self, forKey: .type) ?? .reload
            app = try c.decodeIfPresent(String.self, forKey: .app)
            enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
            tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
            customProperties = try c.decodeIfPresent([PropertyValue].self, forKey: .customProperties) ?? []
            outcome = try c.decodeIfPresent(RunOutcome.self, forKey: .outcome) ?? .success
            scriptLog = try c.decodeIfPresent([String].self, forKey: .scriptLog) ?? []
        }
    }

    /// A custom property value on an app, task or user.
    public struct PropertyValue: Sendable, Decodable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// A custom property definition (`/qrs/custompropertydefinition`).
    public struct CustomPropertyDefinition: Sendable, Decodable {
        public var name: String
        public var choiceValues: [String]
        public var objectTypes: [String]

        enum CodingKeys: String, CodingKey {
            case name, choiceValues, objectTypes
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            choiceValues = try c.decodeIfPresent([String].self, forKey: .choiceValues) ?? []
            objectTypes = try c.decodeIfPresent([String].self, forKey: .objectTypes) ?? ["App", "ReloadTask"]
        }
    }
}

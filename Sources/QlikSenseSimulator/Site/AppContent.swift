import ButlerCore

/// What the simulated Engine serves for one app: its load script, the objects an app dump reads, and how
/// a reload ends. Read from the `content` of an app in the site description (YAML); every field is optional.
///
/// Free-form Engine properties (`properties` of objects and of the app) are JSON values merged into what
/// the Engine returns, so a site can carry any chart definition.
public struct AppContent: Sendable, Decodable {
    /// The load script (`GetScript`); line ends become `\r\n` as in Qlik Sense.
    public var script: String = ""
    /// How `DoReload` ends: `qReturn: true` (success) or `false` (fail).
    public var reloadOutcome: ReloadOutcome = .success
    /// How long `DoReload` takes, in milliseconds.
    public var reloadMilliseconds: Int = 50
    /// Extra keys of the app properties (`GetAppProperties` `qProp`).
    public var properties: [String: JSONValue] = [:]
    public var sheets: [AppObject] = []
    public var stories: [AppObject] = []
    public var masterObjects: [AppObject] = []
    /// Objects of type `appprops`.
    public var appProps: [AppObject] = []
    public var dimensions: [Dimension] = []
    public var measures: [Measure] = []
    public var bookmarks: [Bookmark] = []
    public var snapshots: [Bookmark] = []
    /// Media URLs (`qMediaList`), e.g. `/media/Logo/qlik.png`; Butler keeps only `/media/…`.
    public var media: [String] = []
    public var fields: [Field] = []
    public var dataConnections: [DataConnection] = []
    public var variables: [Variable] = []
    /// `GetLineage` entries; an empty list makes `GetLineage` answer with an error, like an old Engine.
    public var lineage: [Lineage] = []
    /// Doc methods the Engine never answers (to test clients' timeouts), e.g. `[GetScript]`.
    public var unansweredMethods: [String] = []

    public enum ReloadOutcome: String, Sendable, Decodable { case success, fail }

    public init(script: String = "") { self.script = script }

    /// A generic object (sheet, story, master object, appprops, or a chart on a sheet).
    public struct AppObject: Sendable, Decodable {
        public var id: String
        /// The object's `qType`; defaults to the list it is in (`sheet`, …); children default to `text-image`.
        public var type: String?
        public var title: String?
        public var description: String?
        /// Extra properties (`cells`, `qHyperCubeDef`, …).
        public var properties: [String: JSONValue]?
        public var children: [AppObject]?
    }

    public struct Dimension: Sendable, Decodable {
        public var id: String
        public var title: String
        public var fields: [String]
        public var description: String?
    }

    public struct Measure: Sendable, Decodable {
        public var id: String
        public var title: String
        /// The expression (`qDef`), e.g. `Sum(Amount)`.
        public var definition: String
        public var label: String?
    }

    /// A bookmark or snapshot; `state` is its layout's `qBookmark` (selections).
    public struct Bookmark: Sendable, Decodable {
        public var id: String
        public var title: String
        public var description: String?
        public var state: JSONValue?
    }

    public struct Field: Sendable, Decodable {
        public var name: String
        public var cardinal: Int?
        public var tags: [String]?
        public var srcTables: [String]?
        public var isSystem: Bool?
        public var isHidden: Bool?
    }

    public struct DataConnection: Sendable, Decodable {
        public var id: String
        public var name: String
        public var connectionString: String
        /// `qType`, e.g. `folder`, `QvOdbcConnectorPackage.exe`.
        public var type: String
    }

    public struct Variable: Sendable, Decodable {
        public var id: String
        public var name: String
        public var definition: String
        public var comment: String?
        public var isScriptCreated: Bool?
        public var isReserved: Bool?
        public var isConfig: Bool?
    }

    public struct Lineage: Sendable, Decodable {
        public var discriminator: String
        public var statement: String?
    }

    enum CodingKeys: String, CodingKey {
        case script, reloadOutcome, reloadMilliseconds, properties, sheets, stories, masterObjects, appProps
        case dimensions, measures, bookmarks, snapshots, media, fields, dataConnections, variables, lineage
        case unansweredMethods
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func list<T: Decodable>(_ key: CodingKeys) throws -> [T] { try c.decodeIfPresent([T].self, forKey: key) ?? [] }
        script = try c.decodeIfPresent(String.self, forKey: .script) ?? ""
        reloadOutcome = try c.decodeIfPresent(ReloadOutcome.self, forKey: .reloadOutcome) ?? .success
        reloadMilliseconds = try c.decodeIfPresent(Int.self, forKey: .reloadMilliseconds) ?? 50
        properties = try c.decodeIfPresent([String: JSONValue].self, forKey: .properties) ?? [:]
        sheets = try list(.sheets)
        stories = try list(.stories)
        masterObjects = try list(.masterObjects)
        appProps = try list(.appProps)
        dimensions = try list(.dimensions)
        measures = try list(.measures)
        bookmarks = try list(.bookmarks)
        snapshots = try list(.snapshots)
        media = try list(.media)
        fields = try list(.fields)
        dataConnections = try list(.dataConnections)
        variables = try list(.variables)
        lineage = try list(.lineage)
        unansweredMethods = try list(.unansweredMethods)
    }
}

/// The config of Butler's file routes: `Butler.fileCopyApprovedDirectories`,
/// `Butler.fileMoveApprovedDirectories`, `Butler.fileDeleteApprovedDirectories`,
/// `Butler.configDirectories.qvdPath` and (beyond Butler) `Butler.createDirApprovedDirectories`.
public struct FileOperationsConfig: Equatable, Sendable {
    /// A `{fromDirectory, toDirectory}` entry, as written in the config.
    public struct DirectoryPair: Equatable, Sendable, Decodable {
        public var fromDirectory: String
        public var toDirectory: String

        public init(fromDirectory: String, toDirectory: String) {
            self.fromDirectory = fromDirectory
            self.toDirectory = toDirectory
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case fromDirectory, toDirectory
        }

        public init(from decoder: any Decoder) throws {
            try decoder.warnAboutUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            fromDirectory = try container.decode(String.self, forKey: .fromDirectory)
            toDirectory = try container.decode(String.self, forKey: .toDirectory)
        }
    }

    public var copyApprovedDirectories: [DirectoryPair] = []
    public var moveApprovedDirectories: [DirectoryPair] = []
    public var deleteApprovedDirectories: [String] = []
    /// `nil` (the key is absent): `POST /v4/createdir` may create a directory anywhere (Butler's
    /// behaviour). Present but empty (`[]`, or the key with nothing after it): nothing is approved.
    public var createDirApprovedDirectories: [String]?
    /// The root of `POST /v4/createdirqvd`.
    public var qvdPath: String?

    public init(
        copyApprovedDirectories: [DirectoryPair] = [], moveApprovedDirectories: [DirectoryPair] = [],
        deleteApprovedDirectories: [String] = [], createDirApprovedDirectories: [String]? = nil, qvdPath: String? = nil
    ) {
        self.copyApprovedDirectories = copyApprovedDirectories
        self.moveApprovedDirectories = moveApprovedDirectories
        self.deleteApprovedDirectories = deleteApprovedDirectories
        self.createDirApprovedDirectories = createDirApprovedDirectories
        self.qvdPath = qvdPath
    }
}

/// `Butler.configDirectories`.
struct ConfigDirectories: Decodable {
    var qvdPath: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case qvdPath
    }

    init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        qvdPath = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .qvdPath)
    }
}

extension KeyedDecodingContainer {
    /// A list that tells a present key from an absent one: `nil` when the key is absent, `[]` when it is
    /// present with nothing after it (YAML null) or an empty list.
    func presentList<Element: Decodable>(_ key: Key) throws -> [Element]? {
        guard contains(key) else { return nil }
        return try decodeIfPresent([Element].self, forKey: key) ?? []
    }
}

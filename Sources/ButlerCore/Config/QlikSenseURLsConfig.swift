/// `Butler.qlikSenseUrls` and `Butler.genericUrls`: links offered to notification templates.
public struct QlikSenseURLsConfig: Equatable, Sendable {
    public var qmc: String = ""
    public var hub: String = ""
    /// The app id is appended (with `/`) to build `appUrl`.
    public var appBaseUrl: String = ""
    /// `genericUrls`: `{id, linkText, comment, url}` entries.
    public var generic: [GenericURL] = []

    public struct GenericURL: Equatable, Sendable, Decodable {
        public var id: String
        public var linkText: String
        public var comment: String
        public var url: String

        public init(id: String, linkText: String, comment: String = "", url: String) {
            self.id = id
            self.linkText = linkText
            self.comment = comment
            self.url = url
        }

        enum CodingKeys: String, CodingKey { case id, linkText, comment, url }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
            linkText = try c.decodeIfPresent(String.self, forKey: .linkText) ?? ""
            comment = try c.decodeIfPresent(String.self, forKey: .comment) ?? ""
            url = try c.decode(String.self, forKey: .url)
        }
    }

    public init(qmc: String = "", hub: String = "", appBaseUrl: String = "", generic: [GenericURL] = []) {
        self.qmc = qmc
        self.hub = hub
        self.appBaseUrl = appBaseUrl
        self.generic = generic
    }

    struct Links: Decodable {
        var qmc: String?
        var hub: String?
        var appBaseUrl: String?
    }
}

/// A `{name, value}` entry of Butler's config (custom headers, static attributes).
public struct NameValue: Equatable, Sendable, Decodable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, value
    }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        value = try container.decodeScalarAsString(.value)
    }
}

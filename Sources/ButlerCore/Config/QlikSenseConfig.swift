/// How Butler reaches a Qlik Sense site: `Butler.configQRS`, `Butler.configEngine` and `Butler.cert`.
///
/// QRS and the Engine are used only when their `host` is set (the embedded default config has none), and
/// never with `--no-qs-connection`.
public struct QlikSenseConfig: Equatable, Sendable {
    /// `Butler.configQRS`, nil when no host is configured.
    public var qrs: ServiceEndpoint?
    /// `Butler.configEngine`, nil when no host is configured.
    public var engine: ServiceEndpoint?
    /// `Butler.configEngine.engineVersion` (the Engine API schema version, e.g. `12.612.0`).
    public var engineVersion: String = "12.612.0"
    /// `Butler.cert`: the client certificate exported from the QMC.
    public var certificates: ClientCertificates = .init()
    /// How long a connection attempt may take (not in Butler's config; ours).
    public var connectTimeout: Duration = .seconds(5)
    /// How long one QRS call or Engine request may take (Butler: 30 s for QRS).
    public var requestTimeout: Duration = .seconds(30)

    public init(qrs: ServiceEndpoint? = nil, engine: ServiceEndpoint? = nil, certificates: ClientCertificates = .init()) {
        self.qrs = qrs
        self.engine = engine
        self.certificates = certificates
    }

    /// `configQRS` / `configEngine`: one Qlik Sense service.
    public struct ServiceEndpoint: Equatable, Sendable, Decodable {
        public var host: String
        public var port: Int
        public var useSSL: Bool = true
        /// `headers.static`: sent on every call (the template sends `X-Qlik-User`).
        public var headers: [NameValue] = []
        /// false accepts a server certificate that doesn't verify (Butler's template default: the site's
        /// certificate is signed by the site's own CA).
        public var rejectUnauthorized: Bool = false

        public init(host: String, port: Int, useSSL: Bool = true, headers: [NameValue] = [], rejectUnauthorized: Bool = false) {
            self.host = host
            self.port = port
            self.useSSL = useSSL
            self.headers = headers
            self.rejectUnauthorized = rejectUnauthorized
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case host, port, useSSL, headers, rejectUnauthorized
        }

        struct Headers: Decodable {
            var `static`: [NameValue]?
        }

        /// Decodes with `defaultPort` for a missing `port`; throws for an empty `host`.
        init(from decoder: any Decoder, defaultPort: Int) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            host = try container.value(.host, default: "")
            port = try container.integer(.port, in: 1...65535, default: defaultPort)
            useSSL = try container.value(.useSSL, default: true)
            headers = try container.decodeIfPresent(Headers.self, forKey: .headers)?.static ?? []
            rejectUnauthorized = try container.value(.rejectUnauthorized, default: false)
        }

        public init(from decoder: any Decoder) throws {
            try self.init(from: decoder, defaultPort: 4242)
        }
    }

    /// `Butler.cert`: PEM files. `clientCertCA` is the site's root CA, trusted when `rejectUnauthorized` is true.
    public struct ClientCertificates: Equatable, Sendable, Decodable {
        public var clientCert: String?
        public var clientCertKey: String?
        public var clientCertCA: String?

        public init(clientCert: String? = nil, clientCertKey: String? = nil, clientCertCA: String? = nil) {
            self.clientCert = clientCert
            self.clientCertKey = clientCertKey
            self.clientCertCA = clientCertCA
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case clientCert, clientCertKey, clientCertCA
        }

        public init(from decoder: any Decoder) throws {
            try decoder.warnAboutUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func path(_ key: CodingKeys) throws -> String? {
                try container.decodeIfPresent(String.self, forKey: key).flatMap { $0.isEmpty ? nil : $0 }
            }
            clientCert = try path(.clientCert)
            clientCertKey = try path(.clientCertKey)
            clientCertCA = try path(.clientCertCA)
        }
    }
}

/// Decodes `configQRS` (default port 4242, `authentication: certificates` only) and `configEngine`
/// (default port 4747, plus `engineVersion`).
struct QRSSection: Decodable {
    var endpoint: QlikSenseConfig.ServiceEndpoint?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case authentication, host, port, useSSL, headers, rejectUnauthorized
    }

    init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let authentication = try container.value(.authentication, default: "certificates")
        guard authentication == "certificates" else {
            throw ConfigError(container.codingPath + [CodingKeys.authentication], "only 'certificates' is supported")
        }
        let endpoint = try QlikSenseConfig.ServiceEndpoint(from: decoder, defaultPort: 4242)
        self.endpoint = endpoint.host.isEmpty ? nil : endpoint
    }
}

struct EngineSection: Decodable {
    var endpoint: QlikSenseConfig.ServiceEndpoint?
    var engineVersion: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case engineVersion, host, port, useSSL, headers, rejectUnauthorized
    }

    init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        engineVersion = container.contains(.engineVersion) ? try container.decodeScalarAsString(.engineVersion) : "12.612.0"
        let endpoint = try QlikSenseConfig.ServiceEndpoint(from: decoder, defaultPort: 4747)
        self.endpoint = endpoint.host.isEmpty ? nil : endpoint
    }
}

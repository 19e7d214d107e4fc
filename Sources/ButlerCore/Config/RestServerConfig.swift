/// `Butler.restServerConfig`: where the REST API listens, and who may call it.
///
/// `enable`, `serverHost`, `serverPort` and `tls` are Butler's; `maxConnections`, `allowedClients`,
/// `allowedOrigins`, `allowedHosts`, `auth` and `tls.requireClientCertificate` are this implementation's
/// (see docs/security.md). Their defaults keep an existing Butler set-up working.
public struct RestServerConfig: Equatable, Sendable, Decodable {
    /// `enable`: run the REST API at all.
    public var enable: Bool = true
    /// `serverHost`: the address to listen on (`0.0.0.0` for every interface).
    public var serverHost: String = "127.0.0.1"
    /// `serverPort`: the TCP port (0 lets the OS choose one; tests use that).
    public var serverPort: Int = 8080
    /// `tls`: HTTPS on `serverPort` when enabled.
    public var tls: TLSConfig = .init()
    /// `maxConnections`: open connections served at once; connections beyond it are closed at once.
    public var maxConnections: Int = 1000
    /// `allowedClients`: the client addresses and CIDR ranges served (others get 403); empty serves all.
    public var allowedClients: [IPAddressRange] = []
    /// `allowedOrigins`: web origins (`https://qmc.example.com`) whose pages may call Butler, beyond
    /// Butler's own origin. A request with any other `Origin` header gets 403.
    public var allowedOrigins: [String] = []
    /// `allowedHosts`: host names (optionally `name:port`) accepted in the `Host` header besides the
    /// loopback names; a request naming another host gets 421. Empty, on a loopback `serverHost`:
    /// loopback names only; empty, on any other address: every host.
    public var allowedHosts: [String] = []
    /// `auth`: API keys.
    public var auth: RestAuthConfig = .init()

    public init(enable: Bool = true, serverHost: String = "127.0.0.1", serverPort: Int = 8080, tls: TLSConfig = .init()) {
        self.enable = enable
        self.serverHost = serverHost
        self.serverPort = serverPort
        self.tls = tls
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enable, serverHost, serverPort, tls, maxConnections, allowedClients, allowedOrigins, allowedHosts, auth
    }

    public init(from decoder: any Decoder) throws {
        // Butler's second, internal server is not needed here; its port is accepted and ignored.
        try decoder.warnAboutUnknownKeys(CodingKeys.self, alsoKnown: ["backgroundServerPort"])
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enable = try container.value(.enable, default: true)
        serverHost = try container.value(.serverHost, default: "127.0.0.1")
        serverPort = try container.integer(.serverPort, in: 0...65535, default: 8080)
        tls = try container.value(.tls, default: .init())
        maxConnections = try container.integer(.maxConnections, in: 1...1_000_000, default: 1000)
        allowedClients = try container.list(.allowedClients, expected: "an IP address or a CIDR range (10.0.0.0/8, fd00::/8)") {
            IPAddressRange($0.trimmingASCIISpaces)
        }
        allowedOrigins = try container.list(.allowedOrigins, expected: "an origin such as https://qmc.example.com:443") {
            WebOrigin($0)?.description
        }
        // Checked with the parser the Host rule uses, so no entry is silently ignored there.
        allowedHosts = try container.list(.allowedHosts, expected: "a host name or host:port") { text in
            HostAuthority(text.trimmingASCIISpaces).map { _ in text.trimmingASCIISpaces.lowercased() }
        }
        auth = try container.value(.auth, default: .init())
    }
}

/// `Butler.restServerConfig.tls`: PEM files for HTTPS.
public struct TLSConfig: Equatable, Sendable, Decodable {
    public var enable: Bool = false
    /// `cert`: the server certificate (chain), PEM.
    public var cert: String?
    /// `key`: the private key, PEM.
    public var key: String?
    /// `ca`: an optional CA bundle, PEM; a client certificate, when sent, must be one it signed.
    public var ca: String?
    /// `requireClientCertificate` (beyond Butler): every client must present a certificate `ca` signed
    /// (mutual TLS); the handshake fails otherwise. Needs `ca`.
    public var requireClientCertificate: Bool = false

    public init(enable: Bool = false, cert: String? = nil, key: String? = nil, ca: String? = nil, requireClientCertificate: Bool = false) {
        self.enable = enable
        self.cert = cert
        self.key = key
        self.ca = ca
        self.requireClientCertificate = requireClientCertificate
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enable, cert, key, ca, requireClientCertificate
    }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enable = try container.value(.enable, default: false)
        cert = try container.decodeIfPresent(String.self, forKey: .cert)
        key = try container.decodeIfPresent(String.self, forKey: .key)
        ca = try container.decodeIfPresent(String.self, forKey: .ca)
        requireClientCertificate = try container.value(.requireClientCertificate, default: false)
        if enable {
            for (codingKey, value) in [(CodingKeys.cert, cert), (.key, key)] where (value ?? "").isEmpty {
                throw ConfigError(container.codingPath + [codingKey], "is required when tls.enable is true (path of a PEM file)")
            }
            if requireClientCertificate, (ca ?? "").isEmpty {
                throw ConfigError(container.codingPath + [CodingKeys.ca], "is required when tls.requireClientCertificate is true (PEM file of the CA that signs client certificates)")
            }
        }
    }
}

/// `Butler.restServerConfig.auth` (beyond Butler): API keys. With one or more keys, every route needs one.
public struct RestAuthConfig: Equatable, Sendable, Decodable {
    /// `apiKeys`: the keys, each with a name (logged) and the key itself or the file holding it.
    public var apiKeys: [APIKeyConfig] = []

    public init(apiKeys: [APIKeyConfig] = []) {
        self.apiKeys = apiKeys
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiKeys
    }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiKeys = try container.value(.apiKeys, default: [])
        var names = Set<String>()
        for (index, key) in apiKeys.enumerated() where !names.insert(key.name).inserted {
            throw ConfigError(container.codingPath + [CodingKeys.apiKeys, AnyCodingKey(intValue: index)!, AnyCodingKey("name")],
                "\"\(key.name)\" is the name of an earlier key too; names must be unique")
        }
    }
}

/// One entry of `Butler.restServerConfig.auth.apiKeys`: `{name, key}` or `{name, keyFile}`, with an
/// optional `endpoints` list of route groups.
public struct APIKeyConfig: Equatable, Sendable, Decodable {
    /// Where the key's text comes from.
    public enum Secret: Equatable, Sendable {
        /// `key`: the key itself, in the config file.
        case inline(String)
        /// `keyFile`: a file holding the key (surrounding white space is ignored), read at start-up.
        case file(String)
    }

    /// `name`: how the key appears in request logs (the key itself never does).
    public var name: String
    public var secret: Secret
    /// `endpoints`: the route groups the key may call; nil (absent) for all.
    public var endpoints: Set<RouteGroup>?

    /// The shortest key accepted, so that a key can't be guessed.
    public static let minimumLength = 16

    public init(name: String, secret: Secret, endpoints: Set<RouteGroup>? = nil) {
        self.name = name
        self.secret = secret
        self.endpoints = endpoints
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, key, keyFile, endpoints
    }

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.value(.name, default: "")
        if name.isEmpty || name.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true }) {
            throw ConfigError(container.codingPath + [CodingKeys.name], "expected a name for the key (one line of text)")
        }
        let key = try container.decodeIfPresent(String.self, forKey: .key)
        let keyFile = try container.decodeIfPresent(String.self, forKey: .keyFile)
        switch (key, keyFile) {
        case let (key?, nil):
            guard key.count >= Self.minimumLength else {
                // Never quote the key.
                throw ConfigError(container.codingPath + [CodingKeys.key], "must be at least \(Self.minimumLength) characters long")
            }
            secret = .inline(key)
        case let (nil, file?) where !file.isEmpty:
            secret = .file(file)
        default:
            throw ConfigError(container.codingPath, "expected exactly one of key or keyFile")
        }
        if container.contains(.endpoints), try !container.decodeNil(forKey: .endpoints) {
            endpoints = Set(try container.list(.endpoints, expected: "one of \(RouteGroup.allCases.map(\.rawValue).joined(separator: ", "))") {
                RouteGroup(rawValue: $0)
            })
        }
    }
}

extension KeyedDecodingContainer {
    /// A list of strings at `key` (absent or null: empty), each turned into a value by `parse`; an entry
    /// `parse` refuses is a `ConfigError` naming its index: `expected <expected>, found "<text>"`.
    func list<T>(_ key: Key, expected: String, _ parse: (String) -> T?) throws -> [T] {
        try value(key, default: [String]()).enumerated().map { index, text in
            guard let value = parse(text) else {
                throw ConfigError(codingPath + [key, AnyCodingKey(intValue: index)!], "expected \(expected), found \"\(text)\"")
            }
            return value
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    var trimmingASCIISpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}

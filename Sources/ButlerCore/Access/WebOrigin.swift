/// A web origin (`scheme://host:port`, RFC 6454), as sent in a browser's `Origin` header and written in
/// `Butler.restServerConfig.allowedOrigins`. Scheme and host compare without regard to case; a missing
/// port is the scheme's default (80 for http, 443 for https).
public struct WebOrigin: Hashable, Sendable, CustomStringConvertible {
    public let scheme: String
    public let host: String
    public let port: Int

    /// Parses `scheme://host[:port]` (no path, query or user part); nil otherwise, including for the
    /// opaque origin `null` that sandboxed pages and `file:` URLs send.
    public init?(_ text: String) {
        guard let separator = text.range(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https", let authority = HostAuthority(String(text[separator.upperBound...])) else { return nil }
        self.init(scheme: scheme, authority: authority)
    }

    /// The origin of a page fetched from `authority` (a `Host` header) over `scheme`.
    public init(scheme: String, authority: HostAuthority) {
        self.scheme = scheme
        self.host = authority.host
        self.port = authority.port ?? (scheme == "https" ? 443 : 80)
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)"
    }
}

/// The host and optional port of a `Host` header or an origin's authority: `example.com`, `example.com:8080`,
/// `127.0.0.1:8080`, `[::1]:8080`. The host is lower-cased; IPv6 literals are kept without brackets.
public struct HostAuthority: Hashable, Sendable {
    public let host: String
    public let port: Int?

    /// nil for empty text, a path, user info, a bad port or characters no host name has.
    public init?(_ text: String) {
        var rest = Substring(text.lowercased())
        let host: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
            guard IPAddressRange.addressBytes(String(host))?.count == 16 else { return nil }
        } else {
            let colon = rest.firstIndex(of: ":") ?? rest.endIndex
            host = rest[..<colon]
            rest = rest[colon...]
            guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }) else { return nil }
        }
        var port: Int?
        if !rest.isEmpty {
            guard rest.first == ":", let value = Int(rest.dropFirst()), rest.count > 1, rest.dropFirst().allSatisfy(\.isNumber), (0...65535).contains(value) else { return nil }
            port = value
        }
        self.host = String(host.hasSuffix(".") ? host.dropLast() : host)
        self.port = port
    }

    /// Whether this names the local machine's loopback interface: `localhost` (and names under it),
    /// `127.0.0.0/8` or `::1`.
    public var isLoopback: Bool {
        host == "localhost" || host.hasSuffix(".localhost") || IPAddressRange.isLoopbackAddress(host)
    }
}

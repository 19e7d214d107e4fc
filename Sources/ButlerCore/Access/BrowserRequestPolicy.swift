/// The defences against web pages that drive Butler from an administrator's browser: DNS rebinding
/// (the `Host` rule) and cross-site requests (the `Origin` rule). Built once from
/// `Butler.restServerConfig`; see docs/security.md.
public struct BrowserRequestPolicy: Sendable {
    /// Which `Host` headers are accepted.
    public enum HostRule: Sendable, Equatable {
        /// Every host (Butler listens on a non-loopback address and `allowedHosts` is empty).
        case any
        /// Loopback names, and the listed hosts.
        case loopbackAnd([HostEntry])
        /// Only the listed hosts.
        case only([HostEntry])
    }

    /// An `allowedHosts` entry: a host, and the port it must come with when one was written.
    public struct HostEntry: Sendable, Equatable {
        public let host: String
        public let port: Int?
    }

    public let hostRule: HostRule
    /// The origins allowed besides Butler's own.
    public let allowedOrigins: Set<WebOrigin>
    /// `http` or `https`: the scheme of Butler's own origin.
    public let scheme: String

    /// The rule for `config`: loopback-only when `serverHost` is a loopback address, `allowedHosts` when
    /// set, every host otherwise.
    public init(config: RestServerConfig) {
        let entries = config.allowedHosts.compactMap { HostAuthority($0).map { HostEntry(host: $0.host, port: $0.port) } }
        if Self.isLoopback(listenAddress: config.serverHost) {
            hostRule = .loopbackAnd(entries)
        } else {
            hostRule = entries.isEmpty ? .any : .only(entries)
        }
        allowedOrigins = Set(config.allowedOrigins.compactMap(WebOrigin.init))
        scheme = config.tls.enable ? "https" : "http"
    }

    /// Whether a request with this `Host` header may be served (a missing or malformed one is refused
    /// unless every host is accepted). Source: the DNS-rebinding defence of Node's and Vite's dev servers.
    public func acceptsHost(_ header: String?) -> Bool {
        if case .any = hostRule { return true }
        guard let header, let authority = HostAuthority(header) else { return false }
        switch hostRule {
        case .any: return true
        case .loopbackAnd(let entries): return authority.isLoopback || Self.matches(authority, entries)
        case .only(let entries): return Self.matches(authority, entries)
        }
    }

    /// Whether a request with this `Origin` header may be served: Butler's own origin (the page's scheme,
    /// and the host and port of the request's accepted `Host` header) or one of `allowedOrigins`.
    /// `null` and anything unparsable are refused.
    public func acceptsOrigin(_ header: String, host: String?) -> Bool {
        guard let origin = WebOrigin(header) else { return false }
        if allowedOrigins.contains(origin) { return true }
        guard let host, let authority = HostAuthority(host), acceptsHost(host) else { return false }
        return origin == WebOrigin(scheme: scheme, authority: authority)
    }

    /// Whether `serverHost` (`127.0.0.1`, `localhost`, `::1`, `[::1]`) listens on loopback only.
    static func isLoopback(listenAddress: String) -> Bool {
        var address = listenAddress.lowercased()
        if address.hasPrefix("["), address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
        return IPAddressRange.isLoopbackAddress(address) || HostAuthority(address)?.isLoopback == true
    }

    static func matches(_ authority: HostAuthority, _ entries: [HostEntry]) -> Bool {
        entries.contains { $0.host == authority.host && ($0.port == nil || $0.port == authority.port) }
    }
}

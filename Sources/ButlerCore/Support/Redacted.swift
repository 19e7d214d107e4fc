import Foundation

/// Names outside destinations in error messages and log lines without their secrets.
///
/// Webhook URLs (Slack, Teams, Signl4, outgoing webhooks) carry their secret in the path or the query,
/// and a URL may carry `user:password@`. Every message that names a destination goes through
/// `origin(_:)`, so only `scheme://host[:port]` ever reaches a caller or a log line (issue 12, item 5).
public enum Redacted {
    /// `scheme://host[:port]` of `url` (IPv6 hosts in brackets); path, query, fragment and user info are
    /// left out. `<invalid URL>` when `url` isn't an absolute URL with a host: the text itself is never
    /// echoed, because it may be a secret pasted in the wrong place.
    public static func origin(_ url: String) -> String {
        guard let components = URLComponents(string: url.trimmingCharacters(in: .whitespaces)),
            let scheme = components.scheme?.lowercased(), scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }),
            let host = components.host, !host.isEmpty
        else { return "<invalid URL>" }
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let port = components.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(shownHost)\(port)"
    }

    /// `text` with every occurrence of each of `secrets` replaced by `***`. Secrets shorter than 4
    /// characters are skipped (a `/` path or a one-letter password would mangle the whole message).
    /// Used on texts Butler doesn't build itself (a library's error description) before they are
    /// reported.
    public static func scrub(_ text: String, removing secrets: [String]) -> String {
        var result = text
        for secret in secrets.sorted(by: { $0.count > $1.count }) where secret.count >= 4 {
            result = result.replacingOccurrences(of: secret, with: "***")
        }
        return result
    }

    /// The parts of `url` that may be secret: the whole URL, its path, query, user and password (each as
    /// written and percent-decoded), for `scrub`.
    public static func secretParts(of url: String) -> [String] {
        var parts = [url]
        if let components = URLComponents(string: url) {
            parts += [components.percentEncodedPath, components.path, components.percentEncodedQuery, components.query,
                      components.percentEncodedUser, components.user, components.percentEncodedPassword, components.password]
                .compactMap { $0 }.filter { $0 != "/" }
        }
        return parts
    }
}

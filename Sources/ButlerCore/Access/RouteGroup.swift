/// A group of REST routes that an API key can be limited to (`Butler.restServerConfig.auth.apiKeys[].endpoints`).
///
/// Beyond Butler, which had no access control. The groups follow Butler's route families.
public enum RouteGroup: String, CaseIterable, Sendable, Codable {
    /// `/v4/keyvalues…`, `/v4/keylist…`, `/v4/keyvaluesnamespaces`.
    case keyValueStore
    /// `/v4/filecopy`, `/v4/filemove`, `/v4/filedelete`, `/v4/createdir`, `/v4/createdirqvd`.
    case files
    /// `/v4/schedules…`.
    case scheduler
    /// `/v4/reloadtask…`, `/v4/app…`, `/v4/apps…`, `/v4/senseappdump…`, `/v4/senselistapps`.
    case qlikSense
    /// `/v4/slackpostmessage`, `/v4/mqttpublishmessage`, `/v4/newrelic…`.
    case notifications
    /// `/v4/butlerping`, `/v4/base62tobase16`, `/v4/base16tobase62`, `/v4/configfile…`.
    case utility

    /// The group of a request path, from its first segment after `/v4/`; nil for paths outside every
    /// group (they answer 404).
    public init?(path: some StringProtocol) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        guard segments.count >= 2, segments[0] == "v4" else { return nil }
        switch segments[1].lowercased() {
        case "keyvalues", "keylist", "keyvaluesnamespaces": self = .keyValueStore
        case "filecopy", "filemove", "filedelete", "createdir", "createdirqvd": self = .files
        case "schedules": self = .scheduler
        case "reloadtask", "app", "apps", "senseappdump", "senselistapps": self = .qlikSense
        case "slackpostmessage", "mqttpublishmessage", "newrelic": self = .notifications
        case "butlerping", "base62tobase16", "base16tobase62", "configfile": self = .utility
        default: return nil
        }
    }
}

import ButlerCore
import Logging

/// What the command line adds to the config file, and what tests replace.
public struct ServerOptions: Sendable {
    /// `--api-rate-limit`: requests per minute per client address; 0 turns the limit off.
    public var apiRateLimit: Int = 100
    /// The wall clock for TTLs and rate limits.
    public var clock: any WallClock = SystemWallClock()
    /// The key-value store; `nil` opens the SQLite store at `Butler.database.file`.
    public var keyValueStore: (any KeyValueStore)?
    /// How often expired key-value pairs are purged from storage.
    public var purgeInterval: Duration = .seconds(60)
    /// How long a connection may stay silent (no request, or a request body that stopped arriving)
    /// before it is closed, so slow or stuck clients can't hold connections for ever.
    public var idleTimeout: Duration = .seconds(30)
    /// The deadline for a request's head, from the connection's start or the end of the previous response.
    public var requestHeadTimeout: Duration = .seconds(10)
    /// The deadline for a request's body, from the end of its head.
    public var requestBodyTimeout: Duration = .seconds(30)
    /// How long a call to an outside service (Slack, New Relic) or an MQTT acknowledgement may take before
    /// it is given up (503).
    public var outboundTimeout: Duration = .seconds(10)
    /// The Qlik Sense site's tasks (started by the start-task route, MQTT and the scheduler); nil uses
    /// the QRS client when `Butler.configQRS` is set.
    public var qlikSenseTasks: (any QlikSenseTasks)?
    /// false for `--no-qs-connection`: no QRS or Engine connection, whatever the config says.
    public var qlikSenseConnection: Bool = true
    /// Called with the UDP listener's port once it is bound (tests bind port 0).
    public var onUDPBound: @Sendable (Int) -> Void = { _ in }
    /// The application's logger (its level decides what is logged).
    public var logger: Logger = Logger(label: "butler")

    public init() {}
}

import Synchronization

/// What the simulated Engine was asked to do, for tests: WebSocket sessions, reloads and saves; and
/// reload outcomes set by a test.
public final class EngineActivity: Sendable {
    /// One WebSocket upgrade: the request path and the `X-Qlik-User` header (nil when absent).
    public struct Connection: Equatable, Sendable {
        public var path: String
        public var user: String?
    }

    /// One `DoReload` or `DoReloadEx`.
    public struct Reload: Equatable, Sendable {
        /// Lower-case app id.
        public var appId: String
        public var mode: Int
        public var partial: Bool
        public var succeeded: Bool

        public init(appId: String, mode: Int, partial: Bool, succeeded: Bool) {
            self.appId = appId
            self.mode = mode
            self.partial = partial
            self.succeeded = succeeded
        }
    }

    private struct State {
        var connections: [Connection] = []
        var reloads: [Reload] = []
        var saves: [String] = []
        var outcomes: [String: AppContent.ReloadOutcome] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public var connections: [Connection] { state.withLock { $0.connections } }
    /// Finished reloads, in order.
    public var reloads: [Reload] { state.withLock { $0.reloads } }
    /// Lower-case ids of the apps saved (`DoSave`), in order.
    public var saves: [String] { state.withLock { $0.saves } }

    /// Makes the next reloads of an app end with `outcome` instead of its content's `reloadOutcome`.
    public func setReloadOutcome(_ outcome: AppContent.ReloadOutcome, forApp id: String) {
        state.withLock { $0.outcomes[id.lowercased()] = outcome }
    }

    func outcome(forApp id: String) -> AppContent.ReloadOutcome? {
        state.withLock { $0.outcomes[id.lowercased()] }
    }

    func record(_ connection: Connection) { state.withLock { $0.connections.append(connection) } }
    func record(_ reload: Reload) { state.withLock { $0.reloads.append(reload) } }
    func recordSave(appId: String) { state.withLock { $0.saves.append(appId.lowercased()) } }
}

/// A Qlik Sense app as Butler's app list reports it: `{"id":"<qDocId>","name":"<qDocName>"}`.
public struct AppSummary: Equatable, Hashable, Sendable, Codable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// How to reload an app: Engine `DoReload(qMode, qPartial)`.
public struct AppReloadOptions: Equatable, Sendable {
    /// `qMode`: 0 default (stop on error), 1 ABEND, 2 ignore errors.
    public var mode: Int
    /// `qPartial`: a partial reload (only `ADD`/`REPLACE`/`MERGE` statements run).
    public var partial: Bool

    public init(mode: Int = 0, partial: Bool = false) {
        self.mode = mode
        self.partial = partial
    }
}

/// An app opened in the Engine for a reload (Engine `OpenDoc(appId, "", "", "", false)` done).
public protocol OpenedAppForReload: Sendable {
    /// Runs `DoReload(mode, partial)`; when the Engine answers `qReturn: true` also `DoSave()`. Closes the
    /// session either way. Waits as long as the reload takes (real reloads can run for hours); a dropped
    /// connection ends the wait with an error.
    /// - Returns: whether the reload succeeded (and the app was saved).
    /// - Throws: `ButlerError` (`.unavailable` when the connection is lost, `.badGateway` for an Engine error).
    func reload(_ options: AppReloadOptions) async throws -> Bool
    /// Closes the session without reloading.
    func close() async
}

/// What Butler needs from a Qlik Sense Engine (QIX, JSON-RPC over WebSocket, port 4747): the app list,
/// stand-alone reloads and app dumps. The live implementation is `EngineClient`; tests use the Qlik Sense
/// simulator's Engine.
///
/// Errors are `ButlerError` (DESIGN Decision 9): `.unprocessable` (422) when the Engine can't open the app
/// (unknown app, access denied), with the Engine's message; `.unavailable` (503) when the Engine can't be
/// reached, refuses the TLS handshake or doesn't answer within the configured timeouts; `.badGateway` (502)
/// for any other Engine error. App ids are expected to be GUIDs already (the caller checks).
public protocol QlikSenseApps: Sendable {
    /// Every app the Engine lists. Engine: `GetDocList` on the global handle, on a socket without an app path.
    func listApps() async throws -> [AppSummary]
    /// Opens the app for a reload (`EngineVersion`, then `OpenDoc`); the reload itself is `reload(_:)` on the
    /// result, so a caller can answer as soon as the app is open (Butler, B38).
    func openForReload(appId: String) async throws -> any OpenedAppForReload
    /// The app's dump, as Butler's serializer makes it: an object with the keys `properties, loadScript,
    /// sheets, stories, masterobjects, appprops, dimensions, measures, bookmarks, embeddedmedia, snapshots,
    /// fields, dataconnections, variables` and, when the Engine supports `GetLineage`, `lineage`
    /// (qlik-wire-protocols.md §4). The app is opened without data (`qNoData: true`).
    func dump(appId: String) async throws -> JSONValue
}

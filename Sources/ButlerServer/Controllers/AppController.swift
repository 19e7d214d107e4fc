import ButlerCore
import Hummingbird
import Logging

/// The Qlik Sense app routes, over the Engine (switches `senseAppReload`, `senseAppDump`, `senseListApps`):
///
/// - `PUT /v4/app/:appId/reload`, body optional `{reloadMode, partialReload, startQSEoWTaskOnSuccess,
///   startQSEoWTaskOnFailure}` → 201 `{"appId":"<id>"}` as soon as the app is open; the reload, the save and
///   the follow-up task starts continue in the background (spec §2.4.15, B38).
/// - `GET /v4/app/:appId/dump` and `GET /v4/senseappdump/:appId` → 200, the dump's 14 keys (+ `lineage`
///   when the Engine has it) + `appId` (§2.4.16).
/// - `GET /v4/apps/list` and `GET /v4/senselistapps` → 200 `[{"id","name"}]` (§2.4.17).
///
/// Errors (DESIGN Decision 9): an app id that isn't a GUID → 400; the Engine can't open the app → 422 with
/// its message; no Engine configured, `--no-qs-connection`, or the Engine unreachable or refusing TLS → 503.
struct AppController {
    /// nil when Butler has no Engine connection.
    let apps: (any QlikSenseApps)?
    /// Follow-up task starts; nil without a QRS connection.
    let taskStarts: TaskStartService?
    let endpoints: EndpointSwitches
    let logger: Logger

    func register(on router: Router<ButlerRequestContext>) {
        if endpoints.isEnabled(.senseAppReload) { router.put("/v4/app/:appId/reload", use: reload) }
        if endpoints.isEnabled(.senseAppDump) {
            router.get("/v4/app/:appId/dump", use: dump)
            router.get("/v4/senseappdump/:appId", use: dump)
        }
        if endpoints.isEnabled(.senseListApps) {
            router.get("/v4/apps/list", use: list)
            router.get("/v4/senselistapps", use: list)
        }
    }

    @Sendable func reload(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let given = try context.pathParameter("appId")
        let reloadRequest = try Self.reloadRequest(try await request.jsonBody(context: context))
        let apps = try engine(afterChecking: given)
        let appId = try await AppReloadService(apps: apps, taskStarts: taskStarts, logger: logger).reload(appId: given, reloadRequest)
        return try JSONResponse.make(["appId": appId], status: .created)
    }

    @Sendable func dump(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let given = try context.pathParameter("appId")
        let apps = try engine(afterChecking: given)
        let appId = QlikGUID.normalised(given)!
        var dump = try await apps.dump(appId: appId).objectValue ?? [:]
        dump["appId"] = .string(appId)
        return try JSONResponse.make(JSONValue.object(dump))
    }

    @Sendable func list(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        try JSONResponse.make(try await engine(afterChecking: nil).listApps())
    }

    /// The Engine, after the app id (if any) is found to be a GUID.
    private func engine(afterChecking appId: String?) throws -> any QlikSenseApps {
        if let appId, QlikGUID.normalised(appId) == nil {
            throw ButlerError.badRequest("App ID '\(appId)' is not a valid Qlik Sense app id (a GUID)")
        }
        guard let apps else {
            throw ButlerError(.unavailable, "Butler has no Qlik Sense Engine connection (Butler.configEngine is not set, or --no-qs-connection)")
        }
        return apps
    }

    /// Butler's reload body: `reloadMode` 0, 1 or 2 (numbers or numeric strings; anything else is 0),
    /// `partialReload` true for `true`/`"true"`, task id lists as string arrays (AJV-style 400 otherwise).
    static func reloadRequest(_ body: JSONValue?) throws -> AppReloadRequest {
        guard let body else { return AppReloadRequest() }
        guard let fields = body.objectValue else { throw ButlerHTTPError.validation("body must be object") }
        var mode = 0
        switch fields["reloadMode"] {
        case .number(let number)? where [0, 1, 2].contains(number): mode = Int(number)
        case .string(let text)? where ["0", "1", "2"].contains(text.trimmingCharacters(in: .whitespaces)):
            mode = Int(text.trimmingCharacters(in: .whitespaces))!
        default: mode = 0
        }
        let partial: Bool = switch fields["partialReload"] {
        case .bool(let flag)?: flag
        case .string(let text)?: text.lowercased() == "true"
        default: false
        }
        func ids(_ name: String) throws -> [String] {
            guard let value = fields[name], value != .null else { return [] }
            guard let items = value.arrayValue else { throw ButlerHTTPError.validation("body/\(name) must be array") }
            return try items.enumerated().map { index, item in
                guard let text = item.stringValue else { throw ButlerHTTPError.validation("body/\(name)/\(index) must be string") }
                return text
            }
        }
        return AppReloadRequest(
            options: AppReloadOptions(mode: mode, partial: partial),
            startOnSuccess: try ids("startQSEoWTaskOnSuccess"), startOnFailure: try ids("startQSEoWTaskOnFailure"))
    }
}

import Logging

/// What a stand-alone reload request asks for: the reload, and the tasks to start after it.
public struct AppReloadRequest: Equatable, Sendable {
    public var options: AppReloadOptions
    /// Task ids started (through the start-task allow-list) when the reload succeeded.
    public var startOnSuccess: [String]
    /// Task ids started when the reload failed.
    public var startOnFailure: [String]

    public init(options: AppReloadOptions = .init(), startOnSuccess: [String] = [], startOnFailure: [String] = []) {
        self.options = options
        self.startOnSuccess = startOnSuccess
        self.startOnFailure = startOnFailure
    }
}

/// Stand-alone app reloads, the way Butler's `PUT /v4/app/:appId/reload` does them (spec §2.4.15, B38):
/// open the app, answer, then reload in the background; on success save the app and start the
/// success tasks, else start the failure tasks (no save).
public struct AppReloadService: Sendable {
    let apps: any QlikSenseApps
    /// nil when Butler has no QRS connection: follow-up tasks are then logged and skipped.
    let taskStarts: TaskStartService?
    let logger: Logger

    public init(apps: any QlikSenseApps, taskStarts: TaskStartService?, logger: Logger) {
        self.apps = apps
        self.taskStarts = taskStarts
        self.logger = logger
    }

    /// Opens the app and returns once it is open; the reload and follow-up tasks then run in the background
    /// (their errors are logged).
    /// - Throws: `.badRequest` for an app id that isn't a GUID; the Engine's `.unprocessable` /
    ///   `.unavailable` when the app can't be opened.
    /// - Returns: the app id in lower case.
    public func reload(appId given: String, _ request: AppReloadRequest) async throws -> String {
        guard let appId = QlikGUID.normalised(given) else {
            throw ButlerError.badRequest("App ID '\(given)' is not a valid Qlik Sense app id (a GUID)")
        }
        let app = try await apps.openForReload(appId: appId)
        Task { [logger, taskStarts] in
            let succeeded: Bool
            do {
                succeeded = try await app.reload(request.options)
                logger.info("Reload of app \(appId) \(succeeded ? "succeeded; app saved" : "failed")")
            } catch {
                logger.error("Reload of app \(appId) could not be completed: \(error)")
                succeeded = false
            }
            let follow = succeeded ? request.startOnSuccess : request.startOnFailure
            guard !follow.isEmpty else { return }
            guard let taskStarts else {
                logger.warning("Reload of app \(appId): tasks \(follow) not started, Butler has no QRS connection")
                return
            }
            for id in follow {
                do {
                    switch try await taskStarts.startTask(id: id) {
                    case .started: logger.info("Reload of app \(appId): started task \(id)")
                    case .invalid: logger.warning("Reload of app \(appId): task id '\(id)' is not a GUID, not started")
                    case .denied: logger.warning("Reload of app \(appId): task \(id) is not allowed by startTaskFilter")
                    }
                } catch {
                    logger.error("Reload of app \(appId): could not start task \(id): \(error)")
                }
            }
        }
        return appId
    }
}

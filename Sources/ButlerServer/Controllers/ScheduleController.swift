import ButlerCore
import Hummingbird

/// The schedule routes (switches `scheduler.*`; none exist when `Butler.scheduler.enable` is false).
///
/// Source: Butler's routes (spec §2.4.18) with DESIGN Decisions 1: `GET /v4/schedules[?id=]` (an id → one
/// object), `POST /v4/schedules` → 201 with the created object, `DELETE` → 204, start/stop of one → 200 with
/// an array of one, startall/stopall → 200 with all, `GET /v4/schedules/status` → text/plain; an unknown id
/// is 400 everywhere. Beyond Butler: every schedule carries `nextRunTime` (ISO 8601 with the zone's
/// offset, null when stopped) and, after it has fired, `lastRun` `{time, result}`.
struct ScheduleController {
    let scheduler: Scheduler
    let endpoints: EndpointSwitches

    func register(on router: Router<ButlerRequestContext>) {
        if endpoints.isEnabled(.getSchedule) { router.get("/v4/schedules", use: get) }
        if endpoints.isEnabled(.createNewSchedule) { router.post("/v4/schedules", use: create) }
        if endpoints.isEnabled(.deleteSchedule) { router.delete("/v4/schedules/:scheduleId", use: delete) }
        if endpoints.isEnabled(.startSchedule) {
            router.put("/v4/schedules/startall") { _, _ in try await all(.started) }
            router.put("/v4/schedules/:scheduleId/start") { _, context in try await one(.started, context) }
        }
        if endpoints.isEnabled(.stopSchedule) {
            router.put("/v4/schedules/stopall") { _, _ in try await all(.stopped) }
            router.put("/v4/schedules/:scheduleId/stop") { _, context in try await one(.stopped, context) }
        }
        if endpoints.isEnabled(.getScheduleStatusAll) {
            router.get("/v4/schedules/status") { _, _ in JSONResponse.text(await scheduler.statusText()) }
        }
    }

    @Sendable func get(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        if let id = try request.queryFields.string("id") {
            return try JSONResponse.make(try await scheduler.view(id: id))
        }
        return try JSONResponse.make(JSONValue.array(await scheduler.views()))
    }

    @Sendable func create(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        guard let body = try await request.jsonBody(context: context) else { throw ButlerHTTPError.validation("body must be object") }
        let schedule = try await scheduler.add(body)
        return try JSONResponse.make(try await scheduler.view(id: schedule.id), status: .created)
    }

    @Sendable func delete(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        try await scheduler.delete(id: try context.pathParameter("scheduleId"))
        return JSONResponse.noContent()
    }

    private func one(_ state: Schedule.State, _ context: ButlerRequestContext) async throws -> Response {
        let schedule = try await scheduler.set(state, id: try context.pathParameter("scheduleId"))
        return try JSONResponse.make(JSONValue.array([try await scheduler.view(id: schedule.id)]))
    }

    private func all(_ state: Schedule.State) async throws -> Response {
        _ = try await scheduler.setAll(state)
        return try JSONResponse.make(JSONValue.array(await scheduler.views()))
    }
}

import ButlerCore
import Foundation
import HTTPTypes
import Hummingbird

/// The QRS endpoints of the simulated site (qlik-wire-protocols.md §1.3, status codes §1.5): task, app,
/// user and custom-property lists with `?filter=`, task starts, execution results and script-log downloads.
/// Unknown ids are 404, a bad filter is 400, a start is 204.
struct QRSController {
    let site: SimulatedSite

    func register(on router: Router<BasicRequestContext>) {
        let qrs = router.group("qrs")
        qrs.get("task") { request, _ in try list(request, site.description.tasks.map(site.taskFull), condensed: site.description.tasks.map(site.taskCondensed)) }
        qrs.get("task/full") { request, _ in try list(request, site.description.tasks.map(site.taskFull)) }
        qrs.get("reloadtask") { request, _ in try list(request, reloadTasks.map(site.taskFull), condensed: reloadTasks.map(site.taskCondensed)) }
        qrs.get("reloadtask/full") { request, _ in try list(request, reloadTasks.map(site.taskFull)) }
        for type in ["reloadtask", "externalprogramtask", "usersynctask"] {
            // Butler reads preload and distribute tasks from /qrs/reloadtask/{id} too: any task is served.
            qrs.get("\(type)/:id") { _, context in
                try one(site.task(id: context.parameters.require("id")).map(site.taskFull))
            }
        }
        qrs.post("task/:id/start") { _, context in
            guard site.startTask(id: try context.parameters.require("id")) != nil else { return Self.notFound() }
            return Response(status: .noContent)
        }
        qrs.post("task/:id/start/synchronous") { _, context in
            guard let result = site.startTask(id: try context.parameters.require("id")) else {
                return Self.json(.object(["value": .string("00000000-0000-0000-0000-000000000000")]), status: .created)
            }
            return Self.json(.object(["value": .string(result.id)]), status: .created)
        }
        qrs.post("task/start/many") { request, context in
            let ids = try JSONDecoder().decode([String].self, from: Data(buffer: try await request.body.collect(upTo: 1 << 20)))
            for id in ids { site.startTask(id: id) }
            return Response(status: .noContent)
        }
        qrs.get("reloadtask/:id/scriptlog") { _, context in try scriptLogReference(context) }
        qrs.get("reloadtask/:id/scriptlogfile") { _, context in try scriptLogReference(context) }
        qrs.get("download/reloadtask/:reference/:name") { _, context in
            guard let log = site.scriptLog(reference: try context.parameters.require("reference")) else { return Self.notFound() }
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: log)))
        }
        qrs.get("app") { request, _ in try list(request, site.description.apps.map(site.appFull), condensed: site.description.apps.map(site.appCondensed)) }
        qrs.get("app/full") { request, _ in try list(request, site.description.apps.map(site.appFull)) }
        qrs.get("app/:id") { _, context in try one(site.app(id: context.parameters.require("id")).map(site.appFull)) }
        qrs.get("user/full") { request, _ in try list(request, site.description.users.map(site.userFull)) }
        qrs.get("user/:id") { _, context in try one(site.user(id: context.parameters.require("id")).map(site.userFull)) }
        qrs.get("custompropertydefinition/full") { request, _ in
            try list(request, site.description.customPropertyDefinitions.map(site.customPropertyDefinition))
        }
        qrs.get("about") { _, _ in
            Self.json(.object([
                "buildVersion": .string("14.187.4"), "buildDate": .string("2024-02-20T00:00:00.000Z"),
                "databaseProvider": .string("Devart.Data.PostgreSql"), "nodeType": .number(1), "sharedPersistence": .bool(true),
                "requiresBootstrap": .bool(false), "singleNodeOnly": .bool(false), "schemaPath": .string("About"),
            ]))
        }
    }

    private var reloadTasks: [SiteDescription.ReloadTask] { site.description.tasks.filter { $0.type == .reload } }

    private func scriptLogReference(_ context: BasicRequestContext) throws -> Response {
        guard let reference = site.scriptLogReference(forTask: try context.parameters.require("id")) else { return Self.notFound() }
        return Self.json(.object(["value": .string(reference)]))
    }

    /// A list endpoint: the entities that match `?filter=` (all without one); 400 for a bad filter.
    private func list(_ request: Request, _ full: [JSONValue], condensed: [JSONValue]? = nil) throws -> Response {
        let shown = condensed ?? full
        guard let text = QRSQuery(request.uri.query ?? "")["filter"], !text.isEmpty else { return Self.json(.array(shown)) }
        let filter: QRSFilter
        do {
            filter = try QRSFilter.parse(text)
        } catch {
            return Response(status: .badRequest, body: .init(byteBuffer: .init(string: "\(error)")))
        }
        // The filter sees the full entity even when the condensed form is returned, as in QRS.
        return Self.json(.array(zip(full, shown).filter { filter.matches($0.0) }.map(\.1)))
    }

    private func one(_ entity: JSONValue?) throws -> Response {
        guard let entity else { return Self.notFound() }
        return Self.json(entity)
    }

    static func notFound() -> Response {
        Response(status: .notFound)
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: .init(data: data)))
    }
}

/// A QRS query string as Qlik reads it: names case-insensitive, `+` is a space, percent-escapes decoded,
/// raw `'` accepted (qlik-wire-protocols.md §1.1).
struct QRSQuery {
    private var values: [String: String] = [:]

    init(_ query: String) {
        for part in query.split(separator: "&") {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            let name = decode(pieces[0]).lowercased()
            if values[name] == nil { values[name] = pieces.count > 1 ? decode(pieces[1]) : "" }
        }
    }

    subscript(name: String) -> String? { values[name.lowercased()] }
}

import ButlerCore
import Hummingbird
import Logging

/// `PUT` and `POST /v4/reloadtask/:taskId/start[?allTaskIdsMustExist=]` (switch `senseStartTask`).
///
/// Source: Butler's route (spec §2.4.13, B34, B36): the path id (or the magic `-`, never reported) plus the
/// optional body array of `{type, payload}` items — `starttaskid`, `starttasktag`,
/// `starttaskcustomproperty`, `keyvaluestore` — answered 200 with Butler's report object. Beyond Butler: a
/// missing body or `{}` counts as `[]`; no Qlik Sense connection is a prompt 503.
struct ReloadTaskController {
    /// nil when Butler has no Qlik Sense connection.
    let taskStarts: TaskStartService?
    /// The key-value store, when `restServerEndpointsEnable.keyValueStore` is on.
    let keyValues: KeyValueService?
    let logger: Logger

    func register(on router: Router<ButlerRequestContext>) {
        router.put("/v4/reloadtask/:taskId/start", use: start)
        router.post("/v4/reloadtask/:taskId/start", use: start)
    }

    @Sendable func start(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let taskId = try context.pathParameter("taskId")
        let allMustExist = try request.queryFields.boolean("allTaskIdsMustExist") ?? false
        var plan = try Self.plan(try await request.jsonBody(context: context))
        if taskId != "-" { plan.request.taskIds.insert(taskId, at: 0) }
        guard let taskStarts else {
            throw ButlerError(.unavailable, "Butler has no Qlik Sense connection (Butler.configQRS is not set, or --no-qs-connection)")
        }
        try await store(plan.keyValues)
        let report = try await taskStarts.start(plan.request, allTaskIdsMustExist: allMustExist)
        return try JSONResponse.make(report)
    }

    struct Plan {
        var request = TaskStartRequest()
        var keyValues: [(namespace: String, key: String, value: String, ttl: Int)] = []
    }

    /// Reads the body array; AJV-style 400s for items that aren't `{type, payload}` with a known type.
    static func plan(_ body: JSONValue?) throws -> Plan {
        var plan = Plan()
        let items: [JSONValue]
        switch body {
        case nil: items = []
        case .object(let fields) where fields.isEmpty: items = []
        case .array(let array): items = array
        default: throw ButlerHTTPError.validation("body must be array")
        }
        for (index, item) in items.enumerated() {
            guard case .object(let fields) = item else { throw ButlerHTTPError.validation("body/\(index) must be object") }
            let payload = SchemaFields(part: "body/\(index)/payload", fields: fields["payload"].flatMap {
                if case .object(let payload) = $0 { return payload } else { return nil }
            } ?? [:])
            switch fields["type"] {
            case .string("starttaskid")?:
                if let id = try payload.string("taskId") { plan.request.taskIds.append(id) }
            case .string("starttasktag")?:
                if let tag = try payload.string("tag") { plan.request.tags.append(tag) }
            case .string("starttaskcustomproperty")?:
                if let name = try payload.string("customPropertyName"), let value = try payload.string("customPropertyValue") {
                    plan.request.customProperties.append(NameValue(name: name, value: value))
                }
            case .string("keyvaluestore")?:
                // As in Butler: stored only when namespace, key and value are all given.
                if let namespace = try payload.string("namespace"), !namespace.isEmpty,
                    let key = try payload.string("key"), !key.isEmpty, let value = try payload.string("value"), !value.isEmpty {
                    let ttl = try payload.number("ttl") ?? 0
                    plan.keyValues.append((namespace, key, value, ttl > 0 ? Int(min(ttl, Double(Int32.max) * 1000)) : 0))
                }
            default:
                throw ButlerHTTPError.validation("body/\(index)/type must be equal to one of the allowed values")
            }
        }
        return plan
    }

    private func store(_ pairs: [(namespace: String, key: String, value: String, ttl: Int)]) async throws {
        guard !pairs.isEmpty else { return }
        guard let keyValues else {
            logger.warning("Start task: key-value items ignored, the key-value store is disabled")
            return
        }
        for pair in pairs {
            _ = try await keyValues.set(namespace: pair.namespace, key: pair.key, value: pair.value, ttl: pair.ttl)
        }
    }
}

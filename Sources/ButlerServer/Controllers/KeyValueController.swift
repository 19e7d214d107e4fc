import ButlerCore
import Hummingbird

/// The key-value store routes (switch `keyValueStore`).
///
/// Source: Butler's routes (spec §2.4.9, §3): status codes and messages are Butler's — a missing
/// namespace or key is 400, not 404; deletes are 204 with an empty body. Beyond Butler: pairs are
/// durable, a POST without `value` or with a negative `ttl` is refused (400), and
/// `maxKeysPerNamespace` is enforced.
struct KeyValueController {
    struct PairBody: Encodable {
        let namespace: String
        let key: String
        let value: String
    }

    struct Created: Encodable {
        let namespace: String
        let key: String
        let value: String
        /// Milliseconds, 0 when the pair never expires.
        let ttl: Int
    }

    struct KeyExists: Encodable {
        struct Empty: Encodable {}
        let keyExists: Bool
        let keyValue: PairBody?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(keyExists, forKey: .keyExists)
            if let keyValue { try container.encode(keyValue, forKey: .keyValue) } else { try container.encode(Empty(), forKey: .keyValue) }
        }

        enum CodingKeys: String, CodingKey { case keyExists, keyValue }
    }

    struct KeyList: Encodable {
        struct Key: Encodable { let key: String }
        let namespace: String
        let keys: [Key]
    }

    let store: KeyValueService

    func register(on router: Router<ButlerRequestContext>) {
        router.get("/v4/keyvaluesnamespaces", use: namespaces)
        router.get("/v4/keyvalues/:namespace", use: get)
        router.get("/v4/keyvalues/:namespace/keyexists", use: keyExists)
        router.post("/v4/keyvalues/:namespace", use: set)
        router.delete("/v4/keyvalues/:namespace/:key", use: deleteKey)
        // The static `keyexists` segment would hide a key of that name from the route above.
        router.delete("/v4/keyvalues/:namespace/keyexists") { request, context in
            try await delete(namespace: try context.pathParameter("namespace"), key: "keyexists")
        }
        router.delete("/v4/keyvalues/:namespace", use: deleteNamespace)
        router.get("/v4/keylist/:namespace", use: keyList)
    }

    @Sendable func namespaces(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        try JSONResponse.make(try await store.namespaces())
    }

    @Sendable func get(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let namespace = try context.pathParameter("namespace")
        let key = try request.queryFields.string("key", required: true)!
        let pair = try await store.pair(namespace: namespace, key: key)
        return try JSONResponse.make(PairBody(namespace: pair.namespace, key: pair.key, value: pair.value))
    }

    @Sendable func keyExists(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let namespace = try context.pathParameter("namespace")
        let key = try request.queryFields.string("key", required: true)!
        let pair = try await store.pairIfPresent(namespace: namespace, key: key)
        return try JSONResponse.make(
            KeyExists(keyExists: pair != nil, keyValue: pair.map { PairBody(namespace: $0.namespace, key: $0.key, value: $0.value) }))
    }

    @Sendable func set(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let namespace = try context.pathParameter("namespace")
        let body = try await request.bodyFields(context: context)
        let key = try body.string("key")
        let value = try body.string("value")
        let ttl = try body.number("ttl") ?? 0
        guard let key, !key.isEmpty, let value else {
            throw ButlerError.badRequest("Required parameter is missing")
        }
        guard ttl >= 0 else { throw ButlerHTTPError.validation("body/ttl must be >= 0") }
        guard ttl <= Double(Int32.max) * 1000 else { throw ButlerHTTPError.validation("body/ttl must be <= \(Int(Int32.max) * 1000)") }
        let milliseconds = Int(ttl)
        try await store.set(namespace: namespace, key: key, value: value, ttl: milliseconds)
        return try JSONResponse.make(Created(namespace: namespace, key: key, value: value, ttl: milliseconds), status: .created)
    }

    @Sendable func deleteKey(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        try await delete(namespace: try context.pathParameter("namespace"), key: try context.pathParameter("key"))
    }

    private func delete(namespace: String, key: String) async throws -> Response {
        try await store.delete(namespace: namespace, key: key)
        return JSONResponse.noContent()
    }

    @Sendable func deleteNamespace(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        try await store.deleteNamespace(try context.pathParameter("namespace"))
        return JSONResponse.noContent()
    }

    @Sendable func keyList(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let namespace = try context.pathParameter("namespace")
        let keys = try await store.keys(namespace: namespace)
        return try JSONResponse.make(KeyList(namespace: namespace, keys: keys.map(KeyList.Key.init)))
    }
}

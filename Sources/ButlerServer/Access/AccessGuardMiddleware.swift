import ButlerCore
import HTTPTypes
import Hummingbird
import Logging

/// The REST server's access checks, run before anything else looks at a request, in this order:
///
/// 1. the client's address against `restServerConfig.allowedClients` → 403;
/// 2. the `Host` header against the DNS-rebinding rule (`BrowserRequestPolicy`) → 421 (two of them → 400);
/// 3. an `Origin` header against Butler's own origin and `restServerConfig.allowedOrigins` → 403;
/// 4. with API keys configured, `Authorization: Bearer <key>` or `X-API-Key: <key>` → 401 when missing
///    or unknown, 403 when the key may not call this route group;
/// 5. a non-empty body must be `application/json` (any parameters) → 415. An empty body is no body
///    whatever its label, as Qlik's REST connector and Butler's own tests send them.
///
/// Every refusal has Butler's error shape and says nothing about which part was wrong; the reason goes
/// to the log (at `info`, with the client's address). An accepted key's name goes into the request log.
/// Beyond Butler, which had none of these (see docs/security.md).
struct AccessGuardMiddleware: MiddlewareProtocol {
    typealias Context = ButlerRequestContext

    let allowedClients: [IPAddressRange]
    let browser: BrowserRequestPolicy
    let keyring: APIKeyring

    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if !allowedClients.isEmpty, !allowedClients.contains(where: { $0.contains(context.clientAddress) }) {
            return refuse(request, context, ButlerHTTPError(.forbidden, "Forbidden"), "client address is not in allowedClients")
        }
        let host = request.head.authority
        // The HTTP/1 conversion moves the first Host header into `authority`; another one left in the
        // fields means the request had two, which RFC 9112 §3.2 answers with 400.
        if request.headers.contains(where: { $0.name.canonicalName == "host" }) {
            return refuse(request, context, ButlerHTTPError(.badRequest, "A request must have exactly one Host header"), "two Host headers")
        }
        guard browser.acceptsHost(host) else {
            return refuse(request, context, ButlerHTTPError(.misdirectedRequest, "This server does not answer for that host name"),
                "Host \(host ?? "(none)") is not allowed (restServerConfig.allowedHosts)")
        }
        if let origin = request.headers[.origin], !browser.acceptsOrigin(origin, host: host) {
            return refuse(request, context, ButlerHTTPError(.forbidden, "Cross-origin request refused"),
                "Origin \(origin) is not allowed (restServerConfig.allowedOrigins)")
        }
        var context = context
        if !keyring.isEmpty {
            guard let presented = Self.presentedKey(request.headers), let key = keyring.key(matching: presented) else {
                return refuse(request, context, ButlerHTTPError(.unauthorized, "A valid API key is required", headers: [.wwwAuthenticate: "Bearer"]),
                    "no valid API key")
            }
            context.apiKeyName = key.name
            guard key.permits(RouteGroup(path: request.uri.path)) else {
                return refuse(request, context, ButlerHTTPError(.forbidden, "This API key may not call this route"),
                    "API key '\(key.name)' is not allowed this route group")
            }
        }
        switch await checkedBody(request, context) {
        case .success(let request): return try await next(request, context)
        case .failure(let error): return refuse(request, context, error, "body is not labelled application/json")
        }
    }

    /// The request, or a 415 when it carries a non-empty body that isn't JSON. A chunked body without a
    /// JSON label is read (up to the body limit) to tell an empty one from another.
    private func checkedBody(_ request: Request, _ context: Context) async -> Result<Request, ButlerHTTPError> {
        if let type = request.headers[.contentType], Self.isJSON(type) { return .success(request) }
        if let length = request.headers[.contentLength] {
            return length.allSatisfy({ $0 == "0" }) ? .success(request) : .failure(Self.unsupported(request))
        }
        guard request.headers[.transferEncoding] != nil else { return .success(request) }
        var request = request
        do {
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            return body.readableBytes == 0 ? .success(request) : .failure(Self.unsupported(request))
        } catch {
            return .failure(Self.unsupported(request))
        }
    }

    static func unsupported(_ request: Request) -> ButlerHTTPError {
        let type = request.headers[.contentType].map { String($0.prefix(100)) } ?? "none"
        return ButlerHTTPError(.unsupportedMediaType, "Unsupported Media Type: \(type)", code: "FST_ERR_CTP_INVALID_MEDIA_TYPE")
    }

    /// `application/json`, in any letter case, with or without parameters (`; charset=utf-8`).
    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.prefix { $0 != ";" }.trimmingASCIIWhitespace
        return mediaType.lowercased() == "application/json"
    }

    /// The key of `Authorization: Bearer <key>` (scheme in any case) or of `X-API-Key`.
    static func presentedKey(_ headers: HTTPFields) -> Substring? {
        if let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return parts[1].trimmingASCIIWhitespace }
        }
        return headers[Self.apiKeyHeader].map { Substring($0).trimmingASCIIWhitespace }
    }

    private func refuse(_ request: Request, _ context: Context, _ error: ButlerHTTPError, _ reason: String) -> Response {
        context.logger.info("\(request.method) \(request.uri.path) \(error.status.code) from \(context.clientAddress): \(reason)")
        return error.response()
    }
}

extension Substring {
    fileprivate var trimmingASCIIWhitespace: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}

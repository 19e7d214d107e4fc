import AsyncHTTPClient
import ButlerCore
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL
import ServiceLifecycle

/// A client of the Qlik Sense Repository Service (QRS) over HTTPS with the site's client certificate.
///
/// Source: Butler's QRS client and Qlik's QRS API rules (qlik-wire-protocols.md §1.1): every call carries
/// a fresh 16-character `xrfkey` as query parameter and `X-Qlik-Xrfkey` header, `Content-Type:
/// application/json`, and `Butler.configQRS.headers.static` (`X-Qlik-User`). With `rejectUnauthorized:
/// false` (Butler's default) the server certificate isn't verified; with true it must chain to
/// `Butler.cert.clientCertCA`.
///
/// Errors are `ButlerError`: `.unavailable` (503) when the site can't be reached, refuses the TLS
/// handshake or doesn't answer within the request timeout; `.badGateway` (502) for an unexpected status.
/// As a `Service` it shuts its HTTP client down at graceful shutdown.
public final class QRSClient: QlikSenseTasks, Service, ClosableService {
    let endpoint: QlikSenseConfig.ServiceEndpoint
    let requestTimeout: Duration
    let client: HTTPClient
    let logger: Logger

    /// - Throws: `ButlerError.failed` naming the certificate file that can't be loaded.
    public init(config: QlikSenseConfig, logger: Logger) throws {
        guard let endpoint = config.qrs else { throw ButlerError.failed("Butler.configQRS.host is not set") }
        self.endpoint = endpoint
        self.requestTimeout = config.requestTimeout
        self.logger = logger
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try QlikSenseTLS.clientConfiguration(
            certificates: config.certificates, rejectUnauthorized: endpoint.rejectUnauthorized)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .init(config.connectTimeout)
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Waits for graceful shutdown, then closes the HTTP client's connections.
    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }

    public func closeNow() {
        try? client.syncShutdown()
    }

    /// The base of every URL: `https://<host>:<port>/qrs/`.
    var base: String { "\(endpoint.useSSL ? "https" : "http")://\(endpoint.host):\(endpoint.port)/qrs/" }

    /// A response's status and body.
    public struct Reply: Sendable {
        public let status: Int
        public let body: ByteBuffer
    }

    /// Calls QRS: `path` after `/qrs/` (e.g. `task/full`), an optional `filter`, other query parameters.
    /// - Throws: `.unavailable` when the call doesn't complete; statuses are returned, not thrown.
    public func call(_ method: HTTPMethod, _ path: String, filter: String? = nil, query: [(String, String)] = [], body: Data? = nil) async throws -> Reply {
        let xrfkey = Self.makeXrfkey()
        var parameters = query
        if let filter { parameters.insert(("filter", filter), at: 0) }
        parameters.append(("xrfkey", xrfkey))
        let queryText = parameters.map { "\($0.0)=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: base + path + "?" + queryText)
        request.method = method
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Qlik-Xrfkey", value: xrfkey)
        for header in endpoint.headers { request.headers.add(name: header.name, value: header.value) }
        if let body { request.body = .bytes(ByteBuffer(data: body)) }
        do {
            let response = try await client.execute(request, timeout: .init(requestTimeout))
            let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
            return Reply(status: Int(response.status.code), body: bytes)
        } catch {
            throw ButlerError(.unavailable, "Qlik Sense QRS at \(endpoint.host):\(endpoint.port) could not be reached: \(Self.describe(error))")
        }
    }

    /// GETs JSON and decodes it; any status but 200 is `.badGateway`.
    public func get<T: Decodable>(_ type: T.Type, _ path: String, filter: String? = nil, query: [(String, String)] = []) async throws -> T {
        let reply = try await call(.GET, path, filter: filter, query: query)
        guard reply.status == 200 else { throw unexpected(reply, "GET /qrs/\(path)") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: reply.body))
        } catch {
            throw ButlerError(.badGateway, "QRS answered GET /qrs/\(path) with JSON Butler can't read: \(error)")
        }
    }

    func unexpected(_ reply: Reply, _ what: String) -> ButlerError {
        let text = String(buffer: reply.body).prefix(300)
        return ButlerError(.badGateway, "QRS answered \(reply.status) to \(what)\(text.isEmpty ? "" : ": \(text)")")
    }

    /// `'` doubled, as QRS string literals need.
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// 16 random characters of `0-9a-zA-Z` (Qlik: "Using Xrfkey headers").
    static func makeXrfkey() -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return String((0..<16).map { _ in alphabet.randomElement()! })
    }

    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~'()")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError, error == .deadlineExceeded { return "no answer in time" }
        if error is NIOSSLError || error is BoringSSLError { return "TLS handshake failed (\(error))" }
        return "\(error)"
    }
}

// MARK: - Tasks (QlikSenseTasks)

extension QRSClient {
    struct Named: Decodable {
        let id: String
        let name: String
    }

    public func task(id: String) async throws -> TaskSummary? {
        try await get([Named].self, "task", filter: "id eq \(id)").first.map { TaskSummary(taskId: $0.id.lowercased(), taskName: $0.name) }
    }

    public func tasks(tag: String) async throws -> [TaskSummary] {
        try await get([Named].self, "task/full", filter: "tags.name eq \(Self.quoted(tag))")
            .map { TaskSummary(taskId: $0.id.lowercased(), taskName: $0.name) }
    }

    public func tasks(customProperty name: String, value: String) async throws -> [TaskSummary] {
        let filter = "(customProperties.definition.name eq \(Self.quoted(name))) and (customProperties.value eq \(Self.quoted(value)))"
        return try await get([Named].self, "task/full", filter: filter).map { TaskSummary(taskId: $0.id.lowercased(), taskName: $0.name) }
    }

    /// QRS: `POST /qrs/task/{id}/start` with body `{}` answers 204; anything else is `.badGateway`.
    public func startTask(id: String) async throws {
        let reply = try await call(.POST, "task/\(id)/start", body: Data("{}".utf8))
        guard reply.status == 204 else { throw unexpected(reply, "POST /qrs/task/\(id)/start") }
    }
}

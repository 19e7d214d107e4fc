import AsyncHTTPClient
import ButlerCore
import Foundation
import NIOCore
import NIOHTTP1

/// Posts JSON to outside services (Slack webhooks, New Relic APIs) with a deadline, so a destination
/// that is down or slow gives a prompt, explicit error instead of a hanging request.
public struct OutboundHTTPClient: Sendable {
    /// What the service answered.
    public struct Reply: Sendable {
        public let status: Int
        public let reason: String
        /// The first 4 KiB of the body, for error messages, with the request's secrets (URL path and
        /// query, header values) scrubbed out in case the service echoes them.
        public let body: String
    }

    let client: HTTPClient
    /// The whole exchange must finish within this time.
    public let timeout: Duration

    public init(client: HTTPClient = OutboundHTTPClient.shared, timeout: Duration = .seconds(10)) {
        self.client = client
        self.timeout = timeout
    }

    /// The process's client for outside services. Unlike `HTTPClient.shared` it doesn't retry a refused
    /// connection until the deadline: a destination that is down is reported at once. It lives as long as
    /// the process (like `HTTPClient.shared`), so it is never shut down.
    public static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// POSTs `body` as `application/json; charset=utf-8`.
    /// - Parameter service: the service's name for messages (`Slack`, `New Relic account 'x'`).
    /// - Throws: `ButlerError.failed` for a URL that isn't http(s); `.unavailable` (503) when the service
    ///   can't be reached or doesn't answer in time. Messages name the service by `scheme://host[:port]`
    ///   only (`Redacted.origin`): the URL's path and query, and the header values, never appear.
    public func postJSON(_ body: Data, to url: String, headers: [(String, String)] = [], service: String) async throws -> Reply {
        try await post(body, to: url, contentType: "application/json; charset=utf-8", headers: headers, service: service)
    }

    /// POSTs `body` with `contentType`; errors as `postJSON`.
    public func post(_ body: Data, to url: String, contentType: String, headers: [(String, String)] = [], service: String) async throws -> Reply {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
            parsed.host != nil
        else {
            throw ButlerError.failed("The URL configured for \(service) is not a valid http(s) URL (\(Redacted.origin(url)))")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let secrets = Redacted.secretParts(of: url) + headers.map { $0.1 }
        do {
            let response = try await client.execute(request, timeout: TimeAmount(timeout))
            let bytes = try await response.body.collect(upTo: 64 * 1024)
            let text = Redacted.scrub(String(String(buffer: bytes).prefix(4096)), removing: secrets)
            return Reply(status: Int(response.status.code), reason: response.status.reasonPhrase, body: text)
        } catch {
            throw ButlerError(
                .unavailable,
                "\(service) could not be reached at \(Redacted.origin(url)): \(Redacted.scrub(String(describing: error), removing: secrets))")
        }
    }
}

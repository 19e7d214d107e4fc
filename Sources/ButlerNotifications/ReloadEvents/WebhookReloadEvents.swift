import AsyncHTTPClient
import ButlerCore
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOSSL
import ServiceLifecycle

/// Outgoing webhooks for failed and aborted reloads (`Butler.webhookNotification`, spec §7.4): GET sends
/// the fields as query parameters, POST and PUT as a JSON body; 10 s timeout; a webhook with `cert.enable`
/// trusts its own CA (or, with `rejectUnauthorized: false`, any certificate). Each webhook is one
/// destination, so one that is down doesn't hold up the others. As a `Service` it closes its HTTP
/// clients at shutdown.
public final class WebhookReloadEvents: Service, ClosableService {
    /// One configured webhook as a destination.
    public struct Hook: ReloadEventDestination {
        let webhook: WebhookConfig.Webhook
        let kind: TaskEvent.Kind
        let rateLimit: Int
        let client: HTTPClient
        let timeout: Duration

        public var name: String { "webhook '\(webhook.description)'" }
        public func accepts(_ kind: TaskEvent.Kind) -> Bool { kind == self.kind }
        public func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int? { rateLimit > 0 ? rateLimit : nil }

        public func deliver(_ alert: ReloadAlert) async throws {
            let fields = WebhookReloadEvents.fields(alert)
            var request: HTTPClientRequest
            switch webhook.method {
            case .GET:
                var components = URLComponents(string: webhook.url)
                let existing = components?.queryItems ?? []
                components?.queryItems = existing + fields.map { URLQueryItem(name: $0.0, value: $0.1) }
                request = HTTPClientRequest(url: components?.string ?? webhook.url)
                request.method = .GET
            case .POST, .PUT:
                request = HTTPClientRequest(url: webhook.url)
                request.method = webhook.method == .POST ? .POST : .PUT
                request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
                let body = JSONValue.object(Dictionary(uniqueKeysWithValues: fields.map { ($0.0, JSONValue.string($0.1)) }))
                request.body = .bytes(ByteBuffer(data: body.jsonData))
            }
            // The URL's path and query are the webhook's secret: messages name its origin only.
            let origin = Redacted.origin(webhook.url)
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: .init(timeout))
            } catch {
                let detail = Redacted.scrub(String(describing: error), removing: Redacted.secretParts(of: request.url))
                throw ButlerError(.unavailable, "\(origin) could not be reached: \(detail)")
            }
            _ = try? await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(response.status.code) else {
                throw ButlerError(.badGateway, "\(origin) answered \(response.status.code)")
            }
        }
    }

    public let destinations: [Hook]
    private let clients: [HTTPClient]

    /// - Throws: `ButlerError.failed` when a webhook's CA file can't be loaded.
    public init(config: WebhookConfig, timeout: Duration = .seconds(10)) throws {
        var clients: [HTTPClient] = []
        func client(for webhook: WebhookConfig.Webhook) throws -> HTTPClient {
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.timeout.connect = .seconds(5)
            if webhook.certificateAuthority != nil || !webhook.rejectUnauthorized {
                var tls = TLSConfiguration.makeClientConfiguration()
                if let ca = webhook.certificateAuthority {
                    do {
                        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
                    } catch {
                        throw ButlerError.failed("webhookNotification '\(webhook.description)': cert.certCA \(ca) could not be loaded: \(error)")
                    }
                }
                if !webhook.rejectUnauthorized { tls.certificateVerification = .none }
                configuration.tlsConfiguration = tls
            }
            let made = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients.append(made)
            return made
        }
        var hooks: [Hook] = []
        if config.enable {
            do {
                for (kind, event) in [(TaskEvent.Kind.failed, config.reloadTaskFailure), (.aborted, config.reloadTaskAborted)] {
                    for webhook in event.webhooks {
                        hooks.append(Hook(webhook: webhook, kind: kind, rateLimit: event.rateLimit, client: try client(for: webhook), timeout: timeout))
                    }
                }
            } catch {
                for made in clients { try? made.syncShutdown() }
                throw error
            }
        }
        destinations = hooks
        self.clients = clients
    }

    public func run() async throws {
        try? await gracefulShutdown()
        for client in clients { try? await client.shutdown() }
    }

    public func closeNow() {
        for client in clients { try? client.syncShutdown() }
    }

    /// Butler's webhook fields (spec §7.4); the app owner's from QRS (empty when unknown).
    static func fields(_ alert: ReloadAlert) -> [(String, String)] {
        let event = alert.event
        let owner = alert.owner
        return [
            ("event", event.kind == .failed ? "Qlik Sense reload failed" : "Qlik Sense reload aborted"),
            ("hostName", event.hostName), ("user", event.user), ("taskName", event.taskName), ("taskId", event.taskId),
            ("appName", event.appName), ("appId", event.appId ?? ""), ("appOwnerName", owner?.name ?? ""),
            ("appOwnerUserDirectory", owner?.userDirectory ?? ""), ("appOwnerUserId", owner?.userId ?? ""),
            ("appOwnerEmail", owner?.email ?? ""), ("logTimeStamp", event.logTimeStamp), ("logLevel", event.logLevel),
            ("executionId", event.executionId), ("logMessage", event.logMessage),
        ]
    }
}

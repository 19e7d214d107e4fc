import Hummingbird
import NIOCore

/// The request context of every Butler route: Hummingbird's core context plus the client's address.
public struct ButlerRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connected peer: the real client, used for rate limits and request logs (a `remoteIP` or
    /// `X-Forwarded-For` header sent by the client is not trusted).
    public let remoteAddress: SocketAddress?
    /// The name of the API key the request came with (`Butler.restServerConfig.auth.apiKeys[].name`),
    /// set by the access guard; nil without API keys. The key itself is never kept.
    public var apiKeyName: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Butler's body limit: 1 MiB, as Fastify's default in Butler 9.4.0. Larger bodies get 413.
    public var maxUploadSize: Int { 1024 * 1024 }

    /// The client's IP address as text (`"-"` when unknown, e.g. over a Unix socket in tests).
    public var clientAddress: String {
        remoteAddress?.ipAddress ?? "-"
    }
}

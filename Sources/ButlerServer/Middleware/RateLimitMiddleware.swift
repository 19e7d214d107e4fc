import ButlerCore
import HTTPTypes
import Hummingbird
import Logging

/// Limits requests per client address and minute (`--api-rate-limit <n>`), like Butler's
/// `@fastify/rate-limit`: over the limit → 429 `Rate limit exceeded, retry in 1 minute` with
/// `retry-after`; every response carries `x-ratelimit-limit`, `x-ratelimit-remaining` and
/// `x-ratelimit-reset`.
///
/// Unlike Butler (whose limit sat behind an internal proxy, so all clients shared one bucket), each real
/// client address has its own bucket.
public struct RateLimitMiddleware: MiddlewareProtocol {
    public typealias Context = ButlerRequestContext
    let limiter: FixedWindowRateLimiter

    public init(limiter: FixedWindowRateLimiter) {
        self.limiter = limiter
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let decision = limiter.check(client: context.clientAddress)
        var headers: HTTPFields = [
            HTTPField.Name("x-ratelimit-limit")!: String(decision.limit),
            HTTPField.Name("x-ratelimit-remaining")!: String(decision.remaining),
            HTTPField.Name("x-ratelimit-reset")!: String(decision.resetSeconds),
        ]
        guard decision.allowed else {
            context.logger.warning("API: Rate limit exceeded for source IP address \(context.clientAddress)")
            headers[.retryAfter] = String(decision.resetSeconds)
            return ButlerHTTPError(.tooManyRequests, "Rate limit exceeded, retry in 1 minute", headers: headers).response()
        }
        var response = try await next(request, context)
        response.headers.append(contentsOf: headers)
        return response
    }
}

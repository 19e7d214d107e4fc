import ButlerCore
import Hummingbird

/// Runs middleware before the router looks up the route (Hummingbird's router middleware runs after
/// the lookup, too late for the method override to choose the route, and for the rate limit and
/// request log to see unknown routes).
struct PreRoutingResponder<Middleware: MiddlewareProtocol, Inner: HTTPResponder>: HTTPResponder
where Middleware.Input == Request, Middleware.Output == Response, Middleware.Context == Inner.Context {
    let middleware: Middleware
    let inner: Inner

    func respond(to request: Request, context: Inner.Context) async throws -> Response {
        try await middleware.handle(request, context: context) { request, context in
            try await inner.respond(to: request, context: context)
        }
    }
}

/// Butler's pre-routing middleware, outermost first: rate limit (when on; refused requests count too, so
/// guessing API keys is bounded), access guard (which logs its own refusals), request log, method override.
@MiddlewareFixedTypeBuilder<Request, Response, ButlerRequestContext>
func preRoutingMiddleware(access: AccessGuardMiddleware, rateLimiter: FixedWindowRateLimiter?) -> some MiddlewareProtocol<Request, Response, ButlerRequestContext> {
    if let rateLimiter { RateLimitMiddleware(limiter: rateLimiter) }
    access
    RequestLogMiddleware()
    MethodOverrideMiddleware<ButlerRequestContext>()
}

import ButlerCore
import Hummingbird
import NIOCore
import Logging

/// Answers every error in Butler's error shape (`ButlerHTTPError`): domain errors with their status,
/// unknown or disabled routes as Fastify's 404 `Route GET:/v4/xyz not found`, oversized bodies as 413,
/// and anything unexpected as a logged 500 that reveals nothing internal.
///
/// Added first to the router, so it wraps every route and the not-found responder.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ButlerHTTPError {
            return error.response()
        } catch let error as ButlerError {
            if error.kind == .failed { context.logger.error("\(request.method) \(request.uri.path): \(error.message)") }
            return ButlerHTTPError(error).response()
        } catch let error as HTTPError where error.status == .notFound {
            return ButlerHTTPError.routeNotFound(method: request.method, path: request.uri.path).response()
        } catch is NIOTooManyBytesError {
            return ButlerHTTPError.bodyTooLarge.response()
        } catch let error as HTTPError {
            return ButlerHTTPError(error.status, error.body ?? error.status.reasonPhrase).response()
        } catch {
            context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            return ButlerHTTPError(.internalServerError, "Internal Server Error").response()
        }
    }
}

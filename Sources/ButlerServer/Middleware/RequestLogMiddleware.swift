import Foundation
import Hummingbird
import Logging

/// Logs every request at `info`: method, path, status, duration, the real client address and the name
/// of the API key it came with (never the key).
///
/// Source: Butler logs `"<url> called from <ip>"` per request; here the line also has the outcome.
/// The line is only built when `info` is enabled, so `--loglevel warn` costs nothing per request.
public struct RequestLogMiddleware: MiddlewareProtocol {
    public typealias Context = ButlerRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard context.logger.logLevel <= .info else { return try await next(request, context) }
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        context.logger.info(
            "\(request.method) \(request.uri.path) \(response.status.code) \(String(format: "%.1f", milliseconds)) ms from \(context.clientAddress)\(context.apiKeyName.map { " key \($0)" } ?? "")"
        )
        return response
    }
}

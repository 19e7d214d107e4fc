import HTTPTypes
import Hummingbird

/// Treats `POST` with `X-HTTP-Method-Override: PUT|DELETE|…` as that method, before routing.
///
/// Source: Butler's public server (spec §2.1, case B51). Qlik Sense's REST connector can only send GET
/// and POST, so Butler's load-script helpers reach every PUT and DELETE route this way, bodies included.
/// The header is matched without regard to case, and ignored on anything but POST.
public struct MethodOverrideMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headerName: HTTPField.Name { HTTPField.Name("X-HTTP-Method-Override")! }
    static var allowed: Set<String> { ["GET", "PUT", "DELETE", "PATCH", "POST"] }

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post,
            let value = request.headers[Self.headerName]?.uppercased(),
            Self.allowed.contains(value),
            let method = HTTPRequest.Method(value)
        else {
            return try await next(request, context)
        }
        var head = request.head
        head.method = method
        return try await next(Request(head: head, body: request.body), context)
    }
}

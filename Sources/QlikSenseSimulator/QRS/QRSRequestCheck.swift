import Foundation
import HTTPTypes
import Hummingbird

/// QRS's checks on every request (qlik-wire-protocols.md §1.1): the `xrfkey` query parameter (any
/// position, name case-insensitive) must equal the `X-Qlik-Xrfkey` header and be 16 characters of
/// `0-9a-zA-Z`, else 403 "XSRF prevention check failed"; `X-Qlik-User` (`UserDirectory=…; UserId=…`) must
/// be present, else 403.
struct QRSRequestCheck<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let parameter = QRSQuery(request.uri.query ?? "")["xrfkey"]
        let header = request.headers[HTTPField.Name("X-Qlik-Xrfkey")!]
        guard let parameter, let header, parameter == header, parameter.count == 16,
            parameter.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0) })
        else {
            return Self.forbidden("XSRF prevention check failed. Possible XSRF discovered.")
        }
        guard let user = request.headers[HTTPField.Name("X-Qlik-User")!], Self.isUserHeader(user) else {
            return Self.forbidden("X-Qlik-User header missing or malformed (expected UserDirectory=<dir>; UserId=<id>).")
        }
        return try await next(request, context)
    }

    /// `UserDirectory=<dir>; UserId=<id>`: split on `;`, trim, keys compared case-insensitively.
    static func isUserHeader(_ text: String) -> Bool {
        var keys = Set<String>()
        for part in text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { return false }
            keys.insert(pair[0].trimmingCharacters(in: .whitespaces).lowercased())
        }
        return keys.contains("userdirectory") && keys.contains("userid")
    }

    private static func forbidden(_ message: String) -> Response {
        Response(status: .forbidden, body: .init(byteBuffer: .init(string: message)))
    }
}

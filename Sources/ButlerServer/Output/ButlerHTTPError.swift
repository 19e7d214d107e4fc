import ButlerCore
import Foundation
import Hummingbird

/// An error answered in Butler's error shape:
/// `{"statusCode":N,"error":"<reason phrase>","message":"<text>"}`, plus `"code"` for the errors
/// Fastify tags (`FST_ERR_VALIDATION` for schema failures).
///
/// Source: Butler's Fastify error serialisation (spec §2.2).
public struct ButlerHTTPError: Error, HTTPResponseError, Equatable {
    public let status: HTTPResponse.Status
    public let message: String
    public let code: String?
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, code: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers
    }

    /// A schema failure (400, `FST_ERR_VALIDATION`); `message` names the part and field, e.g.
    /// `body must have required property 'topic'`.
    public static func validation(_ message: String) -> ButlerHTTPError {
        ButlerHTTPError(.badRequest, message, code: "FST_ERR_VALIDATION")
    }

    /// A request body over the limit (413), as Fastify reports it.
    public static let bodyTooLarge = ButlerHTTPError(
        .contentTooLarge, "Request body is too large", code: "FST_ERR_CTP_BODY_TOO_LARGE")

    /// An unknown or disabled route (404), as Fastify reports it: `Route GET:/v4/xyz not found`.
    public static func routeNotFound(method: HTTPRequest.Method, path: String) -> ButlerHTTPError {
        ButlerHTTPError(.notFound, "Route \(method.rawValue):\(path) not found")
    }

    /// The HTTP form of a domain error.
    public init(_ error: ButlerError) {
        let status: HTTPResponse.Status = switch error.kind {
        case .badRequest: .badRequest
        case .forbidden: .forbidden
        case .conflict: .conflict
        case .unprocessable: .unprocessableContent
        case .badGateway: .badGateway
        case .unavailable: .serviceUnavailable
        case .failed: .internalServerError
        }
        self.init(status, error.message)
    }

    /// Node's reason phrase (Butler's clients see these), where it differs from RFC 9110's.
    static func reasonPhrase(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 413: "Payload Too Large"
        case 422: "Unprocessable Entity"
        default: status.reasonPhrase
        }
    }

    private struct Body: Encodable {
        let statusCode: Int
        let code: String?
        let error: String
        let message: String
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The response with Butler's error body.
    public func response() -> Response {
        let body = Body(statusCode: status.code, code: code, error: Self.reasonPhrase(status), message: message)
        let data = (try? JSONResponse.encoder.encode(body)) ?? Data()
        var fields = headers
        fields[.contentType] = JSONResponse.contentType
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

import Foundation
import Hummingbird

/// Builds Butler's JSON responses (`application/json; charset=utf-8`), with the status each route's
/// contract gives.
public enum JSONResponse {
    public static let contentType = "application/json; charset=utf-8"

    /// Encodes `value` as the response body.
    public static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The encoder for every JSON body: keys sorted (Foundation's encoder on Linux has no stable key
    /// order otherwise), `/` not escaped.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// A `text/plain; charset=utf-8` body (Butler's schedule status dump).
    public static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// An empty response: Butler's 204s have no body at all (not `{}`).
    public static func noContent() -> Response {
        Response(status: .noContent)
    }
}

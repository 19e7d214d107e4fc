import ButlerCore
import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// The JSON body, or `nil` when there is none (an empty body counts as none, whatever its
    /// `Content-Type`, so the Qlik REST connector's bodyless calls work).
    ///
    /// - Throws: `ButlerHTTPError.bodyTooLarge` (413) over `context.maxUploadSize`; a 400 when the
    ///   body isn't JSON, or nests arrays and objects deeper than `JSONValue.maxNestingDepth` (64).
    public func jsonBody(context: some RequestContext) async throws -> JSONValue? {
        if let length = headers[.contentLength].flatMap(Int.init), length > context.maxUploadSize {
            throw ButlerHTTPError.bodyTooLarge
        }
        // Over the limit without a Content-Length: NIOTooManyBytesError, answered as 413 by ErrorMiddleware.
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        let bytes = buffer.readableBytesView
        guard bytes.contains(where: { !$0.isASCIIWhitespace }) else { return nil }
        let data = Data(bytes)
        // Decoding costs the square of the depth: refuse deep documents before decoding them.
        guard JSONValue.nestingDepth(of: data) <= JSONValue.maxNestingDepth else {
            throw ButlerHTTPError(.badRequest, "Body is nested deeper than \(JSONValue.maxNestingDepth) levels", code: "FST_ERR_CTP_INVALID_JSON_BODY")
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ButlerHTTPError(.badRequest, "Body is not valid JSON", code: "FST_ERR_CTP_INVALID_JSON_BODY")
        }
    }

    /// The body's fields under the route's schema (`body must be object` when absent or not an object).
    public func bodyFields(context: some RequestContext) async throws -> SchemaFields {
        try SchemaFields(body: try await jsonBody(context: context))
    }

    /// The query string's fields, decoded as Fastify does (`+` is a space, then percent-decoding).
    public var queryFields: SchemaFields {
        SchemaFields(query: Self.decodeQuery(uri.query ?? ""))
    }

    static func decodeQuery(_ query: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decodeQueryComponent(parts[0])
            // The first occurrence wins, as with a schema expecting one string.
            if result[key] == nil { result[key] = parts.count > 1 ? decodeQueryComponent(parts[1]) : "" }
        }
        return result
    }

    /// `+` → space, then percent-decoding (invalid escapes are kept as sent). Most components need
    /// neither, and skip Foundation's slower string work.
    static func decodeQueryComponent(_ text: Substring) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return String(text) }
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

extension UInt8 {
    fileprivate var isASCIIWhitespace: Bool {
        self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D
    }
}

extension RequestContext {
    /// A path parameter, percent-decoded (`Sales%20ETL` → `Sales ETL`).
    public func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        guard raw.utf8.contains(UInt8(ascii: "%")) else { return raw }
        return raw.removingPercentEncoding ?? raw
    }
}

/// An error the domain reports to a caller, in Butler's terms.
///
/// The REST layer turns `kind` into an HTTP status and `message` into the `message` field of Butler's
/// error body `{"statusCode":N,"error":"<reason phrase>","message":"<text>"}`. The messages are Butler's
/// own where Butler has one (e.g. `Namespace not found: <ns>`), because load scripts match on them.
public struct ButlerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, in the categories Butler's routes distinguish.
    public enum Kind: Equatable, Sendable {
        /// The request is wrong (HTTP 400). Butler also uses this for "not found" in the KV store.
        case badRequest
        /// The request is not allowed by the config (HTTP 403).
        case forbidden
        /// The request conflicts with the current state (HTTP 409).
        case conflict
        /// A dependency understood the request but could not do it (HTTP 422).
        case unprocessable
        /// An outside service answered with an error (HTTP 502).
        case badGateway
        /// A dependency is off or unreachable (HTTP 503).
        case unavailable
        /// Something failed on our side (HTTP 500).
        case failed
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func badRequest(_ message: String) -> ButlerError { .init(.badRequest, message) }
    public static func forbidden(_ message: String) -> ButlerError { .init(.forbidden, message) }
    public static func failed(_ message: String) -> ButlerError { .init(.failed, message) }

    public var description: String { message }
}

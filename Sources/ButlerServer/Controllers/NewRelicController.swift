import ButlerCore
import ButlerNotifications
import Foundation
import Hummingbird

/// `POST /v4/newrelic/event` (switch `newRelic.postNewRelicEvent`) and `POST /v4/newrelic/metric`
/// (switch `newRelic.postNewRelicMetric`).
///
/// Source: Butler's routes and the seed: 202 `{"newRelicResultCode":"202","newRelicResultText":"Data
/// accepted."}` (DESIGN Decision 8); `eventType` follows New Relic's rule (letters, digits, `_`, `:`;
/// at most 254); metric `type` must be `gauge`; attributes are `{name (≤ 254), value (≤ 4096)}`.
/// A timestamp in Unix milliseconds is used when > 0, else now.
struct NewRelicController {
    struct Accepted: Encodable {
        let newRelicResultCode = "202"
        let newRelicResultText = "Data accepted."
    }

    let newRelic: NewRelicPoster
    let endpoints: EndpointSwitches
    let clock: any WallClock

    func register(on router: Router<ButlerRequestContext>) {
        if endpoints.isEnabled(.postNewRelicEvent) { router.post("/v4/newrelic/event", use: event) }
        if endpoints.isEnabled(.postNewRelicMetric) { router.post("/v4/newrelic/metric", use: metric) }
    }

    @Sendable func event(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let body = try await request.bodyFields(context: context)
        let eventType = try body.string("eventType", required: true, maxLength: 254)!
        guard !eventType.isEmpty, eventType.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == ":") }) else {
            throw ButlerHTTPError.validation(#"body/eventType must match pattern "^[A-Za-z0-9_:]+$""#)
        }
        try await newRelic.postEvent(eventType: eventType, timestamp: try timestamp(body), attributes: try attributes(body))
        return try JSONResponse.make(Accepted(), status: .accepted)
    }

    @Sendable func metric(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let body = try await request.bodyFields(context: context)
        let name = try body.string("name", required: true, maxLength: 254)!
        guard try body.string("type", required: true) == "gauge" else {
            throw ButlerHTTPError.validation("body/type must be equal to one of the allowed values")
        }
        let value = try body.number("value", required: true)!
        _ = try body.number("interval")
        try await newRelic.postMetric(name: name, value: value, timestamp: try timestamp(body), attributes: try attributes(body))
        return try JSONResponse.make(Accepted(), status: .accepted)
    }

    private func timestamp(_ body: SchemaFields) throws -> Int64 {
        if let given = try body.number("timestamp"), given > 0, let exact = Int64(exactly: given.rounded(.down)) { return exact }
        return Int64((clock.now.timeIntervalSince1970 * 1000).rounded())
    }

    private func attributes(_ body: SchemaFields) throws -> [NewRelicPoster.Attribute] {
        try (body.objects("attributes") ?? []).map { attribute in
            (try attribute.string("name", required: true, maxLength: 254)!, try attribute.string("value", required: true, maxLength: 4096)!)
        }
    }
}

import ButlerCore
import Foundation
import Logging

/// Sends custom events and gauge metrics to New Relic for `POST /v4/newrelic/event` and
/// `POST /v4/newrelic/metric`, to every destination account at once.
///
/// Source: Butler's routes (spec §2.4.11–12, B53) and New Relic's Event API
/// (`POST <url>/v1/accounts/<accountId>/events`) and Metric API (`POST <metric url>`), both with an
/// `Api-Key` header. Unlike Butler, which answered after the first account (or never, when no account
/// matched), the answer comes once every account has answered; any failure is reported with the
/// accounts that failed.
public struct NewRelicPoster: Sendable {
    /// A `{name, value}` attribute of a request.
    public typealias Attribute = (name: String, value: String)

    let config: NewRelicConfig
    let http: OutboundHTTPClient
    let logger: Logger

    public init(config: NewRelicConfig, http: OutboundHTTPClient, logger: Logger) {
        self.config = config
        self.http = http
        self.logger = logger
    }

    /// Posts one event: `{"eventType":…,"timestamp":<ms>, <static attributes>, <request attributes>}`
    /// (request attributes override static ones).
    /// - Throws: 500 when no destination account is configured, 502 when New Relic refuses, 503 when it
    ///   can't be reached in time.
    public func postEvent(eventType: String, timestamp: Int64, attributes: [Attribute]) async throws {
        var event: [String: JSONValue] = [:]
        for attribute in config.event.staticAttributes { event[attribute.name] = .string(attribute.value) }
        for attribute in attributes { event[attribute.name] = .string(attribute.value) }
        event["eventType"] = .string(eventType)
        event["timestamp"] = .number(Double(timestamp))
        let body = try JSONEncoder().encode([JSONValue.object(event)])
        let base = config.event.url.hasSuffix("/") ? config.event.url : config.event.url + "/"
        try await send(body, what: "event", endpoint: config.event) { base + "v1/accounts/\($0.accountId)/events" }
    }

    /// Posts one gauge metric:
    /// `[{"common":{"timestamp":<ms>,"attributes":{…}},"metrics":[{"name":…,"type":"gauge","value":…}]}]`.
    /// - Throws: as `postEvent`.
    public func postMetric(name: String, value: Double, timestamp: Int64, attributes: [Attribute]) async throws {
        var common: [String: JSONValue] = [:]
        for attribute in config.metric.staticAttributes { common[attribute.name] = .string(attribute.value) }
        for attribute in attributes { common[attribute.name] = .string(attribute.value) }
        let metric = JSONValue.object(["name": .string(name), "type": .string("gauge"), "value": .number(value)])
        let payload = JSONValue.array([
            .object([
                "common": .object(["timestamp": .number(Double(timestamp)), "attributes": .object(common)]),
                "metrics": .array([metric]),
            ])
        ])
        let url = config.metric.url
        try await send(try JSONEncoder().encode(payload), what: "metric", endpoint: config.metric) { _ in url }
    }

    private func send(
        _ body: Data, what: String, endpoint: NewRelicConfig.Endpoint, url: @escaping @Sendable (NewRelicConfig.Account) -> String
    ) async throws {
        let accounts = endpoint.destinationAccount.compactMap { name in config.accounts.first { $0.accountName == name } }
        guard !accounts.isEmpty else {
            throw ButlerError.failed(
                "Failed posting \(what) to New Relic: no destination account of Butler.restServerEndpointsConfig.newRelic matches Butler.thirdPartyToolsCredentials.newRelic")
        }
        let headers = endpoint.header.map { ($0.name, $0.value) }
        let failures = await withTaskGroup(of: ButlerError?.self) { group in
            for account in accounts {
                group.addTask {
                    do {
                        let reply = try await http.postJSON(
                            body, to: url(account), headers: headers + [("Api-Key", account.insertApiKey)],
                            service: "New Relic account '\(account.accountName)'")
                        guard (200..<300).contains(reply.status) else {
                            return ButlerError(.badGateway, "account '\(account.accountName)' answered \(reply.status) \(reply.reason): \(reply.body)")
                        }
                        return nil
                    } catch let error as ButlerError {
                        return error
                    } catch {
                        return ButlerError.failed("account '\(account.accountName)': \(error)")
                    }
                }
            }
            var failures: [ButlerError] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        guard let first = failures.first else {
            logger.info("New Relic: \(what) accepted by \(accounts.map(\.accountName))")
            return
        }
        let kind: ButlerError.Kind = failures.contains { $0.kind == .unavailable } ? .unavailable : first.kind
        let message = "Failed posting \(what) to New Relic: " + failures.map(\.message).joined(separator: "; ")
        logger.warning("\(message)")
        throw ButlerError(kind, message)
    }
}

import ButlerCore
import ButlerServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Slack and New Relic routes against local capture servers.
@Suite("Slack and New Relic routes", .serialized)
struct OutboundRouteTests {
    static func config(port: Int, slackPath: String = "/services/T0/B0/X") -> ButlerConfig {
        var config = ButlerConfig.forTests()
        config.slack = SlackConfig(restMessageWebhookURL: "http://127.0.0.1:\(port)\(slackPath)")
        config.newRelic = NewRelicConfig(
            accounts: [
                .init(accountName: "First", insertApiKey: "key-1", accountId: "1111"),
                .init(accountName: "Second", insertApiKey: "key-2", accountId: "2222"),
            ],
            event: .init(
                destinationAccount: ["First", "Second"], url: "http://127.0.0.1:\(port)/nr",
                header: [NameValue(name: "X-Team", value: "qlik")], staticAttributes: [NameValue(name: "env", value: "prod"), NameValue(name: "host.name", value: "static")]),
            metric: .init(destinationAccount: ["First"], url: "http://127.0.0.1:\(port)/metric/v1", staticAttributes: [NameValue(name: "env", value: "prod")]))
        return config
    }

    // The seed's sample; text with quotes, backslashes and newlines survives (built by an encoder).
    @Test func slackMessageIsPosted() async throws {
        try await CaptureServer.run { slack, port in
            try await withButler(Self.config(port: port)) { client in
                let message = #"Reload of \"Sales\" failed\nC:\\QVD\\sales.qvd"#
                let response = try await client.send(.put, "/v4/slackpostmessage", json: """
                    {"channel":"#reload-notification","from_user":"Butler the Bot","msg":"\(message)","emoji":"thumbsup"}
                    """)
                #expect(response.status == .created)
                #expect(response.json == [
                    "channel": "#reload-notification", "from_user": "Butler the Bot",
                    "msg": "Reload of \"Sales\" failed\nC:\\QVD\\sales.qvd", "emoji": "thumbsup",
                ])
                let posted = try #require(slack.captured.first)
                #expect(posted.method == .post)
                #expect(posted.path == "/services/T0/B0/X")
                #expect(posted.headers[.contentType] == "application/json; charset=utf-8")
                #expect(posted.json == [
                    "username": "Butler the Bot", "channel": "#reload-notification", "icon_emoji": ":thumbsup:",
                    "blocks": [["type": "section", "text": ["type": "plain_text", "text": "Reload of \"Sales\" failed\nC:\\QVD\\sales.qvd"]]],
                ])
            }
        }
    }

    @Test func slackErrorsAreReported() async throws {
        try await CaptureServer.run(status: 404, body: "no_service") { slack, port in
            try await withButler(Self.config(port: port)) { client in
                let missing = try await client.send(.put, "/v4/slackpostmessage", json: #"{"from_user":"a","msg":"b"}"#)
                #expect(missing.json == butlerError(400, "Bad Request", "body must have required property 'channel'", code: "FST_ERR_VALIDATION"))
                let refused = try await client.send(.put, "/v4/slackpostmessage", json: #"{"channel":"general","from_user":"a","msg":"b"}"#)
                #expect(refused.json == butlerError(502, "Bad Gateway", "Failed sending Slack message: Slack answered 404 Not Found: no_service"))
            }
        }
        var unconfigured = ButlerConfig.forTests()
        unconfigured.slack = SlackConfig(restMessageWebhookURL: nil)
        try await withButler(unconfigured) { client in
            let response = try await client.send(.put, "/v4/slackpostmessage", json: #"{"channel":"general","from_user":"a","msg":"b"}"#)
            #expect(response.json == butlerError(
                500, "Internal Server Error", "Failed sending Slack message: Butler.slackNotification.restMessage.webhookURL is not set"))
        }
    }

    // No hang: a closed port fails at once, a silent service within the timeout.
    @Test func unreachableOrSlowDestinationsAnswerPromptly() async throws {
        let closedPort = try await CaptureServer.freePortAfterStop()
        try await withButler(Self.config(port: closedPort)) { client in
            let started = ContinuousClock.now
            let response = try await client.send(.put, "/v4/slackpostmessage", json: #"{"channel":"general","from_user":"a","msg":"b"}"#)
            #expect(response.status == .serviceUnavailable)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
        try await CaptureServer.run { _, port in
            try await withButler(Self.config(port: port, slackPath: "/hooks/slow"), outboundTimeout: .milliseconds(500)) { client in
                let started = ContinuousClock.now
                let response = try await client.send(.put, "/v4/slackpostmessage", json: #"{"channel":"general","from_user":"a","msg":"b"}"#)
                #expect(response.status == .serviceUnavailable)
                #expect(ContinuousClock.now - started < .seconds(2))
            }
        }
    }

    // B53 (a): one answer after every account; the seed's 202 body.
    @Test func newRelicEventGoesToEveryAccount() async throws {
        try await CaptureServer.run(status: 202, body: #"{"success":true}"#) { newRelic, port in
            try await withButler(Self.config(port: port), clock: ManualWallClock(start: Date(timeIntervalSince1970: 1_700_000_000))) { client in
                let response = try await client.send(.post, "/v4/newrelic/event", json: """
                    {"eventType":"reload_failed:sales","attributes":[{"name":"host.name","value":"dev.server.com"},{"name":"n","value":"1"}]}
                    """)
                #expect(response.status == .accepted)
                #expect(response.json == ["newRelicResultCode": "202", "newRelicResultText": "Data accepted."])
                let posts = newRelic.captured.sorted { $0.path < $1.path }
                #expect(posts.map(\.path) == ["/nr/v1/accounts/1111/events", "/nr/v1/accounts/2222/events"])
                #expect(posts.map { $0.headers[HTTPField.Name("Api-Key")!] } == ["key-1", "key-2"])
                #expect(posts.allSatisfy { $0.headers[HTTPField.Name("X-Team")!] == "qlik" })
                #expect(posts.first?.json == [[
                    "eventType": "reload_failed:sales", "timestamp": 1_700_000_000_000, "env": "prod",
                    "host.name": "dev.server.com", "n": "1",
                ]])
            }
        }
    }

    @Test(arguments: [
        (#"{"timestamp":1}"#, "body must have required property 'eventType'"),
        (#"{"eventType":"relead-failed"}"#, #"body/eventType must match pattern "^[A-Za-z0-9_:]+$""#),
        (#"{"eventType":"\#(String(repeating: "a", count: 255))"}"#, "body/eventType must NOT have more than 254 characters"),
        (#"{"eventType":"ok","attributes":[{"name":"a"}]}"#, "body/attributes/0 must have required property 'value'"),
        (#"{"eventType":"ok","attributes":{"name":"a"}}"#, "body/attributes must be array"),
    ])
    func newRelicEventValidation(body: String, message: String) async throws {
        try await withButler(Self.config(port: 1)) { client in
            let response = try await client.send(.post, "/v4/newrelic/event", json: body)
            #expect(response.json == butlerError(400, "Bad Request", message, code: "FST_ERR_VALIDATION"))
        }
    }

    @Test func newRelicMetric() async throws {
        try await CaptureServer.run(status: 202, body: "{}") { newRelic, port in
            try await withButler(Self.config(port: port)) { client in
                let response = try await client.send(.post, "/v4/newrelic/metric", json: """
                    {"name":"memory.heap","type":"gauge","value":2.3,"timestamp":1642164296053,"interval":0,"attributes":[{"name":"host.name","value":"dev.server.com"}]}
                    """)
                #expect(response.json == ["newRelicResultCode": "202", "newRelicResultText": "Data accepted."])
                let posted = try #require(newRelic.captured.first)
                #expect(posted.path == "/metric/v1")
                #expect(posted.headers[HTTPField.Name("Api-Key")!] == "key-1")
                #expect(posted.json == [[
                    "common": ["timestamp": 1_642_164_296_053, "attributes": ["env": "prod", "host.name": "dev.server.com"]],
                    "metrics": [["name": "memory.heap", "type": "gauge", "value": .number(2.3)]],
                ]])
                let count = try await client.send(.post, "/v4/newrelic/metric", json: #"{"name":"m","type":"count","value":1}"#)
                #expect(count.json == butlerError(400, "Bad Request", "body/type must be equal to one of the allowed values", code: "FST_ERR_VALIDATION"))
                let noValue = try await client.send(.post, "/v4/newrelic/metric", json: #"{"name":"m","type":"gauge"}"#)
                #expect(noValue.json == butlerError(400, "Bad Request", "body must have required property 'value'", code: "FST_ERR_VALIDATION"))
            }
        }
    }

    // B53: New Relic's refusal names the account; no matching account answers at once (Butler hung).
    @Test func newRelicFailures() async throws {
        try await CaptureServer.run(status: 418, body: "teapot") { _, port in
            try await withButler(Self.config(port: port)) { client in
                let response = try await client.send(.post, "/v4/newrelic/metric", json: #"{"name":"m","type":"gauge","value":1}"#)
                #expect(response.json == butlerError(
                    502, "Bad Gateway", "Failed posting metric to New Relic: account 'First' answered 418 I'm a teapot: teapot"))
            }
        }
        var config = Self.config(port: 1)
        config.newRelic.metric.destinationAccount = ["NoSuchAccount"]
        try await withButler(config) { client in
            let response = try await client.send(.post, "/v4/newrelic/metric", json: #"{"name":"m","type":"gauge","value":1}"#)
            #expect(response.status == .internalServerError)
            #expect(response.json?["message"] == .string(
                "Failed posting metric to New Relic: no destination account of Butler.restServerEndpointsConfig.newRelic matches Butler.thirdPartyToolsCredentials.newRelic"))
        }
    }
}

extension CaptureServer {
    /// A loopback port that a server just used and gave back: nothing listens on it now.
    static func freePortAfterStop() async throws -> Int {
        var freed = 0
        try await run { _, port in freed = port }
        return freed
    }
}

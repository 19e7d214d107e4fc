import ButlerCore
import Foundation

/// Posts a message to a Slack incoming webhook, as Butler's `PUT /v4/slackpostmessage` does.
///
/// Payload (Butler's): `{"username":…,"channel":…,"icon_emoji":…,"blocks":[{"type":"section","text":
/// {"type":"plain_text","text":…}}]}`, built by an encoder, so quotes, backslashes and newlines in the
/// message survive. Unlike Butler, which logged and dropped Slack's errors, an error is reported.
public struct SlackMessenger: Sendable {
    struct Payload: Encodable {
        struct Block: Encodable {
            struct Text: Encodable {
                let type = "plain_text"
                let text: String
            }

            let type = "section"
            let text: Text
        }

        let username: String
        let channel: String
        let icon_emoji: String?
        let blocks: [Block]
    }

    let webhookURL: String?
    let http: OutboundHTTPClient

    /// - Parameter webhookURL: `Butler.slackNotification.restMessage.webhookURL`.
    public init(webhookURL: String?, http: OutboundHTTPClient) {
        self.webhookURL = webhookURL
        self.http = http
    }

    /// Posts `message` to `channel` as `fromUser`, with an optional emoji (`thumbsup` or `:thumbsup:`).
    /// - Throws: 500 when no webhook is configured, 502 when Slack refuses the message (its answer
    ///   quoted), 503 when Slack can't be reached in time.
    public func post(channel: String, fromUser: String, message: String, emoji: String?) async throws {
        guard let webhookURL, !webhookURL.isEmpty else {
            throw ButlerError.failed("Failed sending Slack message: Butler.slackNotification.restMessage.webhookURL is not set")
        }
        let icon = emoji.map { $0.hasPrefix(":") ? $0 : ":\($0):" }
        let payload = Payload(username: fromUser, channel: channel, icon_emoji: icon, blocks: [.init(text: .init(text: message))])
        let reply = try await http.postJSON(try JSONEncoder().encode(payload), to: webhookURL, service: "Slack")
        guard (200..<300).contains(reply.status) else {
            throw ButlerError(.badGateway, "Failed sending Slack message: Slack answered \(reply.status) \(reply.reason): \(reply.body)")
        }
    }
}

import ButlerCore
import ButlerNotifications
import Hummingbird

/// `PUT /v4/slackpostmessage` (switch `slackPostMessage`).
///
/// Source: Butler's route and the seed: `{channel, from_user, msg, emoji?}` → 201 with the same fields;
/// missing fields → 400 FST_ERR_VALIDATION. Slack's own errors are reported (Butler dropped them).
struct SlackController {
    struct Echo: Encodable {
        let channel: String
        let from_user: String
        let msg: String
        let emoji: String?
    }

    let slack: SlackMessenger

    func register(on router: Router<ButlerRequestContext>) {
        router.put("/v4/slackpostmessage", use: post)
    }

    @Sendable func post(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let body = try await request.bodyFields(context: context)
        let echo = Echo(
            channel: try body.string("channel", required: true)!, from_user: try body.string("from_user", required: true)!,
            msg: try body.string("msg", required: true)!, emoji: try body.string("emoji"))
        try await slack.post(channel: echo.channel, fromUser: echo.from_user, message: echo.msg, emoji: echo.emoji)
        return try JSONResponse.make(echo, status: .created)
    }
}

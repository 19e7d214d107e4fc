import ButlerCore
import Hummingbird

/// `GET /v4/butlerping` (switch `butlerping`).
///
/// Source: Butler's route: 200 `{"response":"Butler reporting for duty","butlerVersion":"<version>"}`.
struct PingController {
    struct Pong: Encodable {
        let response: String
        let butlerVersion: String
    }

    func register(on router: Router<ButlerRequestContext>) {
        router.get("/v4/butlerping") { _, _ in
            try JSONResponse.make(Pong(response: "Butler reporting for duty", butlerVersion: ButlerVersion.current))
        }
    }
}

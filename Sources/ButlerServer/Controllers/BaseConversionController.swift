import ButlerCore
import Hummingbird

/// `GET /v4/base62tobase16?base62=` (switch `base62ToBase16`) and `GET /v4/base16tobase62?base16=`
/// (switch `base16ToBase62`).
///
/// Source: Butler's routes: 200 `{"base62":"<input>","base16":"<result>"}` (keys in that order for the
/// first route, reversed for the second). A missing parameter → 400 FST_ERR_VALIDATION; an empty or
/// invalid one → 400 naming the parameter and character (Butler: 200 with garbage, or 500).
struct BaseConversionController {
    struct Base62To16: Encodable {
        let base62: String
        let base16: String
    }

    struct Base16To62: Encodable {
        let base16: String
        let base62: String
    }

    let endpoints: EndpointSwitches

    func register(on router: Router<ButlerRequestContext>) {
        if endpoints.isEnabled(.base62ToBase16) {
            router.get("/v4/base62tobase16") { request, _ in
                let input = try request.queryFields.string("base62", required: true)!
                return try JSONResponse.make(Base62To16(base62: input, base16: try BaseConversion.base62ToBase16(input)))
            }
        }
        if endpoints.isEnabled(.base16ToBase62) {
            router.get("/v4/base16tobase62") { request, _ in
                let input = try request.queryFields.string("base16", required: true)!
                return try JSONResponse.make(Base16To62(base16: input, base62: try BaseConversion.base16ToBase62(input)))
            }
        }
    }
}

import ButlerCore
import Hummingbird

/// `GET /v4/configfile/endpointsenabled` (switch `apiListEnabledEndpoints`, or Butler 9.4.0's spelling
/// `apiListEnbledEndpoints`).
///
/// Source: Butler's route: 200 with the leaf names of the `restServerEndpointsEnable` switches that are
/// `true`, in config-file order, as written there.
struct EndpointListController {
    let endpoints: EndpointSwitches

    func register(on router: Router<ButlerRequestContext>) {
        let names = endpoints.enabledNames
        router.get("/v4/configfile/endpointsenabled") { _, _ in
            try JSONResponse.make(names)
        }
    }
}

import ButlerCore
import ButlerServer
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Ping, base conversion and endpoint list routes")
struct UtilityRouteTests {
    @Test func ping() async throws {
        try await withButler { client in
            let response = try await client.send(.get, "/v4/butlerping")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            #expect(response.json == ["response": "Butler reporting for duty", "butlerVersion": .string(ButlerVersion.current)])
        }
    }

    // B23: the seed's samples.
    @Test func baseConversionSeedSamples() async throws {
        try await withButler { client in
            let to16 = try await client.send(.get, "/v4/base62tobase16?base62=6DMW88LpSok9Z7P7hUK0wv7bF")
            #expect(to16.status == .ok)
            #expect(to16.json == ["base62": "6DMW88LpSok9Z7P7hUK0wv7bF", "base16": "3199af08bfeeaf5d420f27ed9c01e74370077"])
            let to62 = try await client.send(.get, "/v4/base16tobase62?base16=3199af08bfeeaf5d420f27ed9c01e74370077")
            #expect(to62.status == .ok)
            #expect(to62.json == ["base16": "3199af08bfeeaf5d420f27ed9c01e74370077", "base62": "6DMW88LpSok9Z7P7hUK0wv7bF"])
        }
    }

    @Test func baseConversionMissingParameter() async throws {
        try await withButler { client in
            let to16 = try await client.send(.get, "/v4/base62tobase16")
            #expect(to16.status == .badRequest)
            #expect(to16.json == butlerError(400, "Bad Request", "querystring must have required property 'base62'", code: "FST_ERR_VALIDATION"))
            let to62 = try await client.send(.get, "/v4/base16tobase62?other=1")
            #expect(to62.json == butlerError(400, "Bad Request", "querystring must have required property 'base16'", code: "FST_ERR_VALIDATION"))
        }
    }

    // B24: invalid characters and empty input are 400s naming the parameter.
    @Test(arguments: [
        ("/v4/base16tobase62?base16=G", "Parameter 'base16' contains the invalid character 'G' at position 1"),
        ("/v4/base16tobase62?base16=abc-1", "Parameter 'base16' contains the invalid character '-' at position 4"),
        ("/v4/base62tobase16?base62=a%20b", "Parameter 'base62' contains the invalid character ' ' at position 2"),
        ("/v4/base62tobase16?base62=a+b", "Parameter 'base62' contains the invalid character ' ' at position 2"),
        ("/v4/base62tobase16?base62=!", "Parameter 'base62' contains the invalid character '!' at position 1"),
        ("/v4/base62tobase16?base62=", "Parameter 'base62' must not be empty"),
    ])
    func baseConversionInvalidInput(uri: String, message: String) async throws {
        try await withButler { client in
            let response = try await client.send(.get, uri)
            #expect(response.status == .badRequest)
            #expect(response.json == butlerError(400, "Bad Request", message))
        }
    }

    @Test func upperCaseHexIsAcceptedAndEchoed() async throws {
        try await withButler { client in
            let response = try await client.send(.get, "/v4/base16tobase62?base16=ABC")
            #expect(response.status == .ok)
            // 0xABC = 2748 = 44·62 + 20
            #expect(response.json == ["base16": "ABC", "base62": "Ik"])
        }
    }

    @Test func endpointListFollowsTheConfig() async throws {
        let config = try ConfigLoader.load(yaml: """
            Butler:
              restServerEndpointsEnable:
                keyValueStore: true
                apiListEnbledEndpoints: true
                base62ToBase16: false
                scheduler:
                  getSchedule: true
                butlerping: true
            """).config
        try await withButler(config) { client in
            let response = try await client.send(.get, "/v4/configfile/endpointsenabled")
            #expect(response.status == .ok)
            #expect(response.json == ["keyValueStore", "apiListEnbledEndpoints", "getSchedule", "butlerping"])
        }
    }

    // A disabled route answers like an unknown one: Fastify's 404 in Butler's error shape.
    @Test func disabledRoutesAre404() async throws {
        let config = ButlerConfig.forTests(endpoints: EndpointSwitches(enabling: [.keyValueStore]))
        try await withButler(config) { client in
            for (method, path) in [
                (HTTPRequest.Method.get, "/v4/butlerping"), (.get, "/v4/configfile/endpointsenabled"),
                (.get, "/v4/base62tobase16"), (.get, "/v4/base16tobase62"), (.get, "/v4/no-such-route"),
            ] {
                let response = try await client.send(method, path)
                #expect(response.status == .notFound)
                #expect(response.json == butlerError(404, "Not Found", "Route \(method.rawValue):\(path) not found"))
            }
            #expect(try await client.send(.get, "/v4/keyvaluesnamespaces").status == .ok)
        }
        let noKV = ButlerConfig.forTests(endpoints: EndpointSwitches(enabling: [.butlerping]))
        try await withButler(noKV) { client in
            let response = try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":"k","value":"v"}"#)
            #expect(response.json == butlerError(404, "Not Found", "Route POST:/v4/keyvalues/ns not found"))
        }
    }

    @Test func headWorksOnGetRoutes() async throws {
        try await withButler { client in
            let response = try await client.send(.head, "/v4/butlerping")
            #expect(response.status == .ok)
            #expect(response.body.readableBytes == 0)
        }
    }
}

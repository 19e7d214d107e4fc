import ButlerCore
import ButlerServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Cross-cutting HTTP behaviour: method override, body limit, rate limit, errors")
struct HTTPBehaviourTests {
    static let override = HTTPField.Name("X-HTTP-Method-Override")!

    // B51
    @Test func methodOverride() async throws {
        try await withButler { client in
            // (c) a plain POST is a create.
            let created = try await client.send(.post, "/v4/keyvalues/ns-a", json: #"{"key":"k1","value":"v1"}"#)
            #expect(created.status == .created)
            // Lower-case override value, as any client may send it.
            let deleted = try await client.send(.post, "/v4/keyvalues/ns-a/k1", headers: [Self.override: "delete"])
            #expect(deleted.status == .noContent)
            // The override picks the route: there is no PUT /v4/keyvalues/:namespace.
            let put = try await client.send(.post, "/v4/keyvalues/ns-a", json: "{}", headers: [Self.override: "PUT"])
            #expect(put.json == butlerError(404, "Not Found", "Route PUT:/v4/keyvalues/ns-a not found"))
            // (d) ignored on GET.
            let ping = try await client.send(.get, "/v4/butlerping", headers: [Self.override: "DELETE"])
            #expect(ping.status == .ok)
            #expect(ping.json == ["response": "Butler reporting for duty", "butlerVersion": .string(ButlerVersion.current)])
            // A value that isn't a method is ignored.
            let bogus = try await client.send(.post, "/v4/keyvalues/ns-a", json: #"{"key":"k2","value":"v"}"#, headers: [Self.override: "FROB"])
            #expect(bogus.status == .created)
        }
    }

    // B21 (a): 413 in Fastify's shape, nothing stored, server still answering.
    @Test func bodyOverOneMebibyteIs413() async throws {
        try await withButler { client in
            let value = String(repeating: "x", count: 2 * 1024 * 1024)
            let response = try await client.send(.post, "/v4/keyvalues/ns-big", json: #"{"key":"k","value":"\#(value)"}"#)
            #expect(response.status == .contentTooLarge)
            #expect(response.json == butlerError(413, "Payload Too Large", "Request body is too large", code: "FST_ERR_CTP_BODY_TOO_LARGE"))
            #expect(try await client.send(.get, "/v4/keyvaluesnamespaces").json == [])
            // Just under the limit is fine.
            let fits = String(repeating: "y", count: 1024 * 1024 - 100)
            let ok = try await client.send(.post, "/v4/keyvalues/ns-big", json: #"{"key":"k","value":"\#(fits)"}"#)
            #expect(ok.status == .created)
        }
    }

    @Test func bodyOverTheLimitWithoutContentLengthIs413() async throws {
        try await withButler(testing: .live) { client in
            let value = String(repeating: "x", count: 2 * 1024 * 1024)
            let body = ByteBuffer(string: #"{"key":"k","value":"\#(value)"}"#)
            let response = try await client.execute(
                uri: "/v4/keyvalues/ns-big", method: .post, headers: [.transferEncoding: "chunked", .contentType: "application/json"], body: body)
            #expect(response.status == .contentTooLarge)
        }
    }

    @Test func invalidJSONIs400() async throws {
        try await withButler { client in
            let response = try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":"k","value":"#)
            #expect(response.json == butlerError(400, "Bad Request", "Body is not valid JSON", code: "FST_ERR_CTP_INVALID_JSON_BODY"))
        }
    }

    // B52: over the limit → 429 with Butler's body and retry-after; limit headers on every response.
    @Test func rateLimit() async throws {
        let clock = ManualWallClock()
        try await withButler(rateLimit: 5, clock: clock) { client in
            for remaining in (0..<5).reversed() {
                let response = try await client.send(.get, "/v4/butlerping")
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-ratelimit-limit")!] == "5")
                #expect(response.headers[HTTPField.Name("x-ratelimit-remaining")!] == String(remaining))
            }
            let limited = try await client.send(.get, "/v4/butlerping")
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "60")
            #expect(limited.json == butlerError(429, "Too Many Requests", "Rate limit exceeded, retry in 1 minute"))
            // Unknown routes count too, and are limited as well.
            #expect(try await client.send(.get, "/v4/nope").status == .tooManyRequests)
            clock.advance(by: 60)
            #expect(try await client.send(.get, "/v4/butlerping").status == .ok)
        }
    }

    @Test func rateLimitZeroIsOff() async throws {
        try await withButler(rateLimit: 0) { client in
            for _ in 0..<150 {
                let response = try await client.send(.get, "/v4/butlerping")
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("x-ratelimit-limit")!] == nil)
            }
        }
    }

    @Test func liveServerAnswersOverTCP() async throws {
        try await withButler(testing: .live) { client in
            let response = try await client.send(.get, "/v4/base62tobase16?base62=6DMW88LpSok9Z7P7hUK0wv7bF")
            #expect(response.json == ["base62": "6DMW88LpSok9Z7P7hUK0wv7bF", "base16": "3199af08bfeeaf5d420f27ed9c01e74370077"])
        }
    }

    // A client whose body stops arriving is disconnected after the idle timeout: the request can't
    // hold the connection for ever.
    @Test func stalledRequestBodyIsCutOff() async throws {
        try await withButler(testing: .live, idleTimeout: .seconds(1)) { client in
            let port = try #require(client.port)
            let started = ContinuousClock.now
            let answer = try await Task.detached { try RawConnection.sendAndReadUntilClosed(
                port: port, "POST /v4/keyvalues/ns HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"key\"")
            }.value
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(!answer.contains(" 201 "))
            // (The test client's own idle connection was closed too, so ask on a fresh one.)
            let namespaces = try await Task.detached { try RawConnection.sendAndReadUntilClosed(
                port: port, "GET /v4/keyvaluesnamespaces HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            }.value
            #expect(namespaces.hasPrefix("HTTP/1.1 200"))
            #expect(namespaces.hasSuffix("\r\n\r\n[]"))
        }
    }

    @Test func nulCharactersAreRefused() async throws {
        try await withButler { client in
            let value = try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":"a","value":"v\u0000w"}"#)
            #expect(value.json == butlerError(400, "Bad Request", "The value must not contain the NUL character (\\u0000)"))
            let namespace = try await client.send(.post, "/v4/keyvalues/q%00a", json: #"{"key":"a","value":"v"}"#)
            #expect(namespace.json == butlerError(400, "Bad Request", "The namespace must not contain the NUL character (\\u0000)"))
            #expect(try await client.send(.get, "/v4/keyvaluesnamespaces").json == [])
        }
    }

    // Found by the fuzz run: a 500 KB key was stored but its GET URL was too long to be read back.
    @Test func namesTooLongForARequestLineAreRefused() async throws {
        try await withButler(testing: .live) { client in
            let longest = String(repeating: "é", count: KeyValueService.maxNameBytes / 2)
            let stored = try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":"\#(longest)","value":"v"}"#)
            #expect(stored.status == .created)
            let encoded = longest.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            #expect(try await client.send(.get, "/v4/keyvalues/ns?key=\(encoded)").json?["value"]?.stringValue == "v")
            #expect(try await client.send(.delete, "/v4/keyvalues/ns/\(encoded)").status == .noContent)
            let key = try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":"\#(longest)x","value":"v"}"#)
            #expect(key.json == butlerError(400, "Bad Request", "The key must not be longer than 4096 bytes (UTF-8)"))
            let namespace = try await client.send(.post, "/v4/keyvalues/" + String(repeating: "n", count: 4097), json: #"{"key":"k","value":"v"}"#)
            #expect(namespace.json == butlerError(400, "Bad Request", "The namespace must not be longer than 4096 bytes (UTF-8)"))
        }
    }

    @Test func overlongBaseConversionInputIs400() async throws {
        try await withButler { client in
            let response = try await client.send(.get, "/v4/base62tobase16?base62=" + String(repeating: "Z", count: 10_001))
            #expect(response.json == butlerError(400, "Bad Request", "Parameter 'base62' must not be longer than 10000 characters"))
        }
    }
}

import ButlerCore
import ButlerServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// What stops a web page in an administrator's browser from driving Butler: JSON-only bodies (415),
/// the `Origin` rule (403) and the `Host` rule against DNS rebinding (421).
@Suite("Browser defences: content type, Origin, Host", .serialized)
struct BrowserDefenceTests {
    static func unsupported(_ type: String) -> JSONValue {
        butlerError(415, "Unsupported Media Type", "Unsupported Media Type: \(type)", code: "FST_ERR_CTP_INVALID_MEDIA_TYPE")
    }

    // What `fetch(url, {method: 'POST', mode: 'no-cors', body: '{...}'})` and an HTML form send.
    @Test func nonJSONBodiesAre415AndChangeNothing() async throws {
        try await withButler { client async throws in
            let body = #"{"key":"a","value":"b"}"#
            for type in ["text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                         "application/jsonx", "text/json", "application/json-patch+json", ""] {
                let response = try await client.execute(uri: "/v4/keyvalues/ns", method: .post,
                    headers: type.isEmpty ? [:] : [.contentType: type], body: ByteBuffer(string: body))
                #expect(response.status == .unsupportedMediaType, "\(type)")
                #expect(response.json == Self.unsupported(type.isEmpty ? "none" : type), "\(type)")
            }
            // The same through the method override, onto a DELETE route.
            let overridden = try await client.execute(uri: "/v4/keyvalues/ns", method: .post,
                headers: [.contentType: "text/plain", HTTPField.Name("X-HTTP-Method-Override")!: "DELETE"], body: ByteBuffer(string: "{}"))
            #expect(overridden.status == .unsupportedMediaType)
            #expect(try await client.send(.get, "/v4/keyvaluesnamespaces").json == [])
        }
    }

    @Test func jsonInAnySpellingIsAccepted() async throws {
        try await withButler { client async throws in
            for (index, type) in ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8", " application/json ; charset=x"].enumerated() {
                let response = try await client.execute(uri: "/v4/keyvalues/ns", method: .post, headers: [.contentType: type],
                    body: ByteBuffer(string: #"{"key":"k\#(index)","value":"v"}"#))
                #expect(response.status == .created, "\(type)")
            }
        }
    }

    // Butler's own tests send body-less PUTs labelled as forms; Qlik's connector labels everything JSON.
    @Test func anEmptyBodyIsNoBodyWhateverItsLabel() async throws {
        try await withButler { client async throws in
            let notFound = butlerError(400, "Bad Request", "Namespace not found: ns")
            for type in ["application/x-www-form-urlencoded", "text/plain", "application/json"] {
                let response = try await client.execute(uri: "/v4/keyvalues/ns", method: .delete, headers: [.contentType: type], body: ByteBuffer())
                #expect(response.json == notFound, "\(type)") // the route ran
            }
            let overridden = try await client.execute(uri: "/v4/keyvalues/ns", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-HTTP-Method-Override")!: "DELETE", .contentLength: "0"], body: nil)
            #expect(overridden.json == notFound)
        }
    }

    @Test func aChunkedTextBodyIs415() async throws {
        try await withButler(testing: .live) { client async throws in
            let port = try #require(client.port)
            let answer = try await Task.detached { try RawConnection.sendAndReadUntilClosed(port: port,
                "POST /v4/keyvalues/ns HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "17\r\n{\"key\":\"a\",\"value\":\"b\"}\r\n0\r\n\r\n") }.value
            #expect(answer.hasPrefix("HTTP/1.1 415"), "\(answer)")
            let empty = try await Task.detached { try RawConnection.sendAndReadUntilClosed(port: port,
                "DELETE /v4/keyvalues/ns HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n") }.value
            #expect(empty.hasPrefix("HTTP/1.1 400") && empty.contains("Namespace not found: ns"), "\(empty)")
        }
    }

    @Test func foreignOriginsAre403() async throws {
        try await withButler { client async throws in
            let refused = butlerError(403, "Forbidden", "Cross-origin request refused")
            for origin in ["https://evil.example", "http://evil.example:8080", "null", "http://localhost.evil.example", "http://localhost:9999",
                           "https://localhost", "file://", "http://127.0.0.1@evil.example", "garbage"] {
                let response = try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":"a","value":"b"}"#, headers: [.origin: origin])
                #expect(response.status == .forbidden, "\(origin)")
                #expect(response.json == refused, "\(origin)")
                #expect(response.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == nil)
            }
            #expect(try await client.send(.get, "/v4/keyvaluesnamespaces").json == [])
            // Butler's own origin (its own pages): the scheme and the Host it was reached by.
            #expect(try await client.send(.get, "/v4/butlerping", headers: [.origin: "http://localhost"]).status == .ok)
        }
    }

    @Test func allowedOriginsAreServed() async throws {
        var config = ButlerConfig.forTests()
        config.restServer.allowedOrigins = ["https://qmc.example.com"]
        try await withButler(config) { client async throws in
            #expect(try await client.send(.get, "/v4/butlerping", headers: [.origin: "https://QMC.example.com:443"]).status == .ok)
            #expect(try await client.send(.get, "/v4/butlerping", headers: [.origin: "https://qmc.example.com:4443"]).status == .forbidden)
            #expect(try await client.send(.get, "/v4/butlerping", headers: [.origin: "http://qmc.example.com"]).status == .forbidden)
        }
    }

    /// Sends `GET /v4/butlerping` with `Host: host` (nil: no Host header) and returns the status line.
    static func statusLine(port: Int, host: String?, extra: String = "") async throws -> String {
        let hostLine = host.map { "Host: \($0)\r\n" } ?? ""
        let answer = try await Task.detached { try RawConnection.sendAndReadUntilClosed(port: port,
            "GET /v4/butlerping HTTP/1.1\r\n\(hostLine)\(extra)Connection: close\r\n\r\n") }.value
        return answer.components(separatedBy: "\r\n").first ?? ""
    }

    @Test func onLoopbackOnlyLoopbackHostNamesAreServed() async throws {
        try await withButler(testing: .live) { client async throws in
            let port = try #require(client.port)
            for host in ["localhost", "localhost:\(port)", "127.0.0.1:\(port)", "[::1]:\(port)", "LOCALHOST", "127.0.0.1"] {
                let line = try await Self.statusLine(port: port, host: host)
                #expect(line == "HTTP/1.1 200 OK", "\(host)")
            }
            for host in ["evil.example", "evil.example:\(port)", "localhost.evil.example", "127.0.0.1.nip.io", "10.0.0.1", "[::2]", "x", "localhost:abc"] {
                #expect(try await Self.statusLine(port: port, host: host) == "HTTP/1.1 421 Misdirected Request", "\(host)")
            }
            #expect(try await Self.statusLine(port: port, host: nil) == "HTTP/1.1 421 Misdirected Request")
            // Attack finding F6: two Host headers (a proxy may route on the other one) are refused in either order.
            #expect(try await Self.statusLine(port: port, host: "localhost", extra: "Host: evil.example\r\n") == "HTTP/1.1 400 Bad Request")
            #expect(try await Self.statusLine(port: port, host: "evil.example", extra: "Host: localhost\r\n") == "HTTP/1.1 400 Bad Request")
            // A rebound page sends its own Origin too: the Host rule answers first.
            #expect(try await Self.statusLine(port: port, host: "evil.example:\(port)", extra: "Origin: http://evil.example:\(port)\r\n") == "HTTP/1.1 421 Misdirected Request")
        }
    }

    @Test func allowedHostsAreServedBesidesLoopback() async throws {
        var config = ButlerConfig.forTests()
        config.restServer.allowedHosts = ["butler.example.com", "sense:8080"]
        try await withButler(config, testing: .live) { client async throws in
            let port = try #require(client.port)
            #expect(try await Self.statusLine(port: port, host: "butler.example.com:\(port)") == "HTTP/1.1 200 OK")
            #expect(try await Self.statusLine(port: port, host: "sense:8080") == "HTTP/1.1 200 OK")
            #expect(try await Self.statusLine(port: port, host: "sense:\(port)") == "HTTP/1.1 421 Misdirected Request")
            #expect(try await Self.statusLine(port: port, host: "localhost") == "HTTP/1.1 200 OK")
            #expect(try await Self.statusLine(port: port, host: "evil.example") == "HTTP/1.1 421 Misdirected Request")
        }
    }

    // Tests listen on loopback only: the rule for other addresses is checked in `BrowserRequestPolicyTests`;
    // here, that start-up says so.
    @Test func onOtherAddressesStartUpWarnsThatAnyHostIsServed() throws {
        var config = ButlerConfig.forTests()
        config.restServer.serverHost = "0.0.0.0"
        let log = LogCapture()
        var options = ServerOptions()
        options.keyValueStore = InMemoryKeyValueStore()
        options.logger = log.butlerLogger(level: .info)
        _ = try buildApplication(config: config, options: options)
        #expect(log.lines(containing: "API: listening on 0.0.0.0 without restServerConfig.allowedHosts").count == 1)
        config.restServer.allowedHosts = ["butler.corp.example"]
        _ = try buildApplication(config: config, options: options)
        #expect(log.lines(containing: "without restServerConfig.allowedHosts").count == 1)
    }
}

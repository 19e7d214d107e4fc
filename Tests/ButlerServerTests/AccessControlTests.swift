import ButlerCore
import ButlerServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// API keys, allowed client addresses and mutual TLS (`Butler.restServerConfig.auth`, `allowedClients`,
/// `tls.requireClientCertificate`): off by default; when on, nothing is served without them.
@Suite("Access control (restServerConfig.auth, allowedClients)", .serialized)
struct AccessControlTests {
    static let adminKey = "admin-key-0123456789abcdef"
    static let kvKey = "kv-only-key-0123456789abcdef"

    static func config() -> ButlerConfig {
        var config = ButlerConfig.forTests()
        config.restServer.auth = RestAuthConfig(apiKeys: [
            APIKeyConfig(name: "admin", secret: .inline(adminKey)),
            APIKeyConfig(name: "load-scripts", secret: .inline(kvKey), endpoints: [.keyValueStore, .utility]),
        ])
        return config
    }

    static let unauthorized = butlerError(401, "Unauthorized", "A valid API key is required")

    @Test func withoutKeysEverythingIsOpenAsInButler() async throws {
        try await withButler { client async throws in
            #expect(try await client.send(.get, "/v4/butlerping").status == .ok)
        }
    }

    @Test func everyRouteNeedsAKey() async throws {
        try await withButler(Self.config()) { client async throws in
            for (method, path) in [(HTTPRequest.Method.get, "/v4/butlerping"), (.get, "/v4/keyvaluesnamespaces"), (.post, "/v4/keyvalues/ns"),
                                   (.put, "/v4/filecopy"), (.get, "/v4/schedules"), (.get, "/v4/no-such-route"), (.get, "/")] {
                let response = try await client.send(method, path, json: method == .get ? nil : #"{"key":"a","value":"b"}"#)
                #expect(response.status == .unauthorized, "\(method) \(path)")
                #expect(response.json == Self.unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
            #expect(try await client.send(.get, "/v4/keyvaluesnamespaces", headers: [.authorization: "Bearer \(Self.adminKey)"]).json == [])
        }
    }

    @Test func wrongKeysGetTheSameAnswerAsNone() async throws {
        try await withButler(Self.config()) { client async throws in
            let near = String(Self.adminKey.dropLast()) + "0"
            for headers: HTTPFields in [
                [.authorization: "Bearer \(near)"], [.authorization: "Bearer "], [.authorization: "Basic \(Self.adminKey)"],
                [.authorization: Self.adminKey], [HTTPField.Name("X-API-Key")!: near], [HTTPField.Name("X-API-Key")!: ""],
                [.authorization: "Bearer \(Self.adminKey.uppercased())"], [.authorization: "Bearer \(Self.adminKey)x"],
            ] {
                let response = try await client.send(.get, "/v4/butlerping", headers: headers)
                #expect(response.status == .unauthorized, "\(headers)")
                #expect(response.json == Self.unauthorized)
            }
        }
    }

    @Test func aKeyInEitherHeaderIsAccepted() async throws {
        try await withButler(Self.config()) { client async throws in
            for headers: HTTPFields in [
                [.authorization: "Bearer \(Self.adminKey)"], [.authorization: "bearer  \(Self.adminKey) "],
                [HTTPField.Name("X-API-Key")!: Self.adminKey], [HTTPField.Name("x-api-key")!: Self.kvKey],
            ] {
                #expect(try await client.send(.get, "/v4/butlerping", headers: headers).status == .ok, "\(headers)")
            }
            // Qlik's REST connector: POST with the method override and a custom header.
            let created = try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":"a","value":"1","ttl":"0"}"#,
                headers: [HTTPField.Name("X-API-Key")!: Self.kvKey])
            #expect(created.status == .created)
            let deleted = try await client.send(.post, "/v4/keyvalues/ns/a",
                headers: [HTTPField.Name("X-API-Key")!: Self.kvKey, HTTPField.Name("X-HTTP-Method-Override")!: "DELETE"])
            #expect(deleted.status == .noContent)
        }
    }

    @Test func aKeyLimitedToRouteGroupsGets403Elsewhere() async throws {
        try await withButler(Self.config()) { client async throws in
            let headers: HTTPFields = [.authorization: "Bearer \(Self.kvKey)"]
            #expect(try await client.send(.get, "/v4/keyvaluesnamespaces", headers: headers).status == .ok)
            #expect(try await client.send(.get, "/v4/base16tobase62?base16=ff", headers: headers).status == .ok)
            let forbidden = butlerError(403, "Forbidden", "This API key may not call this route")
            for (method, path) in [(HTTPRequest.Method.get, "/v4/schedules"), (.put, "/v4/filecopy"), (.put, "/v4/reloadtask/-/start"),
                                   (.put, "/v4/slackpostmessage"), (.get, "/v4/no-such-route"),
                                   (.post, "/v4/schedules/x"), (.post, "/v4/filedelete")] {
                var sent = headers
                if method == .post { sent[HTTPField.Name("X-HTTP-Method-Override")!] = "DELETE" }
                let response = try await client.send(method, path, headers: sent)
                #expect(response.status == .forbidden, "\(method) \(path)")
                #expect(response.json == forbidden)
            }
            // The unrestricted key reaches them (the route answers: no Qlik Sense site is configured here).
            let admin = try await client.send(.put, "/v4/reloadtask/-/start", json: "[]", headers: [.authorization: "Bearer \(Self.adminKey)"])
            #expect(admin.status == .serviceUnavailable)
        }
    }

    // Attack finding F7: refused requests count against the rate limit, so keys can't be guessed at will.
    @Test func guessingKeysIsRateLimited() async throws {
        try await withButler(Self.config(), rateLimit: 3, clock: ManualWallClock()) { client async throws in
            for _ in 0..<3 {
                #expect(try await client.send(.get, "/v4/butlerping", headers: [.authorization: "Bearer guess-0123456789abcdef"]).status == .unauthorized)
            }
            #expect(try await client.send(.get, "/v4/butlerping", headers: [.authorization: "Bearer \(Self.adminKey)"]).status == .tooManyRequests)
        }
    }

    @Test func theKeysNameIsLoggedNeverTheKey() async throws {
        let log = LogCapture()
        try await withButler(Self.config(), logger: log.butlerLogger()) { client async throws in
            #expect(try await client.send(.get, "/v4/butlerping", headers: [.authorization: "Bearer \(Self.kvKey)"]).status == .ok)
            #expect(try await client.send(.get, "/v4/schedules", headers: [.authorization: "Bearer \(Self.kvKey)"]).status == .forbidden)
            #expect(try await client.send(.get, "/v4/butlerping", headers: [.authorization: "Bearer \(Self.adminKey)0"]).status == .unauthorized)
        }
        #expect(log.lines(containing: "GET /v4/butlerping 200").count == 1)
        #expect(log.lines(containing: "GET /v4/butlerping 200").first?.contains("key load-scripts") == true)
        #expect(log.lines(containing: "GET /v4/schedules 403").count == 1)
        #expect(log.lines(containing: "GET /v4/butlerping 401").count == 1)
        for line in log.lines {
            #expect(!line.contains(Self.kvKey) && !line.contains(Self.adminKey) && !line.contains(String(Self.adminKey.prefix(12))), "\(line)")
        }
    }

    @Test func keysCanComeFromFiles() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("butler-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("ci.key")
        try Data("  file-key-0123456789abcdef\n".utf8).write(to: file)
        var config = ButlerConfig.forTests()
        config.restServer.auth = RestAuthConfig(apiKeys: [APIKeyConfig(name: "ci", secret: .file(file.path))])
        try await withButler(config) { client async throws in
            #expect(try await client.send(.get, "/v4/butlerping", headers: [.authorization: "Bearer file-key-0123456789abcdef"]).status == .ok)
            #expect(try await client.send(.get, "/v4/butlerping").status == .unauthorized)
        }
        // A missing or short key file stops start-up, naming the entry and never quoting the key.
        try Data("short-key\n".utf8).write(to: file)
        #expect(throws: ButlerError.failed("Butler.restServerConfig.auth.apiKeys[0].keyFile: the key in \(file.path) must be at least 16 characters long")) {
            _ = try buildApplication(config: config, options: Self.options())
        }
        config.restServer.auth = RestAuthConfig(apiKeys: [APIKeyConfig(name: "ci", secret: .file(directory.appendingPathComponent("missing").path))])
        #expect(throws: ButlerError.self) { _ = try buildApplication(config: config, options: Self.options()) }
    }

    static func options() -> ServerOptions {
        var options = ServerOptions()
        options.keyValueStore = InMemoryKeyValueStore()
        return options
    }

    @Test func allowedClientsServeOnlyTheListedAddresses() async throws {
        var config = ButlerConfig.forTests()
        config.restServer.allowedClients = [IPAddressRange("10.0.0.0/8")!, IPAddressRange("fd00::/8")!]
        try await withButler(config, testing: .live) { client async throws in
            let response = try await client.send(.get, "/v4/butlerping")
            #expect(response.status == .forbidden)
            #expect(response.json == butlerError(403, "Forbidden", "Forbidden"))
        }
        config.restServer.allowedClients = [IPAddressRange("10.0.0.0/8")!, IPAddressRange("127.0.0.0/8")!]
        try await withButler(config, testing: .live) { client async throws in
            #expect(try await client.send(.get, "/v4/butlerping").status == .ok)
        }
    }
}

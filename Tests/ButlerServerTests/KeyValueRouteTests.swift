import ButlerCore
import ButlerServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Key-value store routes")
struct KeyValueRouteTests {
    static let notFoundCode: HTTPResponse.Status = .badRequest  // Butler: missing namespace/key is 400

    // The seed's POST sample and its 201 echo.
    @Test func seedSamples() async throws {
        try await withButler { client in
            let created = try await client.send(
                .post, "/v4/keyvalues/Sales%20ETL%20step%202",
                json: #"{"key":"ce68c8ca-b3ff-4371-8285-7c9ce5040e42_parameter_1","value":"12345.789","ttl":10000}"#)
            #expect(created.status == .created)
            #expect(created.json == [
                "namespace": "Sales ETL step 2", "key": "ce68c8ca-b3ff-4371-8285-7c9ce5040e42_parameter_1",
                "value": "12345.789", "ttl": 10000,
            ])
            let keyList = try await client.send(.get, "/v4/keylist/Sales%20ETL%20step%202")
            #expect(keyList.status == .ok)
            #expect(keyList.headers[.contentType] == "application/json; charset=utf-8")
            #expect(keyList.json == ["namespace": "Sales ETL step 2", "keys": [["key": "ce68c8ca-b3ff-4371-8285-7c9ce5040e42_parameter_1"]]])
        }
    }

    // B01
    @Test func recreatedNamespaceIsListedOnce() async throws {
        try await withButler { client in
            try await client.send(.post, "/v4/keyvalues/ns-a", json: #"{"key":"k1","value":"v1"}"#)
            #expect(try await client.send(.delete, "/v4/keyvalues/ns-a").status == .noContent)
            try await client.send(.post, "/v4/keyvalues/ns-a", json: #"{"key":"k1","value":"v1"}"#)
            let list = try await client.send(.get, "/v4/keyvaluesnamespaces")
            #expect(list.status == .ok)
            #expect(list.json == ["ns-a"])
            let pair = try await client.send(.get, "/v4/keyvalues/ns-a?key=k1")
            #expect(pair.status == .ok)
            #expect(pair.json == ["namespace": "ns-a", "key": "k1", "value": "v1"])
        }
    }

    // B02: 201 with ttl 0 when none given; GET has exactly namespace, key, value; spaces in names.
    @Test func createIs201AndGetHasNoTTL() async throws {
        try await withButler { client in
            let created = try await client.send(
                .post, "/v4/keyvalues/Sales%20ETL%20step%202", json: #"{"key":"Last extract","value":"2020-09-29 17:14:56"}"#)
            #expect(created.status == .created)
            #expect(created.json == ["namespace": "Sales ETL step 2", "key": "Last extract", "value": "2020-09-29 17:14:56", "ttl": 0])
            let pair = try await client.send(.get, "/v4/keyvalues/Sales%20ETL%20step%202?key=Last%20extract")
            #expect(pair.status == .ok)
            #expect(pair.json == ["namespace": "Sales ETL step 2", "key": "Last extract", "value": "2020-09-29 17:14:56"])
        }
    }

    // B03 (a)–(f)
    @Test func deleteBodiesAndNotFoundCodes() async throws {
        try await withButler { client in
            try await client.send(.post, "/v4/keyvalues/ns-a", json: #"{"key":"k1","value":"v1"}"#)
            let first = try await client.send(.delete, "/v4/keyvalues/ns-a/k1")
            #expect(first.status == .noContent)
            #expect(first.body.readableBytes == 0)
            let second = try await client.send(.delete, "/v4/keyvalues/ns-a/k1")
            #expect(second.json == butlerError(400, "Bad Request", "Key 'k1' not found in namespace: ns-a"))
            let missingNamespace = try await client.send(.delete, "/v4/keyvalues/ns-missing")
            #expect(missingNamespace.json == butlerError(400, "Bad Request", "Namespace not found: ns-missing"))
            let missingKey = try await client.send(.get, "/v4/keyvalues/ns-a?key=nope")
            #expect(missingKey.json == butlerError(400, "Bad Request", "Key 'nope' not found in namespace: ns-a"))
            let noKey = try await client.send(.get, "/v4/keyvalues/ns-a")
            #expect(noKey.json == butlerError(400, "Bad Request", "querystring must have required property 'key'", code: "FST_ERR_VALIDATION"))
            let exists = try await client.send(.get, "/v4/keyvalues/ns-a/keyexists?key=nope")
            #expect(exists.status == .ok)
            #expect(exists.json == ["keyExists": false, "keyValue": [:]])
        }
    }

    @Test func readsOfAMissingNamespace() async throws {
        try await withButler { client in
            for uri in ["/v4/keyvalues/nope?key=k", "/v4/keyvalues/nope/keyexists?key=k", "/v4/keylist/nope"] {
                let response = try await client.send(.get, uri)
                #expect(response.status == Self.notFoundCode, "\(uri)")
                #expect(response.json == butlerError(400, "Bad Request", "Namespace not found: nope"), "\(uri)")
            }
            let deleteKey = try await client.send(.delete, "/v4/keyvalues/nope/k")
            #expect(deleteKey.json == butlerError(400, "Bad Request", "Namespace not found: nope"))
            let noKey = try await client.send(.get, "/v4/keyvalues/nope/keyexists")
            #expect(noKey.json == butlerError(400, "Bad Request", "querystring must have required property 'key'", code: "FST_ERR_VALIDATION"))
        }
    }

    @Test func keyExistsFound() async throws {
        try await withButler { client in
            try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":"k","value":"v"}"#)
            let exists = try await client.send(.get, "/v4/keyvalues/ns/keyexists?key=k")
            #expect(exists.json == ["keyExists": true, "keyValue": ["namespace": "ns", "key": "k", "value": "v"]])
        }
    }

    // B04: ttl as a string, expiry by the (manual) clock, expired keys look missing, namespace stays.
    @Test func ttlAsStringAndExpiry() async throws {
        let clock = ManualWallClock()
        try await withButler(clock: clock) { client in
            let created = try await client.send(.post, "/v4/keyvalues/ns-ttl", json: #"{"key":"k","value":"v","ttl":"1500"}"#)
            #expect(created.status == .created)
            #expect(created.json == ["namespace": "ns-ttl", "key": "k", "value": "v", "ttl": 1500])
            #expect(try await client.send(.get, "/v4/keyvalues/ns-ttl?key=k").status == .ok)
            clock.advance(by: 2)
            let expired = try await client.send(.get, "/v4/keyvalues/ns-ttl?key=k")
            #expect(expired.json == butlerError(400, "Bad Request", "Key 'k' not found in namespace: ns-ttl"))
            let exists = try await client.send(.get, "/v4/keyvalues/ns-ttl/keyexists?key=k")
            #expect(exists.json == ["keyExists": false, "keyValue": [:]])
            let keys = try await client.send(.get, "/v4/keylist/ns-ttl")
            #expect(keys.json == ["namespace": "ns-ttl", "keys": []])
            #expect(try await client.send(.get, "/v4/keyvaluesnamespaces").json == ["ns-ttl"])
        }
    }

    @Test func overwriteResetsTTL() async throws {
        let clock = ManualWallClock()
        try await withButler(clock: clock) { client in
            try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":"k","value":"1","ttl":1000}"#)
            clock.advance(by: 0.8)
            try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":"k","value":"2","ttl":1000}"#)
            clock.advance(by: 0.8)
            #expect(try await client.send(.get, "/v4/keyvalues/ns?key=k").json == ["namespace": "ns", "key": "k", "value": "2"])
            clock.advance(by: 0.3)
            #expect(try await client.send(.get, "/v4/keyvalues/ns?key=k").status == .badRequest)
        }
    }

    @Test(arguments: [
        (#"{"key":"k","value":"v","ttl":"abc"}"#, "body/ttl must be number"),
        (#"{"key":"k","value":"v","ttl":-5}"#, "body/ttl must be >= 0"),
        (#"{"key":"k","value":"v","ttl":{"a":1}}"#, "body/ttl must be number"),
        (#"{"key":{"a":1},"value":"v"}"#, "body/key must be string"),
        (#"{"key":"k","value":["v"]}"#, "body/value must be string"),
        (#"["k","v"]"#, "body must be object"),
        ("", "body must be object"),
    ])
    func schemaFailures(body: String, message: String) async throws {
        try await withButler { client in
            let response = try await client.send(.post, "/v4/keyvalues/ns", json: body)
            #expect(response.status == .badRequest)
            #expect(response.json == butlerError(400, "Bad Request", message, code: "FST_ERR_VALIDATION"))
            #expect(try await client.send(.get, "/v4/keyvaluesnamespaces").json == [])
        }
    }

    // B05 and the "Required parameter is missing" cases; nothing is created.
    @Test(arguments: [#"{"key":"k"}"#, #"{"value":"v"}"#, #"{"key":"","value":"v"}"#, "{}"])
    func missingKeyOrValue(body: String) async throws {
        try await withButler { client in
            let response = try await client.send(.post, "/v4/keyvalues/ns-b", json: body)
            #expect(response.json == butlerError(400, "Bad Request", "Required parameter is missing"))
            #expect(try await client.send(.get, "/v4/keyvaluesnamespaces").json == [])
        }
    }

    @Test func emptyValueAndCoercedTypes() async throws {
        try await withButler { client in
            let empty = try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":"k","value":""}"#)
            #expect(empty.status == .created)
            #expect(try await client.send(.get, "/v4/keyvalues/ns?key=k").json == ["namespace": "ns", "key": "k", "value": ""])
            let numbers = try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":123,"value":12345.789,"ttl":"0"}"#)
            #expect(numbers.json == ["namespace": "ns", "key": "123", "value": "12345.789", "ttl": 0])
            let flag = try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":"b","value":true}"#)
            #expect(flag.json == ["namespace": "ns", "key": "b", "value": "true", "ttl": 0])
        }
    }

    // B07
    @Test func maxKeysPerNamespaceIsEnforced() async throws {
        try await withButler(.forTests(maxKeysPerNamespace: 2)) { client in
            #expect(try await client.send(.post, "/v4/keyvalues/ns-c", json: #"{"key":"k1","value":"1"}"#).status == .created)
            #expect(try await client.send(.post, "/v4/keyvalues/ns-c", json: #"{"key":"k2","value":"2"}"#).status == .created)
            let third = try await client.send(.post, "/v4/keyvalues/ns-c", json: #"{"key":"k3","value":"3"}"#)
            #expect(third.json == butlerError(
                400, "Bad Request",
                "Namespace 'ns-c' already holds the maximum of 2 keys (Butler.keyValueStore.maxKeysPerNamespace)"))
            #expect(try await client.send(.post, "/v4/keyvalues/ns-c", json: #"{"key":"k2","value":"two"}"#).status == .created)
            #expect(try await client.send(.get, "/v4/keylist/ns-c").json == ["namespace": "ns-c", "keys": [["key": "k1"], ["key": "k2"]]])
            #expect(try await client.send(.get, "/v4/keyvalues/ns-c?key=k2").json == ["namespace": "ns-c", "key": "k2", "value": "two"])
        }
    }

    // B08: a bodyless override-DELETE with a JSON content type.
    @Test func bodylessDeleteWithJSONContentType() async throws {
        try await withButler { client in
            try await client.send(.post, "/v4/keyvalues/ns-a", json: #"{"key":"k1","value":"v1"}"#)
            let response = try await client.send(
                .post, "/v4/keyvalues/ns-a/k1",
                headers: [.contentType: "application/json", HTTPField.Name("X-HTTP-Method-Override")!: "DELETE"])
            #expect(response.status == .noContent)
            #expect(try await client.send(.get, "/v4/keylist/ns-a").json == ["namespace": "ns-a", "keys": []])
            let plain = try await client.send(.delete, "/v4/keyvalues/ns-a", headers: [.contentType: "application/json"])
            #expect(plain.status == .noContent)
        }
    }

    @Test func namespacesAndKeysKeepTheirOrder() async throws {
        try await withButler { client in
            for (namespace, key) in [("b", "2"), ("a", "x"), ("b", "1"), ("b", "2")] {
                try await client.send(.post, "/v4/keyvalues/\(namespace)", json: #"{"key":"\#(key)","value":"v"}"#)
            }
            #expect(try await client.send(.get, "/v4/keyvaluesnamespaces").json == ["b", "a"])
            #expect(try await client.send(.get, "/v4/keylist/b").json == ["namespace": "b", "keys": [["key": "2"], ["key": "1"]]])
        }
    }

    @Test func encodedAndSpecialNames() async throws {
        try await withButler { client in
            let created = try await client.send(.post, "/v4/keyvalues/a%3Ab%2Fc", json: #"{"key":"x:y","value":"\"quoted\"\n"}"#)
            #expect(created.json == ["namespace": "a:b/c", "key": "x:y", "value": "\"quoted\"\n", "ttl": 0])
            #expect(try await client.send(.get, "/v4/keylist/a%3Ab%2Fc").json == ["namespace": "a:b/c", "keys": [["key": "x:y"]]])
            #expect(try await client.send(.get, "/v4/keyvalues/a%3Ab%2Fc?key=x%3Ay").json
                == ["namespace": "a:b/c", "key": "x:y", "value": "\"quoted\"\n"])
            // A key literally named "keyexists" can be deleted too.
            try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":"keyexists","value":"v"}"#)
            #expect(try await client.send(.delete, "/v4/keyvalues/ns/keyexists").status == .noContent)
            #expect(try await client.send(.get, "/v4/keylist/ns").json == ["namespace": "ns", "keys": []])
        }
    }

    @Test func durableStoreBehindTheRoutes() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("butler-routes-\(UUID().uuidString)/b.sqlite").path
        var config = ButlerConfig.forTests()
        config.database.file = path
        try await withButler(config, store: nil) { client in
            let created = try await client.send(.post, "/v4/keyvalues/ns", json: #"{"key":"k","value":"v"}"#)
            #expect(created.status == .created)
        }
        try await withButler(config, store: nil) { client in
            let pair = try await client.send(.get, "/v4/keyvalues/ns?key=k")
            #expect(pair.json == ["namespace": "ns", "key": "k", "value": "v"])
        }
    }
}

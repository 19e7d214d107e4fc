import ButlerCore
import ButlerServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Found by the fuzz run (Tests/EndToEndTests/FuzzTests.swift): decoding a body cost about the square of
/// its nesting depth, so a 3 KB body of 512 nested objects held a core for over a second (debug build)
/// and a few of them stalled every route. Bodies nested deeper than `JSONValue.maxNestingDepth` (64) are
/// now refused before decoding, on every route that reads a body.
@Suite("Deeply nested request bodies")
struct DeepNestingTests {
    static func nested(_ depth: Int, object: Bool) -> String {
        object ? String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
            : String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
    }

    static let refused = butlerError(400, "Bad Request", "Body is nested deeper than 64 levels", code: "FST_ERR_CTP_INVALID_JSON_BODY")

    @Test func sixtyFiveLevelsAreRefusedAndNothingIsStored() async throws {
        try await withButler { client in
            for object in [true, false] {
                // The body object is level 1, so 64 more levels inside a field make 65.
                let body = #"{"key":"k","value":"v","extra":\#(Self.nested(64, object: object))}"#
                let response = try await client.send(.post, "/v4/keyvalues/ns-deep", json: body)
                #expect(response.status == .badRequest)
                #expect(response.json == Self.refused)
            }
            #expect(try await client.send(.get, "/v4/keyvaluesnamespaces").json == [])
        }
    }

    @Test func sixtyFourLevelsAndBracketsInStringsAreFine() async throws {
        try await withButler { client in
            let body = #"{"key":"k","value":"v","extra":\#(Self.nested(63, object: true))}"#
            #expect(try await client.send(.post, "/v4/keyvalues/ns-deep", json: body).status == .created)
            // Brackets inside strings, an escaped quote and backslash before them, don't nest anything.
            let value = #"\"\\"# + String(repeating: "[{", count: 200)
            let created = try await client.send(.post, "/v4/keyvalues/ns-deep", json: #"{"key":"k2","value":"\#(value)"}"#)
            #expect(created.status == .created)
            #expect(created.json?["value"] == .string(#""\"# + String(repeating: "[{", count: 200)))
        }
    }

    // The whole class: every route that reads a body, at the depth the fuzz run found (512) and at 10,000.
    @Test func everyBodyRouteRefusesDeepBodies() async throws {
        let routes: [(HTTPRequest.Method, String)] = [
            (.post, "/v4/keyvalues/ns"), (.put, "/v4/reloadtask/-/start"), (.post, "/v4/reloadtask/-/start"),
            (.put, "/v4/app/210832b5-6174-4572-bd19-3e61eda675ef/reload"), (.put, "/v4/mqttpublishmessage"),
            (.put, "/v4/slackpostmessage"), (.post, "/v4/newrelic/event"), (.post, "/v4/newrelic/metric"),
        ]
        try await withButler { client in
            for (method, path) in routes {
                for depth in [512, 10_000] {
                    let response = try await client.send(method, path, json: Self.nested(depth, object: depth == 512))
                    #expect(response.json == Self.refused, "\(method) \(path) at depth \(depth)")
                }
            }
        }
    }
}

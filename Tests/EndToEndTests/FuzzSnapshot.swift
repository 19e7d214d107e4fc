import Foundation

/// What Butler reports holding, read through its own API: every schedule (its stored fields) and every
/// key-value pair, to compare before and after a restart.
struct FuzzSnapshot {
    /// Schedule id → its fields as canonical JSON, without the ones that change with time or state
    /// (`lastKnownState`, `nextRunTime`, `lastRun`).
    var schedules: [String: String] = [:]
    /// `namespace + NUL + key` → value, for every key `keylist` names. A key too long to name in a request
    /// line (the store takes keys up to the body limit) maps to `<GET answered N>`.
    var pairs: [String: String] = [:]

    static func take(client: KeepAliveClient, port: Int) throws -> FuzzSnapshot {
        var snapshot = FuzzSnapshot()
        let all = try client.send(FuzzTests.get("/v4/schedules", port: port))
        guard all.status == 200, let list = try JSONSerialization.jsonObject(with: Data(all.body)) as? [[String: Any]] else {
            throw FuzzSnapshotError.unexpected("GET /v4/schedules", all.status, all.bodyText)
        }
        for var schedule in list {
            guard let id = schedule["id"] as? String else { continue }
            for volatile in ["lastKnownState", "nextRunTime", "lastRun"] { schedule[volatile] = nil }
            let canonical = try JSONSerialization.data(withJSONObject: schedule, options: [.sortedKeys])
            snapshot.schedules[id] = String(decoding: canonical, as: UTF8.self)
        }
        let namespacesResponse = try client.send(FuzzTests.get("/v4/keyvaluesnamespaces", port: port))
        guard namespacesResponse.status == 200, let namespaces = try JSONSerialization.jsonObject(with: Data(namespacesResponse.body)) as? [String] else {
            throw FuzzSnapshotError.unexpected("GET /v4/keyvaluesnamespaces", namespacesResponse.status, namespacesResponse.bodyText)
        }
        for namespace in namespaces {
            let encoded = String(decoding: Draft.percentEncoded(Array(namespace.utf8)), as: UTF8.self)
            let list = try client.send(FuzzTests.get("/v4/keylist/\(encoded)", port: port))
            guard list.status == 200, let object = try JSONSerialization.jsonObject(with: Data(list.body)) as? [String: Any],
                let keys = object["keys"] as? [[String: String]] else {
                throw FuzzSnapshotError.unexpected("GET /v4/keylist/\(encoded)", list.status, list.bodyText)
            }
            for key in keys.compactMap({ $0["key"] }) {
                let encodedKey = String(decoding: Draft.percentEncoded(Array(key.utf8)), as: UTF8.self)
                let pair: RawResponse
                do {
                    pair = try client.send(FuzzTests.get("/v4/keyvalues/\(encoded)?key=\(encodedKey)", port: port))
                } catch {
                    snapshot.pairs[namespace + "\u{0}" + key] = "<GET unanswered>"
                    continue
                }
                guard pair.status == 200 else {
                    snapshot.pairs[namespace + "\u{0}" + key] = "<GET answered \(pair.status)>"
                    continue
                }
                let value = (try JSONSerialization.jsonObject(with: Data(pair.body)) as? [String: Any])?["value"] as? String
                snapshot.pairs[namespace + "\u{0}" + key] = value ?? "<not a string: \(pair.bodyText.prefix(100))>"
            }
        }
        return snapshot
    }

    /// The entries that differ, first ten.
    static func difference(_ before: [String: String], _ after: [String: String]) -> String {
        let keys = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted().prefix(10)
        return keys.map { "\($0.debugDescription): \(before[$0]?.prefix(300).debugDescription ?? "absent") → \(after[$0]?.prefix(300).debugDescription ?? "absent")" }
            .joined(separator: "\n")
    }
}

enum FuzzSnapshotError: Error, CustomStringConvertible {
    case unexpected(String, Int, String)

    var description: String {
        switch self {
        case .unexpected(let request, let status, let body): "\(request) answered \(status): \(body.prefix(500))"
        }
    }
}

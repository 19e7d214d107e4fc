import Foundation

/// What the fuzz run saw, collected from all workers: failures (with replay labels), status counts per
/// route, and the writes Butler acknowledged, so the restart check knows what must still be there.
final class FuzzLedger: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var failures: [String] = []
    private(set) var failureCount = 0
    /// Route index → status → count (0 = no answer).
    private(set) var statuses: [Int: [Int: Int]] = [:]
    /// Schedule ids answered 201 (server-made UUIDs no fuzz request can name, so none can be deleted).
    private(set) var acknowledgedSchedules: Set<String> = []
    /// `namespace` → keys answered 201 with ttl 0.
    private(set) var acknowledgedPairs: [String: Set<String>] = [:]
    /// Namespaces a DELETE was answered 204 for (their pairs may be gone), and pairs with a ttl (may expire).
    private(set) var touchedNamespaces: Set<String> = []
    private(set) var expiringPairs: Set<String> = []
    let seed: UInt64

    init(seed: UInt64) { self.seed = seed }

    static let maxReported = 40

    func record(_ fuzzCase: FuzzCase, _ response: RawResponse?, problem: String?) {
        lock.lock()
        defer { lock.unlock() }
        statuses[fuzzCase.routeIndex, default: [:]][response?.status ?? 0, default: 0] += 1
        if let problem {
            failureCount += 1
            if failures.count < Self.maxReported {
                let answer = response.map { "\($0.status) \(FuzzGenerator.printable($0.body, limit: 400))" } ?? "no response"
                failures.append("""
                    \(problem) — \(fuzzCase.label(seed: seed)); replay: FUZZ_SEED=\(seed) FUZZ_CASE=\(fuzzCase.routeIndex):\(fuzzCase.index) swift test --filter FuzzTests
                      request:  \(fuzzCase.printable(limit: 600))
                      response: \(answer)
                    """)
            }
        }
        guard let response, (200..<300).contains(response.status) else { return }
        noteWrite(fuzzCase, response)
    }

    private func noteWrite(_ fuzzCase: FuzzCase, _ response: RawResponse) {
        let template = fuzzCase.route.template
        let method = effectiveMethod(fuzzCase)
        if template == "/v4/schedules", method == "POST", response.status == 201,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any], let id = object["id"] as? String {
            acknowledgedSchedules.insert(id)
        }
        if template == "/v4/keyvalues/{namespace}", method == "POST", response.status == 201,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let namespace = object["namespace"] as? String, let key = object["key"] as? String {
            if (object["ttl"] as? Int ?? 0) == 0 {
                acknowledgedPairs[namespace, default: []].insert(key)
            } else {
                expiringPairs.insert(namespace + "\u{0}" + key)
            }
        }
        if template.hasPrefix("/v4/keyvalues/"), method == "DELETE" {
            if let namespace = fuzzCase.decodedParameters.first { touchedNamespaces.insert(namespace) }
            // A path suffix or an empty parameter moves the segments (`/v4/keyvalues//..`): the namespace is
            // whatever the router saw in the third non-empty segment.
            if let namespace = Self.routedSegment(2, of: fuzzCase.wire) { touchedNamespaces.insert(namespace) }
        }
    }

    /// The `index`-th non-empty segment of the request's path, percent-decoded as Butler decodes parameters.
    static func routedSegment(_ index: Int, of wire: [UInt8]) -> String? {
        let line = String(decoding: wire.prefix { $0 != 13 }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2 else { return nil }
        let path = parts[1].split(separator: "?", maxSplits: 1).first ?? ""
        let segments = path.split(separator: "/")
        guard segments.count > index else { return nil }
        let segment = String(segments[index])
        return segment.removingPercentEncoding ?? segment
    }

    /// The method Butler routed on: POST with a valid `X-HTTP-Method-Override` becomes that method.
    private func effectiveMethod(_ fuzzCase: FuzzCase) -> String {
        guard fuzzCase.method == "POST" else { return fuzzCase.method }
        let head = String(decoding: fuzzCase.wire.prefix(70_000), as: UTF8.self).lowercased()
        for line in head.components(separatedBy: "\r\n") where line.hasPrefix("x-http-method-override:") {
            let value = line.dropFirst("x-http-method-override:".count).trimmingCharacters(in: .whitespaces).uppercased()
            if ["GET", "PUT", "DELETE", "PATCH", "POST"].contains(value) { return value }
        }
        return "POST"
    }

    /// One line per route: how many cases, and the statuses seen.
    func summary() -> String {
        lock.lock()
        defer { lock.unlock() }
        return FuzzRoutes.all.enumerated().map { index, route in
            let counts = statuses[index] ?? [:]
            let total = counts.values.reduce(0, +)
            let detail = counts.keys.sorted().map { "\($0 == 0 ? "none" : String($0))×\(counts[$0]!)" }.joined(separator: " ")
            return "\(route): \(total) cases, \(detail)"
        }.joined(separator: "\n")
    }

    func cases(route: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return statuses[route]?.values.reduce(0, +) ?? 0
    }
}

/// The next case to send, shared by the workers.
final class FuzzCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

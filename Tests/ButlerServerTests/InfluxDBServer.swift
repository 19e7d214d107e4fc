import ButlerCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real InfluxDB 1.x (Debian's `influxdb`, installed by scripts/setup.sh) on free loopback ports, with its
/// data in a temporary directory; killed when stopped or released.
final class InfluxDBServer: @unchecked Sendable {
    let port: Int
    let directory: URL
    private var process: Process?

    init() throws {
        port = RawConnection.freePort()
        let rpc = RawConnection.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("butler-influx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = """
            reporting-disabled = true
            bind-address = "127.0.0.1:\(rpc)"
            [meta]
              dir = "\(directory.path)/meta"
            [data]
              dir = "\(directory.path)/data"
              wal-dir = "\(directory.path)/wal"
              query-log-enabled = false
            [http]
              bind-address = "127.0.0.1:\(port)"
              log-enabled = false
            [monitor]
              store-enabled = false
            """
        try config.write(to: directory.appendingPathComponent("influxdb.conf"), atomically: true, encoding: .utf8)
    }

    /// Starts the server and waits (up to 15 s) until it answers `/ping`.
    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/influxd")
        process.arguments = ["-config", directory.appendingPathComponent("influxdb.conf").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let (_, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/ping")!),
                (response as? HTTPURLResponse)?.statusCode == 204 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The rows of an InfluxQL query: each row as column name → value.
    func query(_ statement: String, database: String = "butler") async throws -> [[String: JSONValue]] {
        var components = URLComponents(string: "http://127.0.0.1:\(port)/query")!
        components.queryItems = [URLQueryItem(name: "db", value: database), URLQueryItem(name: "q", value: statement)]
        let (data, _) = try await URLSession.shared.data(from: components.url!)
        let result = try JSONDecoder().decode(JSONValue.self, from: data)
        guard let series = result["results"]?[0]?["series"]?[0], let columns = series["columns"]?.arrayValue,
            let values = series["values"]?.arrayValue
        else { return [] }
        return values.map { row in
            Dictionary(uniqueKeysWithValues: zip(columns.compactMap(\.stringValue), row.arrayValue ?? []))
        }
    }

    /// The rows of `SELECT * FROM <measurement>` once `count` of them carry a value in every column of
    /// `fields`, or, after `timeout`, the rows as they were last read (so the test's expectations show
    /// what was missing).
    ///
    /// Waiting for "some row" is not enough: InfluxDB 1.x makes a point visible to queries before all of
    /// its fields are stored (each field is a series of its own, written to the cache one after the other),
    /// so a query that races the write sees the point with some fields null. The point is complete once the
    /// write is acknowledged, and Butler signals nothing the test could wait on instead, so this polls for
    /// the condition itself.
    func points(in measurement: String, count: Int = 1, withFields fields: [String],
                timeout: Duration = .seconds(10)) async throws -> [[String: JSONValue]] {
        func complete(_ row: [String: JSONValue]) -> Bool { fields.allSatisfy { (row[$0] ?? .null) != .null } }
        let deadline = ContinuousClock.now + timeout
        while true {
            let rows = try await query("SELECT * FROM \"\(measurement)\"")
            if rows.filter(complete).count >= count || ContinuousClock.now >= deadline { return rows }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

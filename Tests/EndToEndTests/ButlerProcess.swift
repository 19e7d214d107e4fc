import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The built `butler` binary, run as a separate process on a free loopback port with a temp config.
final class ButlerProcess: @unchecked Sendable {
    let port: Int
    let directory: URL
    private var process: Process?

    /// The `butler` executable next to the test bundle (or `$BUTLER_BINARY`).
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["BUTLER_BINARY"] { return URL(fileURLWithPath: path) }
        return Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("butler")
    }

    /// Writes `butler.yaml` into a new temp directory: REST on `port`, every issue-2 route on,
    /// the database in the temp directory.
    /// - Parameters:
    ///   - restServerConfig: lines added under `restServerConfig` (indented by 4 spaces).
    ///   - endpoints: switches turned on besides the key-value store, ping, base conversion and endpoint list.
    ///   - extraConfig: lines added under `Butler` (indented by 2 spaces).
    init(restServerConfig: String = "", endpoints: [String] = [], extraConfig: String = "") throws {
        port = try Self.freePort()
        directory = Self.makeDirectory()
        let config = """
            Butler:
              logLevel: warn
              restServerConfig:
                enable: true
                serverHost: 127.0.0.1
                serverPort: \(port)
            \(restServerConfig)
              restServerEndpointsEnable:
                apiListEnabledEndpoints: true
                base62ToBase16: true
                base16ToBase62: true
                butlerping: true
                keyValueStore: true
            \(endpoints.map { "    \($0): true" }.joined(separator: "\n"))
              database:
                file: \(directory.appendingPathComponent("data/butler.sqlite").path)
            \(extraConfig)
            """
        try config.write(to: configURL, atomically: true, encoding: .utf8)
    }

    static func makeDirectory() -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("butler-e2e-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    var configURL: URL { directory.appendingPathComponent("butler.yaml") }

    /// Starts `butler -c <config> <arguments>` and waits until `/v4/butlerping` answers over HTTP.
    func start(_ arguments: [String] = ["--api-rate-limit", "0"]) async throws {
        try launch(arguments)
        for _ in 0..<200 {
            if (try? await request("GET", "/v4/butlerping").status) == 200 { return }
            guard process?.isRunning == true else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ButlerProcessError.didNotStart(output())
    }

    /// Starts `butler -c <config> <arguments>` without waiting for it.
    func launch(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["-c", configURL.path] + arguments
        process.currentDirectoryURL = directory
        // Output goes to a file, so a chatty process can never block on a full pipe.
        if !FileManager.default.fileExists(atPath: outputURL.path) {
            _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: outputURL)
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
    }

    /// Runs `butler <arguments>` to its end (for start-ups that must fail); returns the exit status and
    /// what it wrote to standard error.
    static func runToCompletion(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let result = try runCommand(arguments)
        return (result.status, result.stderr)
    }

    /// Runs `butler <arguments>` to its end; returns the exit status and both outputs.
    static func runCommand(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let stderr = Pipe(), stdout = Pipe()
        process.standardError = stderr
        process.standardOutput = stdout
        try process.run()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output, message)
    }

    /// Kills the process with SIGKILL: no shutdown code runs.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops the process with SIGTERM and waits for it.
    func stop() -> Int32 {
        guard let process else { return -1 }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    var outputURL: URL { directory.appendingPathComponent("butler.out") }

    /// What the process printed (both streams).
    func output() -> String {
        (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
    }

    /// Sends one request and returns the status and body.
    func request(_ method: String, _ path: String, json: String? = nil) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 5
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ButlerProcessError.noFreePort }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

enum ButlerProcessError: Error {
    case didNotStart(String)
    case noFreePort
}

import ButlerCore
import ButlerServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Request deadlines and the connection cap (`restServerConfig.maxConnections`): slow or piled-up
/// clients can't hold the REST server. Deadlines are shortened here (they are 10 s and 30 s by default).
@Suite("Connection limits: request deadlines and maxConnections", .serialized)
struct ConnectionLimitTests {
    /// Open TCP connections to 127.0.0.1:`port`.
    final class Connections: @unchecked Sendable {
        var descriptors: [Int32] = []

        init(count: Int, port: Int) throws {
            descriptors = try (0..<count).map { _ in try RawConnection.connected(port: port) }
        }

        deinit { for fd in descriptors { close(fd) } }

        /// Sends a keep-alive `GET /v4/butlerping` on each connection and waits for the start of its
        /// answer (so the server has taken each connection in); the status line of each.
        func ping() -> [String] {
            descriptors.map { fd in
                var timeout = timeval(tv_sec: 5, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                _ = "GET /v4/butlerping HTTP/1.1\r\nHost: localhost\r\n\r\n".withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(fd, &buffer, buffer.count, 0)
                return String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self).components(separatedBy: "\r\n").first ?? ""
            }
        }

        /// Whether the server has closed `fd` (end of stream or reset), without blocking.
        static func isClosedByServer(_ fd: Int32) -> Bool {
            var byte: UInt8 = 0
            let count = recv(fd, &byte, 1, Int32(MSG_DONTWAIT))
            return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        }

        /// Sends one byte of `text` every `interval` on every connection still open, until all are closed
        /// or `limit` passes; returns how long each stayed open.
        func trickle(_ text: String, every interval: Duration, limit: Duration) async -> [Duration?] {
            let bytes = Array(text.utf8)
            let start = ContinuousClock.now
            var closedAfter = [Duration?](repeating: nil, count: descriptors.count)
            var position = 0
            while closedAfter.contains(where: { $0 == nil }), ContinuousClock.now - start < limit {
                for (index, fd) in descriptors.enumerated() where closedAfter[index] == nil {
                    if Self.isClosedByServer(fd) {
                        closedAfter[index] = ContinuousClock.now - start
                    } else {
                        var byte = bytes[position % bytes.count]
                        _ = send(fd, &byte, 1, Int32(MSG_NOSIGNAL))
                    }
                }
                position += 1
                try? await Task.sleep(for: interval)
            }
            return closedAfter
        }
    }

    static let shortDeadlines: (head: Duration, body: Duration) = (.milliseconds(1500), .milliseconds(1500))

    // The issue's trigger, scaled down: 50 connections trickling a head byte by byte are closed at the
    // head deadline (an idle timer would never fire), and a normal request is served meanwhile.
    @Test func tricklingHeadsAreClosedAtTheDeadline() async throws {
        try await withButler(testing: .live, requestDeadlines: Self.shortDeadlines) { client async throws in
            let port = try #require(client.port)
            let connections = try Connections(count: 50, port: port)
            async let trickled = connections.trickle("GET /v4/butlerping HTTP/1.1\r\nX-Padding: " + String(repeating: "a", count: 1000),
                every: .milliseconds(200), limit: .seconds(15))
            let normal = try await Task.detached { try RawConnection.sendAndReadUntilClosed(port: port,
                "GET /v4/butlerping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n") }.value
            #expect(normal.hasPrefix("HTTP/1.1 200"))
            let closedAfter = await trickled
            for (index, duration) in closedAfter.enumerated() {
                let duration = try #require(duration, "connection \(index) was never closed")
                #expect(duration >= .milliseconds(1300) && duration < .seconds(5), "connection \(index) closed after \(duration)")
            }
        }
    }

    @Test func tricklingBodiesAreClosedAtTheDeadline() async throws {
        try await withButler(testing: .live, requestDeadlines: Self.shortDeadlines) { client async throws in
            let port = try #require(client.port)
            let connections = try Connections(count: 10, port: port)
            let head = "POST /v4/keyvalues/ns HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            for fd in connections.descriptors { _ = head.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
            let closedAfter = await connections.trickle(" ", every: .milliseconds(200), limit: .seconds(15))
            for duration in closedAfter {
                let duration = try #require(duration)
                #expect(duration >= .milliseconds(1300) && duration < .seconds(5), "closed after \(duration)")
            }
            let namespaces = try await Task.detached { try RawConnection.sendAndReadUntilClosed(port: port,
                "GET /v4/keyvaluesnamespaces HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n") }.value
            #expect(namespaces.hasSuffix("\r\n\r\n[]"))
        }
    }

    // A request that takes longer than the deadlines to answer is not cut off: deadlines stop at the body's end.
    @Test func aKeepAliveConnectionServesRequestsBackToBack() async throws {
        try await withButler(testing: .live, requestDeadlines: Self.shortDeadlines) { client async throws in
            for _ in 0..<3 {
                #expect(try await client.send(.get, "/v4/butlerping").status == .ok)
            }
        }
    }

    // Attack finding F2: the head deadline ran from the first response's end, so a request pipelined
    // behind it that takes longer than the deadline (Slack not answering) was cut off unanswered.
    @Test func aRequestPipelinedBehindAnotherIsAnsweredAfterTheHeadDeadline() async throws {
        let slack = try SilentListener()
        var config = ButlerConfig.forTests()
        config.slack.restMessageWebhookURL = "http://127.0.0.1:\(slack.port)/services/T/B/secret"
        try await withButler(config, testing: .live, outboundTimeout: .seconds(3), requestDeadlines: Self.shortDeadlines) { client async throws in
            let port = try #require(client.port)
            let body = ##"{"channel":"#c","from_user":"b","msg":"m"}"##
            let answer = try await Task.detached { try RawConnection.sendAndReadUntilClosed(port: port,
                "GET /v4/butlerping HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "PUT /v4/slackpostmessage HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)") }.value
            #expect(answer.hasPrefix("HTTP/1.1 200 OK"))
            #expect(answer.contains("HTTP/1.1 503 Service Unavailable"), "\(answer)")
        }
    }

    // Attack finding F2: a large answer to a client that reads slowly was cut off by the next head's
    // deadline, which started when the response was handed to the network layer, not when it had gone out.
    @Test func aSlowReaderGetsEveryByteOfLargeAnswers() async throws {
        try await withButler(testing: .live, requestDeadlines: Self.shortDeadlines) { client async throws in
            let port = try #require(client.port)
            let value = String(repeating: "v", count: 900_000)
            #expect(try await client.send(.post, "/v4/keyvalues/big", json: #"{"key":"k","value":"\#(value)"}"#).status == .created)
            let fd = try RawConnection.connected(port: port)
            defer { close(fd) }
            let request = "GET /v4/keyvalues/big?key=k HTTP/1.1\r\nHost: localhost\r\n\r\n"
            let requests = String(repeating: request, count: 7) + "GET /v4/keyvalues/big?key=k HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            _ = requests.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            // Read nothing for longer than the head deadline, then everything.
            try await Task.sleep(for: .milliseconds(2500))
            let received = await Task.detached { () -> Int in
                var total = 0
                var buffer = [UInt8](repeating: 0, count: 65536)
                var timeout = timeval(tv_sec: 10, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                while true {
                    let count = recv(fd, &buffer, buffer.count, 0)
                    if count <= 0 { break }
                    total += count
                }
                return total
            }.value
            #expect(received > 8 * 900_000, "received \(received) bytes")
        }
    }

    @Test func connectionsBeyondTheCapAreClosedAtOnce() async throws {
        var config = ButlerConfig.forTests()
        config.restServer.maxConnections = 5
        let log = LogCapture()
        try await withButler(config, testing: .live, logger: log.butlerLogger(level: .warning)) { client async throws in
            let port = try #require(client.port)
            // The test client holds one connection already; four more fill the cap.
            _ = try await client.send(.get, "/v4/butlerping")
            let held = try Connections(count: 4, port: port)
            #expect(held.ping() == Array(repeating: "HTTP/1.1 200 OK", count: 4))
            let excess = try Connections(count: 3, port: port)
            let closedAfter = await excess.trickle("G", every: .milliseconds(50), limit: .seconds(5))
            #expect(closedAfter.allSatisfy { $0 != nil && $0! < .seconds(2) }, "\(closedAfter)")
            #expect(held.descriptors.allSatisfy { !Connections.isClosedByServer($0) }, "\(held.descriptors.map(Connections.isClosedByServer))")
            #expect(try await client.send(.get, "/v4/butlerping").status == .ok)
            #expect(log.lines(containing: "5 connections are open (restServerConfig.maxConnections)").count >= 3)
            // Once some close, new connections are served again.
            for fd in held.descriptors { close(fd) }
            held.descriptors = []
            var answer = ""
            for _ in 0..<50 where !answer.hasPrefix("HTTP/1.1 200") {
                answer = try await Task.detached { try RawConnection.sendAndReadUntilClosed(port: port,
                    "GET /v4/butlerping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n") }.value
                if !answer.hasPrefix("HTTP/1.1 200") { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(answer.hasPrefix("HTTP/1.1 200"))
        }
    }
}

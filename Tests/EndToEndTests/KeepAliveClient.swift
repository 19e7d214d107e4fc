import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 response as read off the wire.
struct RawResponse: Sendable {
    let status: Int
    /// Header names in lower case; the last value wins.
    let headers: [String: String]
    let body: [UInt8]

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking HTTP/1.1 client over one keep-alive TCP connection to 127.0.0.1, for requests no HTTP
/// library will send: raw bytes in the request line, invalid UTF-8, odd methods and content types.
///
/// Reconnects when the server has closed the connection. Reads `Content-Length` and chunked bodies; a
/// response with neither is read until the server closes. Not thread-safe: one per worker.
final class KeepAliveClient {
    let port: Int
    let timeoutSeconds: Int
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    init(port: Int, timeoutSeconds: Int = 20) {
        self.port = port
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { disconnect() }

    func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
        buffer = []
    }

    /// Sends `request` (a whole HTTP/1.1 request, head and body) and reads one response.
    /// - Parameters:
    ///   - expectsBody: false for HEAD, whose response has a length but no body.
    ///   - thenClose: the request asked for `Connection: close`, so the connection is not used again.
    /// - Throws: `KeepAliveClientError` when the server doesn't answer (closed, reset or timed out).
    func send(_ request: [UInt8], expectsBody: Bool = true, thenClose: Bool = false) throws -> RawResponse {
        defer { if thenClose { disconnect() } }
        // A connection the server closed while idle is only noticed on use: retry once on a fresh one.
        let reused = fd >= 0
        do {
            return try attempt(request, expectsBody: expectsBody)
        } catch KeepAliveClientError.closedBeforeResponse where reused {
            disconnect()
            return try attempt(request, expectsBody: expectsBody)
        }
    }

    private func attempt(_ request: [UInt8], expectsBody: Bool) throws -> RawResponse {
        if fd < 0 { try connectSocket() }
        // A server may answer (413, 415) and close before it has read the whole body: a failed write is
        // not an error as long as a response can still be read.
        var written = 0
        while written < request.count {
            let count = request[written...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { break }
            written += count
        }
        do {
            let response = try readResponse(expectsBody: expectsBody)
            if response.headers["connection"]?.lowercased() == "close" || written < request.count { disconnect() }
            return response
        } catch {
            disconnect()
            throw error
        }
    }

    private func connectSocket() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var noDelay: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            disconnect()
            throw KeepAliveClientError.connectFailed
        }
    }

    /// Reads more bytes into `buffer`; false when the server closed the connection.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = recv(fd, &chunk, chunk.count, 0)
        if count > 0 {
            buffer += chunk[0..<count]
            return true
        }
        if count < 0, errno == EAGAIN || errno == EWOULDBLOCK { throw KeepAliveClientError.timedOut }
        return false
    }

    /// The next final response (1xx interim answers such as `100 Continue` are skipped).
    private func readResponse(expectsBody: Bool) throws -> RawResponse {
        while true {
            let response = try readOneResponse(expectsBody: expectsBody)
            if !(100..<200).contains(response.status) || response.status == 101 { return response }
        }
    }

    private func readOneResponse(expectsBody: Bool) throws -> RawResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.find(separator, in: buffer)
            if headEnd == nil, try !fill() {
                throw buffer.isEmpty ? KeepAliveClientError.closedBeforeResponse : KeepAliveClientError.truncated
            }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw KeepAliveClientError.malformed(head) }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard expectsBody, status >= 200, status != 204, status != 304 else { return RawResponse(status: status, headers: headers, body: []) }
        if let length = headers["content-length"].flatMap(Int.init) {
            while buffer.count < length { if try !fill() { throw KeepAliveClientError.truncated } }
            let body = Array(buffer[0..<length])
            buffer.removeFirst(length)
            return RawResponse(status: status, headers: headers, body: body)
        }
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            return RawResponse(status: status, headers: headers, body: try readChunked())
        }
        while try fill() {}
        defer { disconnect() }
        return RawResponse(status: status, headers: headers, body: buffer)
    }

    private func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            var lineEnd = Self.find([13, 10], in: buffer)
            while lineEnd == nil {
                if try !fill() { throw KeepAliveClientError.truncated }
                lineEnd = Self.find([13, 10], in: buffer)
            }
            let sizeText = String(decoding: buffer[0..<lineEnd!], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw KeepAliveClientError.malformed("chunk size \(sizeText)")
            }
            buffer.removeFirst(lineEnd! + 2)
            while buffer.count < size + 2 { if try !fill() { throw KeepAliveClientError.truncated } }
            body += buffer[0..<size]
            buffer.removeFirst(size + 2)
            if size == 0 { return body }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        outer: for start in 0...(haystack.count - needle.count) {
            for offset in 0..<needle.count where haystack[start + offset] != needle[offset] { continue outer }
            return start
        }
        return nil
    }
}

enum KeepAliveClientError: Error, CustomStringConvertible {
    case connectFailed
    case closedBeforeResponse
    case truncated
    case timedOut
    case malformed(String)

    var description: String {
        switch self {
        case .connectFailed: "connection refused"
        case .closedBeforeResponse: "the server closed the connection without answering"
        case .truncated: "the server closed the connection in the middle of a response"
        case .timedOut: "no answer within the timeout"
        case .malformed(let head): "malformed response head: \(head)"
        }
    }
}

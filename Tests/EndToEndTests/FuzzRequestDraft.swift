import Foundation

/// A request being put together by `FuzzGenerator`: starts as the route's valid request (its seed body,
/// its sample parameters) and is mutated part by part, then rendered to bytes by `build`.
struct Draft {
    let route: FuzzRoute
    var method: String
    /// Path parameter values, already percent-encoded (or deliberately not).
    var parameters: [[UInt8]]
    /// `name=value` pairs, already encoded.
    var query: [[UInt8]]
    var host: String?
    var contentType: [UInt8]?
    var headers: [(String, [UInt8])] = []
    var body: [UInt8]?
    /// The body as a tree, while it is one (mutations of a raw body start again from the seed).
    var json: FuzzJSON?
    /// Appended to the path (before the query): `/`, `/..`, `%00`, an extra segment.
    var pathSuffix: [UInt8] = []
    /// `/V4/BUTLERPING`: routes are case-sensitive, so this must be a clean 404.
    var uppercasePath = false
    var chunked = false
    var malformedHead = false

    init(route: FuzzRoute, port: Int) {
        self.route = route
        method = route.method
        parameters = route.parameters.map { Self.percentEncoded(Array($0.samples[0].utf8)) }
        query = route.query.map { Array("\($0.name)=".utf8) + Self.percentEncoded(Array($0.samples[0].utf8)) }
        host = "127.0.0.1:\(port)"
        if let seed = route.body { setBody(seed, route: route, confinement: nil) }
    }

    mutating func setBody(_ value: FuzzJSON, route: FuzzRoute, confinement: FuzzConfinement?) {
        let safe = confinement.map { Self.confined(value, route: route, confinement: $0) } ?? value
        json = safe
        body = safe.bytes
        if contentType == nil { contentType = Array("application/json".utf8) }
    }

    mutating func setRawBody(_ bytes: [UInt8]) {
        json = nil
        body = bytes
        if contentType == nil { contentType = Array("application/json".utf8) }
    }

    /// Every byte but RFC 3986's unreserved ones as `%XX`.
    static func percentEncoded(_ bytes: [UInt8]) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default: out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return out
    }

    /// The safety net of the file routes: a string that could name something outside the temp folder
    /// (more than two `..`, or an absolute path not below the temp folder, or one below it with `..` that
    /// isn't one of the vocabulary's own) is replaced by the route's sample path. Approved directories are
    /// two levels below the temp folder, so whatever Butler does with the rest, nothing outside it can be named.
    static func confined(_ value: FuzzJSON, route: FuzzRoute, confinement: FuzzConfinement) -> FuzzJSON {
        guard route.template.hasPrefix("/v4/file") || route.template.hasPrefix("/v4/createdir") else { return value }
        switch value {
        case .string(let raw):
            // `\/` is an escaped `/` in JSON.
            var content: [UInt8] = []
            var index = 0
            while index < raw.count {
                if raw[index] == UInt8(ascii: "\\"), index + 1 < raw.count, raw[index + 1] == UInt8(ascii: "/") {
                    content.append(UInt8(ascii: "/"))
                    index += 2
                } else {
                    content.append(raw[index])
                    index += 1
                }
            }
            let dots = zip(content, content.dropFirst()).filter { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") }.count
            let trimmed = content.drop { $0 <= 0x20 }
            let absolute = trimmed.first == UInt8(ascii: "/") || trimmed.first == UInt8(ascii: "\\") || trimmed.first == UInt8(ascii: "~")
                || content.contains(UInt8(ascii: "%"))
            let rooted = content.starts(with: Array(confinement.root.utf8))
            if dots > 2 || (absolute && !rooted) || (rooted && dots > 0 && !confinement.allowed.contains(raw)) {
                return .text("subfolder/file1.qvd")
            }
            return value
        case .array(let items): return .array(items.map { confined($0, route: route, confinement: confinement) })
        case .object(let members): return .object(members.map { ($0.key, confined($0.value, route: route, confinement: confinement)) })
        default: return value
        }
    }

    func build(routeIndex: Int, index: Int) -> FuzzCase {
        var path: [UInt8] = []
        var parameterIndex = 0
        var decoded: [String] = []
        for segment in route.template.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            path.append(UInt8(ascii: "/"))
            if segment.hasPrefix("{") {
                let value = parameters[parameterIndex]
                parameterIndex += 1
                path += value
                let text = String(decoding: value, as: UTF8.self)
                decoded.append(text.removingPercentEncoding ?? text)
            } else {
                path += Array(segment.utf8)
            }
        }
        path += pathSuffix
        if uppercasePath { path = path.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 } }
        if !query.isEmpty { path += [UInt8(ascii: "?")] + Array(query.joined(separator: [UInt8(ascii: "&")])) }

        var head = Array("\(method) ".utf8) + path + Array(" HTTP/1.1\r\n".utf8)
        if let host { head += Array("Host: \(host)\r\n".utf8) }
        if body != nil, let contentType { head += Array("Content-Type: ".utf8) + contentType + Array("\r\n".utf8) }
        for (name, value) in headers { head += Array("\(name): ".utf8) + value + Array("\r\n".utf8) }
        var wire = head
        if let body {
            if chunked {
                wire += Array("Transfer-Encoding: chunked\r\n\r\n".utf8)
                var offset = 0
                while offset < body.count {
                    let size = min(65_536, body.count - offset)
                    wire += Array("\(String(size, radix: 16))\r\n".utf8) + body[offset..<(offset + size)] + Array("\r\n".utf8)
                    offset += size
                }
                wire += Array("0\r\n\r\n".utf8)
            } else {
                wire += Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
            }
        } else {
            wire += Array("\r\n".utf8)
        }
        let oversizedHead = head.count > 60_000
        return FuzzCase(
            routeIndex: routeIndex, index: index, route: route, method: method, wire: wire,
            closesConnection: headers.contains { $0.0.lowercased() == "connection" && String(decoding: $0.1, as: UTF8.self).lowercased().contains("close") },
            malformedHead: malformedHead || oversizedHead, decodedParameters: decoded)
    }
}

/// Where the file routes' paths must stay: below `root`; `allowed` are the vocabulary's own paths below
/// it that use `..` on purpose (JSON string form).
struct FuzzConfinement {
    let root: String
    let allowed: Set<[UInt8]>
}

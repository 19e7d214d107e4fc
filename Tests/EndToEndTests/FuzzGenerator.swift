/// One generated request, with what the checks need to know about it.
struct FuzzCase: Sendable {
    let routeIndex: Int
    let index: Int
    let route: FuzzRoute
    /// The method on the request line.
    let method: String
    /// The whole request as sent.
    let wire: [UInt8]
    /// The request has `Connection: close`: the server closes the connection after answering.
    let closesConnection: Bool
    /// The head holds bytes an HTTP/1.1 parser may refuse before Butler sees the request (controls or
    /// non-ASCII in the request line or a header, an oversized head): then the connection may be closed
    /// or answered with a bare 400 instead of Butler's error shape.
    let malformedHead: Bool
    /// The path parameters as Butler will decode them (percent-decoding; the raw text if that fails).
    let decodedParameters: [String]

    /// `seed/route/index`, to replay with FUZZ_SEED and FUZZ_CASE.
    func label(seed: UInt64) -> String { "seed \(seed) case \(routeIndex):\(index) (\(route))" }

    /// The request, printable: non-printable bytes as `\xNN`, cut to `limit` bytes.
    func printable(limit: Int = 800) -> String { FuzzGenerator.printable(wire, limit: limit) }
}

/// Makes the fuzz cases: each is a pure function of (seed, route, index), so a failure can be replayed alone.
///
/// Case `index` mutates the part `index % 10` names (body type swaps, body strings, body numbers, body
/// size, body nesting, body structure, path parameters, query string, content type and method, other
/// headers), and about a third of the cases a second part too.
struct FuzzGenerator {
    let seed: UInt64
    let port: Int
    /// The temp folder: every absolute path the file routes are sent lies inside it.
    let root: String
    /// Paths (relative to an approved directory, or absolute inside `root`) to try on the file routes.
    let paths: [String]
    let confinement: FuzzConfinement
    /// Butler's body limit (1 MiB).
    static let bodyLimit = 1024 * 1024

    init(seed: UInt64, port: Int, root: String, paths: [String]) {
        self.seed = seed
        self.port = port
        self.root = root
        self.paths = paths
        confinement = FuzzConfinement(root: root, allowed: Set(paths.map { FuzzJSON.escaped($0) }))
    }

    func make(routeIndex: Int, index: Int) -> FuzzCase {
        var random = SplitMix64(seed: seed, route: routeIndex, index: index)
        let route = FuzzRoutes.all[routeIndex]
        var request = Draft(route: route, port: port)
        var parts = [index % 10]
        if random.chance(33) { parts.append(random.below(10)) }
        for part in parts { mutate(part: part, of: &request, route: route, random: &random) }
        return request.build(routeIndex: routeIndex, index: index)
    }

    private func mutate(part: Int, of request: inout Draft, route: FuzzRoute, random: inout SplitMix64) {
        let seedBody = request.json ?? route.body ?? ["value": "x"]
        switch part {
        case 0: request.setBody(typeSwapped(seedBody, random: &random, count: random.int(1...3)), route: route, confinement: confinement)
        case 1: request.setBody(stringsMutated(seedBody, random: &random), route: route, confinement: confinement)
        case 2: request.setBody(numbersMutated(seedBody, random: &random), route: route, confinement: confinement)
        case 3: sizeMutated(&request, seedBody, random: &random)
        case 4: request.setRawBody(nested(seedBody, random: &random))
        case 5: structureMutated(&request, seedBody, route: route, random: &random)
        case 6: pathMutated(&request, route: route, random: &random)
        case 7: queryMutated(&request, route: route, random: &random)
        case 8: methodOrContentTypeMutated(&request, route: route, random: &random)
        default: headersMutated(&request, random: &random)
        }
    }

    // MARK: Bodies

    /// `count` values of the tree replaced by a value of another type.
    func typeSwapped(_ json: FuzzJSON, random: inout SplitMix64, count: Int) -> FuzzJSON {
        var result = json
        for _ in 0..<count {
            result = result.replacing(at: random.below(result.size)) { _ in anyValue(random: &random, depth: 2) }
        }
        return result
    }

    /// A value of any type: null, a boolean, a number, a string, an array or an object.
    func anyValue(random: inout SplitMix64, depth: Int) -> FuzzJSON {
        switch random.below(depth > 0 ? 8 : 6) {
        case 0: return .null
        case 1: return .bool(random.chance(50))
        case 2: return .number(random.pick(FuzzVocabulary.numbers))
        case 3: return .text(random.pick(["true", "false", "1", "0", "", "null", "1500", "-1", "1e400"]))
        case 4: return .string(hostileString(random: &random))
        case 5: return .text(random.pick(paths))
        case 6: return .array((0..<random.below(4)).map { _ in anyValue(random: &random, depth: depth - 1) })
        default:
            return .object((0..<random.below(4)).map { _ in (hostileKey(random: &random), anyValue(random: &random, depth: depth - 1)) })
        }
    }

    /// Every string leaf with a chance of being mutated (and at least one when there is one).
    func stringsMutated(_ json: FuzzJSON, random: inout SplitMix64) -> FuzzJSON {
        var result = json
        for _ in 0..<random.int(1...3) {
            result = result.replacing(at: random.below(result.size)) { value in
                if case .string(let content) = value { return .string(mutatedString(content, random: &random)) }
                return .string(hostileString(random: &random))
            }
        }
        return result
    }

    /// JSON-form string content with hostile pieces spliced into `content`.
    func mutatedString(_ content: [UInt8], random: inout SplitMix64) -> [UInt8] {
        var result = content
        for _ in 0..<random.int(1...4) {
            let piece = hostileString(random: &random)
            let at = result.isEmpty ? 0 : random.below(result.count + 1)
            // Never split an escape sequence or a UTF-8 sequence of the sample: splice at ASCII boundaries.
            let safe = (0...at).reversed().first { $0 == 0 || $0 == result.count || (result[$0] < 0x80 && result[$0 - 1] != UInt8(ascii: "\\")) } ?? 0
            result.insert(contentsOf: piece, at: safe)
        }
        return result
    }

    /// Hostile string content in JSON form: Unicode, words, escapes, rarely raw bytes that make the
    /// document invalid (invalid UTF-8, a raw control character, an unescaped quote), repeated up to 1,000 times.
    func hostileString(random: inout SplitMix64) -> [UInt8] {
        let piece: [UInt8]
        switch random.below(10) {
        case 0...3: piece = FuzzJSON.escaped(random.pick(FuzzVocabulary.unicode))
        case 4...5: piece = FuzzJSON.escaped(random.pick(FuzzVocabulary.words))
        case 6...7: piece = Array(random.pick(FuzzVocabulary.jsonEscapes).utf8)
        case 8: piece = random.pick(FuzzVocabulary.invalidUTF8)
        default: piece = random.pick([[0x00], [0x01], [0x0A], [0x1F], [UInt8(ascii: "\"")], [UInt8(ascii: "\\")], [0x7F]])
        }
        let repeats = random.chance(15) ? random.pick([2, 10, 100, 1000]) : 1
        return Self.repeated(piece, times: repeats)
    }

    func hostileKey(random: inout SplitMix64) -> [UInt8] {
        random.chance(50)
            ? FuzzJSON.escaped(random.pick(["__proto__", "constructor", "id", "created", "lastKnownState", "nextRunTime", "lastRun", "", "a.b", "$where", "key", "value", "ttl", "tags"]))
            : hostileString(random: &random)
    }

    /// Number leaves (or any leaf) replaced by overflowing, underflowing or invalid literals.
    func numbersMutated(_ json: FuzzJSON, random: inout SplitMix64) -> FuzzJSON {
        var result = json
        for _ in 0..<random.int(1...3) {
            result = result.replacing(at: random.below(result.size)) { _ in
                random.chance(85) ? .number(random.pick(FuzzVocabulary.numbers)) : .number(random.pick(FuzzVocabulary.invalidNumbers))
            }
        }
        return result
    }

    /// No body, an empty or blank one, or a string near, at or over Butler's 1 MiB limit.
    func sizeMutated(_ request: inout Draft, _ json: FuzzJSON, random: inout SplitMix64) {
        switch random.below(16) {
        case 0: request.body = nil
        case 1: request.setRawBody([])
        case 2: request.setRawBody(Array(" \t\r\n ".utf8))
        case 3: request.setRawBody(Array("{}".utf8))
        case 4: request.setRawBody(Array("[]".utf8))
        case 5: request.setRawBody(padded(json, to: Self.bodyLimit - random.int(0...64), random: &random))
        case 6: request.setRawBody(padded(json, to: Self.bodyLimit + random.int(1...70_000), random: &random))
        case 7:
            // Over the limit without a Content-Length: the server must stop reading at the limit.
            request.setRawBody(padded(json, to: Self.bodyLimit + random.int(1...70_000), random: &random))
            request.chunked = true
        default: request.setRawBody(padded(json, to: random.pick([1_000, 10_000, 65_536, 100_000]), random: &random))
        }
    }

    /// `json` with one string leaf (or a new field) grown so the document is `size` bytes long.
    func padded(_ json: FuzzJSON, to size: Int, random: inout SplitMix64) -> [UInt8] {
        let filler = random.pick(["x", "é", "😀", "\\u0000", " "])
        let base = json.bytes.count
        let needed = max(0, size - base - 32)
        let content = Self.repeated(Array(filler.utf8), times: needed / filler.utf8.count)
        let grown: FuzzJSON
        if case .object(var members) = json, !members.isEmpty {
            let at = random.below(members.count)
            members[at].value = .string(content)
            grown = .object(members)
        } else {
            grown = .object([(FuzzJSON.escaped("padding"), .string(content))])
        }
        var bytes = grown.bytes
        // Whitespace makes up the rest exactly.
        if bytes.count < size { bytes.append(contentsOf: [UInt8](repeating: 0x20, count: size - bytes.count)) }
        return bytes
    }

    /// Deep nesting: 10,000 levels (closed or not), or a few hundred levels inside a field the route keeps.
    func nested(_ json: FuzzJSON, random: inout SplitMix64) -> [UInt8] {
        let depth = random.pick([10_000, 2_000, 600, 513, 512, 100, 30, 10])
        let (open, close): ([UInt8], [UInt8]) = random.chance(50) ? (Array("[".utf8), Array("]".utf8)) : (Array(#"{"a":"#.utf8), Array("}".utf8))
        var inner = Self.repeated(open, times: depth) + Array("1".utf8)
        if random.chance(85) { inner += Self.repeated(close, times: depth) }
        if random.chance(50), case .object(var members) = json, !members.isEmpty {
            members[random.below(members.count)].value = .raw(inner)
            if random.chance(50) { members.append((FuzzJSON.escaped("deep"), .raw(inner))) }
            return FuzzJSON.object(members).bytes
        }
        return inner
    }

    /// Fields removed, added or duplicated, the top level swapped, or a document that isn't JSON.
    func structureMutated(_ request: inout Draft, _ json: FuzzJSON, route: FuzzRoute, random: inout SplitMix64) {
        switch random.below(9) {
        case 0:
            if case .object(var members) = json, !members.isEmpty {
                members.remove(at: random.below(members.count))
                request.setBody(.object(members), route: route, confinement: confinement)
            } else { request.setBody(.object([]), route: route, confinement: confinement) }
        case 1:
            if case .object(var members) = json {
                for _ in 0..<random.int(1...20) { members.append((hostileKey(random: &random), anyValue(random: &random, depth: 2))) }
                request.setBody(.object(members), route: route, confinement: confinement)
            } else { request.setBody(.array([json, anyValue(random: &random, depth: 2)]), route: route, confinement: confinement) }
        case 2:
            // Duplicate keys: which one wins must not matter for safety.
            if case .object(let members) = json, let first = members.first {
                request.setBody(.object(members + [(first.key, anyValue(random: &random, depth: 1))]), route: route, confinement: confinement)
            } else { request.setBody(json, route: route, confinement: confinement) }
        case 3: request.setBody(random.chance(50) ? .array([json]) : ["items": json], route: route, confinement: confinement)
        case 4: request.setBody(anyValue(random: &random, depth: 0), route: route, confinement: confinement)
        case 5:
            let bytes = json.bytes
            request.setRawBody(Array(bytes.prefix(random.below(max(1, bytes.count)))))
        case 6:
            request.setRawBody(Array(random.pick([
                "key=a&value=b", "<xml/>", "{'key': 'a'}", "{\"a\":1,}", "{\"a\":1}garbage", "// c\n{}", "/* c */{}",
                "\u{feff}{}", "{\"a\" 1}", "{a:1}", "[1,2", "\"\\", "nul", "tru", "{\"a\":undefined}", "{\"a\":NaN}",
            ]).utf8))
        case 7:
            var bytes = json.bytes
            for _ in 0..<random.int(1...4) where !bytes.isEmpty { bytes[random.below(bytes.count)] = random.byte() }
            request.setRawBody(bytes)
        default:
            var bytes = json.bytes
            bytes.insert(contentsOf: random.pick(FuzzVocabulary.invalidUTF8), at: random.below(bytes.count + 1))
            request.setRawBody(bytes)
        }
    }

    // MARK: Path and query

    /// A path parameter or query value: hostile text, percent-encoded; sometimes percent garbage, very
    /// long, empty, or raw bytes left unencoded (then the head is malformed).
    func mutatedComponent(_ sample: String, random: inout SplitMix64, request: inout Draft) -> [UInt8] {
        var text = Array(sample.utf8)
        switch random.below(8) {
        case 0: text = Array(random.pick(FuzzVocabulary.words).utf8)
        case 1: text = []
        case 2: text = Array(String(repeating: random.pick(["a", "é", "😀", "%", "/"]), count: random.pick([300, 4_000])).utf8)
        default:
            for _ in 0..<random.int(1...3) {
                let piece: [UInt8] = random.chance(80) ? Array(random.pick(FuzzVocabulary.unicode).utf8) : random.pick(FuzzVocabulary.invalidUTF8)
                text.insert(contentsOf: piece, at: random.below(text.count + 1))
            }
        }
        var encoded = Draft.percentEncoded(text)
        if random.chance(40) {
            let garbage = Array(random.pick(FuzzVocabulary.percentGarbage).utf8)
            encoded.insert(contentsOf: garbage, at: random.below(encoded.count + 1))
        }
        if random.chance(5) {
            // Raw bytes in the request line: control, non-ASCII, space.
            let raw: [UInt8] = random.pick([[0x00], [0x7F], [0xC3, 0xA9], [0xFF], [0x20], [0x09], [UInt8(ascii: "#")]])
            encoded.insert(contentsOf: raw, at: random.below(encoded.count + 1))
            if raw != [UInt8(ascii: "#")] { request.malformedHead = true }
        }
        return encoded
    }

    /// Path parameters mutated (each with a chance), and sometimes the path itself: a suffix, case, dot segments.
    func pathMutated(_ request: inout Draft, route: FuzzRoute, random: inout SplitMix64) {
        for at in request.parameters.indices where random.chance(75) {
            let value = mutatedComponent(random.pick(route.parameters[at].samples), random: &random, request: &request)
            request.parameters[at] = value
        }
        if request.parameters.isEmpty || random.chance(20) {
            request.pathSuffix = Array(random.pick([
                "/", "//", "/.", "/..", "/%2e%2e", "/%2E", "%00", "%2F", ";a=b", "/extra", "/extra/more", ".json", "~", "%20",
                "/%C0%AF", "/%FF", "#frag",
            ]).utf8)
        }
        if random.chance(10) { request.uppercasePath = true }
    }

    func queryMutated(_ request: inout Draft, route: FuzzRoute, random: inout SplitMix64) {
        var pairs: [[UInt8]] = []
        for (name, samples) in route.query where random.chance(85) {
            let value = random.chance(80) ? mutatedComponent(random.pick(samples), random: &random, request: &request)
                : Draft.percentEncoded(Array(random.pick(samples).utf8))
            pairs.append(Array(name.utf8) + [UInt8(ascii: "=")] + value)
            if random.chance(15) { pairs.append(Array(name.utf8) + Array("=second".utf8)) }
        }
        for _ in 0..<random.below(4) {
            let name = random.chance(50) ? Array(random.pick(["key", "id", "base62", "base16", "", "__proto__", "key[]", "key[a]", "a.b"]).utf8)
                : mutatedComponent("x", random: &random, request: &request)
            pairs.append(name + (random.chance(80) ? [UInt8(ascii: "=")] + mutatedComponent("v", random: &random, request: &request) : []))
        }
        if random.chance(10) { pairs.append(Array(random.pick(["&&&", "=", "==", "&=&", "%", "?", "??key=1"]).utf8)) }
        if random.chance(5) { pairs.append(Array("pad=".utf8) + [UInt8](repeating: UInt8(ascii: "q"), count: random.pick([8_000, 30_000]))) }
        for at in stride(from: pairs.count - 1, to: 0, by: -1) { pairs.swapAt(at, random.below(at + 1)) }
        request.query = pairs
    }

    // MARK: Headers

    func methodOrContentTypeMutated(_ request: inout Draft, route: FuzzRoute, random: inout SplitMix64) {
        switch random.below(5) {
        case 0, 1:
            // Qlik's REST connector: POST with the real method in X-HTTP-Method-Override.
            request.method = "POST"
            let name = random.pick(["X-HTTP-Method-Override", "x-http-method-override", "X-HTTP-METHOD-OVERRIDE", "X-HTTP-Method", "X-Method-Override"])
            let value = random.chance(50) ? route.method : random.pick(FuzzVocabulary.methodOverrides)
            request.headers.append((name, Array(value.utf8)))
            if value.utf8.contains(where: { $0 >= 0x80 }) { request.malformedHead = true }
        case 2:
            request.method = random.pick(FuzzVocabulary.oddMethods)
            // Methods the HTTP/1.1 parser doesn't know are refused before Butler sees them.
            if !["HEAD", "OPTIONS", "PATCH", "TRACE", "M-SEARCH", "PROPFIND"].contains(request.method) { request.malformedHead = true }
        default:
            if request.body == nil { request.setBody(route.body ?? ["value": "x"], route: route, confinement: confinement) }
            let value = random.chance(10) ? Array("application/jso\u{f1}".utf8) : Array(random.pick(FuzzVocabulary.contentTypes).utf8)
            if value.contains(where: { $0 >= 0x80 }) { request.malformedHead = true }
            request.contentType = random.chance(10) ? nil : value
        }
    }

    func headersMutated(_ request: inout Draft, random: inout SplitMix64) {
        for _ in 0..<random.int(1...4) {
            switch random.below(9) {
            case 0: request.host = random.pick(["evil.example", "localhost:\(port)", "[::1]:\(port)", "127.0.0.1", "", "127.0.0.1:\(port).evil.example", "LOCALHOST:\(port)", "127.0.0.1:1"])
            case 1: request.host = nil
            case 2: request.headers.append(("Origin", Array(random.pick(["http://evil.example", "null", "http://127.0.0.1:\(port)", "http://localhost:\(port)", "file://", "http://127.0.0.1:\(port)@evil.example"]).utf8)))
            case 3: if request.body != nil { request.chunked = true }
            case 4: request.headers.append(("Connection", Array(random.pick(["close", "keep-alive", "upgrade", "Keep-Alive, TE"]).utf8)))
            case 5: request.headers.append(("Expect", Array("100-continue".utf8)))
            case 6:
                var value = Array(random.pick(FuzzVocabulary.headerValues).utf8)
                if random.chance(20) {
                    let bad: [UInt8] = random.pick([[0xC3, 0xA9], [0xFF], [0x01], [0x7F], [0x00]])
                    value += bad
                    request.malformedHead = true
                }
                request.headers.append((random.pick(FuzzVocabulary.extraHeaderNames), value))
            case 7:
                let name = String(repeating: random.pick(["X", "x-a", "_", "X-ü"]), count: random.pick([1, 50, 2_000]))
                if name.utf8.contains(where: { $0 >= 0x80 }) || name.contains("_") { request.malformedHead = true }
                request.headers.append((name, Array("v".utf8)))
            default:
                for index in 0..<random.pick([10, 100]) { request.headers.append(("X-Many-\(index)", Array("\(index)".utf8))) }
            }
        }
    }

    /// `unit` `times` times over, built by doubling (the tests run unoptimised, where byte loops are slow).
    static func repeated(_ unit: [UInt8], times: Int) -> [UInt8] {
        guard times > 0, !unit.isEmpty else { return [] }
        var result = unit
        while result.count * 2 <= unit.count * times { result += result }
        result += result[0..<(unit.count * times - result.count)]
        return result
    }

    /// `bytes` with non-printable bytes as `\xNN`, cut to `limit` bytes.
    static func printable(_ bytes: [UInt8], limit: Int) -> String {
        var text = ""
        for byte in bytes.prefix(limit) {
            switch byte {
            case 0x0A: text += "\\n\n"
            case 0x0D: text += "\\r"
            case 0x20..<0x7F: text.append(Character(UnicodeScalar(byte)))
            default: text += "\\x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        if bytes.count > limit { text += "… (\(bytes.count) bytes in all)" }
        return text
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

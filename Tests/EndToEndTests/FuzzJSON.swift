/// A JSON document for the fuzzer, kept as a tree so it can be mutated, and rendered to bytes by hand so
/// it can hold what no JSON encoder writes: invalid UTF-8, lone surrogate escapes, raw control
/// characters, `1e400`, duplicate keys. Object members keep their order (no `Dictionary`), so a seed
/// always renders the same bytes.
indirect enum FuzzJSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    case null
    case bool(Bool)
    /// The number's literal text, written as is (`-0`, `1e400`, 400 digits).
    case number(String)
    /// The string's content between the quotes, already in JSON form (escapes included), written as is.
    case string([UInt8])
    case array([FuzzJSON])
    case object([(key: [UInt8], value: FuzzJSON)])
    /// Bytes written as they are (deep nesting, truncated or non-JSON documents).
    case raw([UInt8])

    init(stringLiteral value: String) { self = .text(value) }
    init(integerLiteral value: Int) { self = .number(String(value)) }
    init(floatLiteral value: Double) { self = .number(String(value)) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: FuzzJSON...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, FuzzJSON)...) {
        self = .object(elements.map { (FuzzJSON.escaped($0.0), $0.1) })
    }
    init(nilLiteral: ()) { self = .null }

    /// A string holding `text`, escaped as a JSON encoder would.
    static func text(_ text: String) -> FuzzJSON { .string(escaped(text)) }

    /// `text` in JSON string form: `"`, `\` and C0 controls escaped, everything else as UTF-8.
    static func escaped(_ text: String) -> [UInt8] { escaped(Array(text.utf8)) }

    static func escaped(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        let hex = Array("0123456789abcdef".utf8)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case 0..<0x20: out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        return out
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        render(into: &out)
        return out
    }

    func render(into out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let flag): out += Array((flag ? "true" : "false").utf8)
        case .number(let literal): out += Array(literal.utf8)
        case .string(let content):
            out.append(UInt8(ascii: "\""))
            out += content
            out.append(UInt8(ascii: "\""))
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.render(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                FuzzJSON.string(member.key).render(into: &out)
                out.append(UInt8(ascii: ":"))
                member.value.render(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .raw(let bytes): out += bytes
        }
    }

    /// The number of values in the tree (for picking one at random).
    var size: Int {
        switch self {
        case .array(let items): 1 + items.reduce(0) { $0 + $1.size }
        case .object(let members): 1 + members.reduce(0) { $0 + $1.value.size }
        default: 1
        }
    }

    /// The tree with its `index`-th value (pre-order, 0 = the root) replaced by `transform` of it.
    func replacing(at index: Int, _ transform: (FuzzJSON) -> FuzzJSON) -> FuzzJSON {
        var remaining = index
        return replacing(&remaining, transform)
    }

    private func replacing(_ remaining: inout Int, _ transform: (FuzzJSON) -> FuzzJSON) -> FuzzJSON {
        if remaining == 0 {
            remaining = -1
            return transform(self)
        }
        remaining -= 1
        switch self {
        case .array(let items):
            var result: [FuzzJSON] = []
            for item in items { result.append(remaining >= 0 ? item.replacing(&remaining, transform) : item) }
            return .array(result)
        case .object(let members):
            var result: [(key: [UInt8], value: FuzzJSON)] = []
            for member in members {
                result.append((member.key, remaining >= 0 ? member.value.replacing(&remaining, transform) : member.value))
            }
            return .object(result)
        default:
            return self
        }
    }
}

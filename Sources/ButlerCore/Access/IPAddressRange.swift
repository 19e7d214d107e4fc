#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address or a CIDR range of them (`10.1.2.3`, `10.0.0.0/8`, `::1`, `fd00::/8`), as written in
/// `Butler.restServerConfig.allowedClients`.
///
/// IPv4-mapped IPv6 addresses (`::ffff:10.1.2.3`, what a dual-stack socket listening on `::` reports for
/// an IPv4 client) are the IPv4 address they carry, both in entries and in the addresses checked, so an
/// IPv4 entry matches an IPv4 client whichever socket it came through.
public struct IPAddressRange: Hashable, Sendable, CustomStringConvertible {
    /// The network's address bytes (4 for IPv4, 16 for IPv6), host bits cleared.
    public let network: [UInt8]
    /// The prefix length in bits (32 or 128 for a single address).
    public let prefixLength: Int

    /// Parses `address` or `address/prefix`; nil when it is neither an IPv4 nor an IPv6 address, or the
    /// prefix is not a whole number within the address's width.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = Self.addressBytes(String(parts[0])) else { return nil }
        let width = bytes.count * 8
        var prefix = width
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit), let value = Int(parts[1]), value <= width else { return nil }
            prefix = value
        }
        // An IPv4-mapped IPv6 range becomes the IPv4 range it covers.
        if let mapped = Self.unmapped(bytes), prefix >= 96 {
            network = Self.masked(mapped, prefix - 96)
            prefixLength = prefix - 96
        } else {
            network = Self.masked(bytes, prefix)
            prefixLength = prefix
        }
    }

    /// Whether `address` (textual, as a socket reports it) lies in this range; false for text that
    /// isn't an IP address.
    public func contains(_ address: String) -> Bool {
        guard var bytes = Self.addressBytes(address) else { return false }
        if let mapped = Self.unmapped(bytes) { bytes = mapped }
        return bytes.count == network.count && Self.masked(bytes, prefixLength) == network
    }

    public var description: String {
        let text = Self.text(network)
        return prefixLength == network.count * 8 ? text : "\(text)/\(prefixLength)"
    }

    /// Whether `text` is a loopback address: `127.0.0.0/8` or `::1` (IPv4-mapped forms included).
    public static func isLoopbackAddress(_ text: String) -> Bool {
        guard let bytes = addressBytes(text) else { return false }
        let address = unmapped(bytes) ?? bytes
        return address.count == 4 ? address[0] == 127 : address == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// The bytes of an IPv4 or IPv6 address in text form (a zone such as `%eth0` is dropped).
    static func addressBytes(_ text: String) -> [UInt8]? {
        let address = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? text
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), or nil.
    static func unmapped(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return nil }
        return Array(bytes[12..<16])
    }

    static func masked(_ bytes: [UInt8], _ prefix: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bits = min(max(prefix - index * 8, 0), 8)
            return bits == 8 ? byte : byte & ~(UInt8(0xFF) >> bits)
        }
    }

    static func text(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

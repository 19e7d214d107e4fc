import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The sender addresses `Butler.udpServerConfig.allowedSources` lets through, compared as addresses, not
/// as text: `192.0.2.10`, `::ffff:192.0.2.10` and `::ffff:c000:20a` are one IPv4 sender, and IPv6 entries
/// match however they are written (`2001:DB8::1` = `2001:db8:0:0::1`).
///
/// Why: with `serverHost: "::"` the listener's dual-stack socket reports an IPv4 sender as an IPv4-mapped
/// IPv6 address (`::ffff:a.b.c.d`), which text comparison with an IPv4 entry never matched (issue 12,
/// item 7). A zone (`fe80::1%eth0`) is ignored.
public struct SourceAddresses: Sendable, Equatable {
    /// 4 bytes for IPv4 (mapped ones included), 16 for IPv6.
    let keys: Set<[UInt8]>

    /// - Parameter addresses: numeric IPv4/IPv6 addresses (host names already resolved); text that isn't an
    ///   address is left out (see `unparsable(_:)`).
    public init(_ addresses: some Sequence<String>) {
        keys = Set(addresses.compactMap(Self.key))
    }

    /// Whether no address was usable.
    public var isEmpty: Bool { keys.isEmpty }

    /// Whether `address` (as the listener reports a sender) is one of the allowed addresses.
    public func contains(_ address: String) -> Bool {
        guard let key = Self.key(address) else { return false }
        return keys.contains(key)
    }

    /// The entries of `addresses` that aren't numeric addresses.
    public static func unparsable(_ addresses: some Sequence<String>) -> [String] {
        addresses.filter { key($0) == nil }
    }

    /// The address's bytes; an IPv4-mapped IPv6 address (`::ffff:0:0/96`) as its IPv4 bytes.
    static func key(_ text: String) -> [UInt8]? {
        var address = text.trimmingCharacters(in: .whitespaces)
        if address.hasPrefix("[") && address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
        if let zone = address.firstIndex(of: "%") { address = String(address[..<zone]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return Array(bytes[12..<16])
        }
        return bytes
    }
}

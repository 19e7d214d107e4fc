import ButlerCore
import Testing

/// `udpServerConfig.allowedSources` compares addresses, not text (issue 12, item 7): a dual-stack `::`
/// socket reports IPv4 senders as `::ffff:a.b.c.d`.
struct SourceAddressesTests {
    @Test func ipv4EntriesMatchIPv4MappedSenders() {
        let allowed = SourceAddresses(["192.0.2.10", "127.0.0.1"])
        #expect(allowed.contains("192.0.2.10"))
        #expect(allowed.contains("::ffff:192.0.2.10"))
        #expect(allowed.contains("::FFFF:192.0.2.10"))
        #expect(allowed.contains("::ffff:c000:20a"))
        #expect(allowed.contains("0:0:0:0:0:ffff:7f00:1"))
        #expect(allowed.contains("[::ffff:127.0.0.1]"))
        #expect(!allowed.contains("192.0.2.11"))
        #expect(!allowed.contains("::ffff:192.0.2.11"))
    }

    @Test func mappedEntriesMatchPlainIPv4Senders() {
        let allowed = SourceAddresses(["::ffff:192.0.2.10"])
        #expect(allowed.contains("192.0.2.10"))
    }

    // Only the ::ffff:0:0/96 form is IPv4: the old IPv4-compatible form (::a.b.c.d), NAT64 (64:ff9b::/96)
    // and an IPv6 address whose last 32 bits look like an IPv4 one are other senders.
    @Test func otherIPv6FormsAreNotIPv4() {
        let allowed = SourceAddresses(["192.0.2.10"])
        #expect(!allowed.contains("::192.0.2.10"))
        #expect(!allowed.contains("64:ff9b::192.0.2.10"))
        #expect(!allowed.contains("2001:db8::c000:20a"))
        #expect(!allowed.contains("::1"))
    }

    @Test func ipv6EntriesMatchHoweverWritten() {
        let allowed = SourceAddresses(["2001:DB8::1", "fe80::1%eth0"])
        #expect(allowed.contains("2001:db8:0:0:0:0:0:1"))
        #expect(allowed.contains("2001:0db8::0001"))
        #expect(allowed.contains("fe80::1"))
        #expect(allowed.contains("fe80::1%lo"))
        #expect(!allowed.contains("2001:db8::2"))
    }

    // Text that isn't an address (a host name that didn't resolve, garbage from a sender) matches nothing.
    @Test func nonAddressesMatchNothing() {
        let allowed = SourceAddresses(["qs-node1.example.com", "", "999.1.1.1", "192.0.2.10"])
        #expect(!allowed.isEmpty)
        #expect(SourceAddresses.unparsable(["qs-node1.example.com", "192.0.2.10"]) == ["qs-node1.example.com"])
        for sender in ["unknown", "", "qs-node1.example.com", "192.0.2", "192.0.2.10.1", "::ffff:999.0.2.10"] {
            #expect(!allowed.contains(sender), "\(sender)")
        }
        #expect(SourceAddresses(["nothing"]).isEmpty)
    }
}

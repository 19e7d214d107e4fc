import ButlerCore
import Testing

@Suite("Rate limiter (--api-rate-limit)")
struct RateLimiterTests {
    // B52: the limit is per client address, in one-minute windows.
    @Test func limitsEachClientSeparately() {
        let clock = ManualWallClock()
        let limiter = FixedWindowRateLimiter(limit: 5, clock: clock)
        for expectedRemaining in (0..<5).reversed() {
            let decision = limiter.check(client: "10.0.0.1")
            #expect(decision.allowed)
            #expect(decision.remaining == expectedRemaining)
        }
        let sixth = limiter.check(client: "10.0.0.1")
        #expect(!sixth.allowed)
        #expect(sixth.resetSeconds == 60)
        #expect(limiter.check(client: "10.0.0.2").allowed)
    }

    @Test func windowResetsAfterAMinute() {
        let clock = ManualWallClock()
        let limiter = FixedWindowRateLimiter(limit: 1, clock: clock)
        #expect(limiter.check(client: "a").allowed)
        clock.advance(by: 30)
        let blocked = limiter.check(client: "a")
        #expect(!blocked.allowed)
        #expect(blocked.resetSeconds == 30)
        clock.advance(by: 30)
        #expect(limiter.check(client: "a").allowed)
    }
}

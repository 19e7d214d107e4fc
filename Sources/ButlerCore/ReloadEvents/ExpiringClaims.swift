import Foundation
import HeapModule

/// Execution ids with the instant each claim expires, evicted in expiry order: a claim costs O(log n)
/// (a hash look-up and a heap push), and expired ids are popped from a min-heap as they fall due, so no
/// claim ever scans the whole table, however many ids are held (issue 12, item 7).
///
/// Past `capacity` live ids the ones closest to expiring are evicted first (each O(log n)), so a flood of
/// distinct ids can't grow memory without bound. Released and re-claimed ids leave stale heap entries
/// that are skipped when they surface; the heap is rebuilt when they outnumber the live ids, which
/// keeps the amortised cost per operation O(log n).
public struct ExpiringClaims: Sendable {
    struct Entry: Comparable, Sendable {
        let expiresAt: Date
        let id: String
        static func < (a: Entry, b: Entry) -> Bool { a.expiresAt < b.expiresAt }
    }

    private var claims: [String: Date] = [:]
    private var heap = Heap<Entry>()
    /// Live ids kept at most.
    public let capacity: Int

    public init(capacity: Int = 1_000_000) {
        self.capacity = max(1, capacity)
    }

    /// Live and not-yet-evicted ids.
    public var count: Int { claims.count }

    /// The expiry of `id`'s claim, if it is held and not expired at `now`.
    public func expiry(of id: String, now: Date) -> Date? {
        guard let expiresAt = claims[id], expiresAt > now else { return nil }
        return expiresAt
    }

    /// Claims `id` until `expiresAt`, unless a claim on it holds at `now`.
    /// - Returns: false when `id` is already claimed.
    public mutating func claim(_ id: String, until expiresAt: Date, now: Date) -> Bool {
        evictExpired(now: now)
        if let existing = claims[id], existing > now { return false }
        claims[id] = expiresAt
        heap.insert(Entry(expiresAt: expiresAt, id: id))
        while claims.count > capacity, let oldest = heap.popMin() {
            if claims[oldest.id] == oldest.expiresAt { claims.removeValue(forKey: oldest.id) }
        }
        compactIfStale()
        return true
    }

    /// Inserts a claim read back from storage (no check).
    public mutating func load(_ id: String, until expiresAt: Date) {
        claims[id] = expiresAt
        heap.insert(Entry(expiresAt: expiresAt, id: id))
    }

    /// Gives `id`'s claim back.
    public mutating func release(_ id: String) {
        claims.removeValue(forKey: id)
        compactIfStale()
    }

    /// Pops every claim that has expired at `now`.
    public mutating func evictExpired(now: Date) {
        while let first = heap.min, first.expiresAt <= now {
            heap.removeMin()
            if claims[first.id] == first.expiresAt { claims.removeValue(forKey: first.id) }
        }
    }

    /// Heap entries, live and stale (for tests of the bound).
    var heapCount: Int { heap.count }

    private mutating func compactIfStale() {
        guard heap.count > 2 * claims.count + 1024 else { return }
        heap = Heap(claims.map { Entry(expiresAt: $0.value, id: $0.key) })
    }
}

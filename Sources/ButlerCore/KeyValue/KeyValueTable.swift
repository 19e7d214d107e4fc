import Foundation

/// The state of a key-value store as a plain value, with every rule of the store.
///
/// Changes go in two steps, `plan…` (validate and describe the change, without mutating) and `apply`,
/// so a durable store can write the change to disk between the two and apply it only once it is
/// committed. `InMemoryKeyValueStore` plans and applies in one go; `SQLiteKeyValueStore` keeps a table
/// as its read model.
///
/// Order: namespaces and keys carry a position (a counter the table hands out), so namespaces list in
/// creation order and keys in insertion order; replacing a key keeps its position.
public struct KeyValueTable: Sendable {
    /// One stored pair, as kept in the table.
    public struct Entry: Equatable, Sendable {
        public var value: String
        public var expiresAt: Date?
        public var position: Int64

        public init(value: String, expiresAt: Date?, position: Int64) {
            self.value = value
            self.expiresAt = expiresAt
            self.position = position
        }

        func isLive(at now: Date) -> Bool { expiresAt.map { $0 > now } ?? true }
    }

    struct Namespace: Sendable {
        var position: Int64
        var entries: [String: Entry] = [:]
    }

    /// A validated change, ready to be persisted and applied.
    public enum Change: Equatable, Sendable {
        /// Create the namespace when `namespacePosition` is non-nil, then insert or replace the pair.
        case upsert(namespace: String, namespacePosition: Int64?, key: String, entry: Entry, outcome: KeyValueWriteOutcome)
        case deleteKey(namespace: String, key: String)
        case deleteNamespace(String)
        case purge(now: Date)
    }

    private var namespaceTable: [String: Namespace] = [:]
    private var nextPosition: Int64 = 1

    public init() {}

    // MARK: Loading

    /// Adds a namespace read back from storage.
    public mutating func load(namespace: String, position: Int64) {
        namespaceTable[namespace, default: Namespace(position: position)].position = position
        nextPosition = max(nextPosition, position + 1)
    }

    /// Adds a pair read back from storage; its namespace must have been loaded.
    public mutating func load(namespace: String, key: String, entry: Entry) {
        namespaceTable[namespace]?.entries[key] = entry
        nextPosition = max(nextPosition, entry.position + 1)
    }

    // MARK: Reading

    public var namespaces: [String] {
        namespaceTable.sorted { $0.value.position < $1.value.position }.map(\.key)
    }

    public func get(namespace: String, key: String, now: Date) -> KeyValueLookup {
        guard let entries = namespaceTable[namespace]?.entries else { return .namespaceNotFound }
        guard let entry = entries[key], entry.isLive(at: now) else { return .keyNotFound }
        return .found(KeyValuePair(namespace: namespace, key: key, value: entry.value, expiresAt: entry.expiresAt))
    }

    public func keys(namespace: String, now: Date) -> [String]? {
        guard let entries = namespaceTable[namespace]?.entries else { return nil }
        return entries.filter { $0.value.isLive(at: now) }
            .sorted { $0.value.position < $1.value.position }
            .map(\.key)
    }

    // MARK: Planning changes

    /// Plans adding or replacing `pair`; see `KeyValueStore.set`.
    public func planSet(_ pair: KeyValuePair, maxKeysPerNamespace: Int?, now: Date) throws -> Change {
        let existing = namespaceTable[pair.namespace]
        var position = nextPosition
        let namespacePosition: Int64?
        if existing == nil {
            namespacePosition = position
            position += 1
        } else {
            namespacePosition = nil
        }
        if let current = existing?.entries[pair.key], current.isLive(at: now) {
            // Replace in place: the key keeps its position.
            let entry = Entry(value: pair.value, expiresAt: pair.expiresAt, position: current.position)
            return .upsert(namespace: pair.namespace, namespacePosition: nil, key: pair.key, entry: entry, outcome: .replaced)
        }
        // A new key (or one whose old pair has expired): it must fit the limit and goes last.
        if let limit = maxKeysPerNamespace, let existing {
            let live = existing.entries.values.lazy.filter { $0.isLive(at: now) }.count
            if live >= limit { throw KeyValueError.namespaceFull(pair.namespace, limit: limit) }
        }
        let entry = Entry(value: pair.value, expiresAt: pair.expiresAt, position: position)
        return .upsert(
            namespace: pair.namespace, namespacePosition: namespacePosition, key: pair.key, entry: entry, outcome: .created)
    }

    /// Plans deleting one key: `nil` with the reason when there is nothing (live) to delete.
    public func planDelete(namespace: String, key: String, now: Date) -> (Change?, KeyValueLookup) {
        let lookup = get(namespace: namespace, key: key, now: now)
        guard case .found = lookup else { return (nil, lookup) }
        return (.deleteKey(namespace: namespace, key: key), lookup)
    }

    /// Plans deleting a namespace: `nil` when it doesn't exist.
    public func planDeleteNamespace(_ namespace: String) -> Change? {
        namespaceTable[namespace] == nil ? nil : .deleteNamespace(namespace)
    }

    /// The number of pairs expired at `now` (what `.purge(now:)` would remove).
    public func expiredCount(now: Date) -> Int {
        namespaceTable.values.reduce(0) { $0 + $1.entries.values.lazy.filter { !$0.isLive(at: now) }.count }
    }

    // MARK: Applying changes

    /// Applies a change planned on this table (and, for a durable store, committed to storage).
    public mutating func apply(_ change: Change) {
        switch change {
        case .upsert(let namespace, let namespacePosition, let key, let entry, _):
            if let namespacePosition {
                namespaceTable[namespace] = Namespace(position: namespacePosition)
            }
            namespaceTable[namespace]?.entries[key] = entry
            nextPosition = max(nextPosition, (namespacePosition ?? 0) + 1, entry.position + 1)
        case .deleteKey(let namespace, let key):
            namespaceTable[namespace]?.entries[key] = nil
        case .deleteNamespace(let namespace):
            namespaceTable[namespace] = nil
        case .purge(let now):
            for (name, namespace) in namespaceTable {
                namespaceTable[name]?.entries = namespace.entries.filter { $0.value.isLive(at: now) }
            }
        }
    }
}

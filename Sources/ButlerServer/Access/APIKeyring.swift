import ButlerCore
import Crypto
import Foundation

/// The API keys of `Butler.restServerConfig.auth.apiKeys`, ready to check presented keys against.
///
/// Only SHA-256 digests of the keys are kept; a presented key is hashed and compared with every
/// digest in constant time, so neither the comparison's time nor an early exit tells how close a guess was.
struct APIKeyring: Sendable {
    /// A configured key: its name (for logs) and the route groups it may call (nil: all).
    struct Key: Sendable {
        let name: String
        let endpoints: Set<RouteGroup>?
        fileprivate let digest: SHA256.Digest

        /// Whether this key may call routes of `group` (nil: a path outside every group).
        func permits(_ group: RouteGroup?) -> Bool {
            guard let endpoints else { return true }
            return group.map(endpoints.contains) ?? false
        }
    }

    let keys: [Key]

    var isEmpty: Bool { keys.isEmpty }

    /// Reads every key (`keyFile`s at start-up).
    ///
    /// - Throws: `ButlerError.failed` naming the entry when a key file can't be read or holds a key
    ///   shorter than `APIKeyConfig.minimumLength`, or two entries hold the same key. The key's text is
    ///   never part of an error.
    init(config: RestAuthConfig) throws {
        var keys: [Key] = []
        for (index, entry) in config.apiKeys.enumerated() {
            let path = "Butler.restServerConfig.auth.apiKeys[\(index)]"
            let text: String
            switch entry.secret {
            case .inline(let key):
                text = key
            case .file(let file):
                guard let contents = FileManager.default.contents(atPath: file), let string = String(data: contents, encoding: .utf8) else {
                    throw ButlerError.failed("\(path).keyFile: \(file) could not be read")
                }
                text = string.trimmingCharacters(in: .whitespacesAndNewlines)
                guard text.count >= APIKeyConfig.minimumLength else {
                    throw ButlerError.failed("\(path).keyFile: the key in \(file) must be at least \(APIKeyConfig.minimumLength) characters long")
                }
            }
            let digest = SHA256.hash(data: Data(text.utf8))
            if keys.contains(where: { $0.digest == digest }) {
                throw ButlerError.failed("\(path): the same key as an earlier entry; give each client its own key")
            }
            keys.append(Key(name: entry.name, endpoints: entry.endpoints, digest: digest))
        }
        self.keys = keys
    }

    /// The key whose text is `presented`, or nil. Every configured key is compared, each in constant time.
    func key(matching presented: some StringProtocol) -> Key? {
        let digest = SHA256.hash(data: Data(presented.utf8))
        var match: Key?
        for key in keys where Self.constantTimeEqual(key.digest, digest) {
            match = key
        }
        return match
    }

    private static func constantTimeEqual(_ lhs: SHA256.Digest, _ rhs: SHA256.Digest) -> Bool {
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
        return difference == 0
    }
}

import Foundation

/// A `fromDirectory`/`toDirectory` pair of `Butler.fileCopyApprovedDirectories` or
/// `Butler.fileMoveApprovedDirectories`, resolved.
public struct ApprovedDirectoryPair: Sendable, Equatable {
    public let from: AbsolutePath
    public let to: AbsolutePath

    public init(from: AbsolutePath, to: AbsolutePath) {
        self.from = from
        self.to = to
    }
}

/// Decides whether a requested path lies in an approved directory.
///
/// A path is inside an approved directory only if, after it is made absolute (a relative path against
/// the approved directory it is checked against), normalised (`.`, `..`, duplicate separators) and its
/// existing part resolved through symlinks, it lies below that directory by whole names. The policy is a
/// pure function of its inputs and `resolveLinks`, so the rules are tested for both path styles.
///
/// Source: DESIGN.md "Safe file operations" and Decision 3; Butler's `isDirectoryChildOf` compared
/// strings instead (spec §4.2).
public struct ApprovedPathPolicy: Sendable {
    public let style: PathStyle
    /// Resolves symlinks in the existing part of a path (identity where the file system isn't consulted).
    let resolveLinks: @Sendable (AbsolutePath) -> AbsolutePath

    public init(style: PathStyle, resolveLinks: @escaping @Sendable (AbsolutePath) -> AbsolutePath = { $0 }) {
        self.style = style
        self.resolveLinks = resolveLinks
    }

    /// The policy for this machine: its path style, with symlinks resolved on disk.
    public static let host = ApprovedPathPolicy(style: .host, resolveLinks: SymlinkResolver.resolveExistingPart)

    /// `parsed`, made absolute against `base`, with symlinks resolved.
    /// - Parameter followingFinalLink: false to resolve only the directory part, so that a symlink named by
    ///   the path is acted on itself (deleted, moved), not its target.
    public func resolve(_ parsed: ParsedPath, against base: AbsolutePath, followingFinalLink: Bool = true) -> AbsolutePath {
        let path = parsed.resolved(against: base)
        guard !followingFinalLink, let parent = path.parent else { return resolveLinks(path) }
        return resolveLinks(parent).appending([path.lastComponent])
    }

    /// The first pair whose `from` holds `from` and whose `to` holds `to` (each strictly below), with
    /// both paths resolved; `nil` when no pair approves the two.
    /// - Parameter followingSourceLink: false for a move, which moves a symlink itself.
    public func authorize(
        from: ParsedPath, to: ParsedPath, in pairs: [ApprovedDirectoryPair], followingSourceLink: Bool = true
    ) -> (from: AbsolutePath, to: AbsolutePath)? {
        for pair in pairs {
            let source = resolve(from, against: pair.from, followingFinalLink: followingSourceLink)
            let destination = resolve(to, against: pair.to)
            if source.isStrictlyInside(pair.from) && destination.isStrictlyInside(pair.to) {
                return (source, destination)
            }
        }
        return nil
    }

    /// `path` resolved against the first of `directories` that holds it; `nil` when none does.
    /// - Parameters:
    ///   - includingDirectoryItself: whether the approved directory itself counts (true for creating
    ///     directories, false for deleting: an approved directory can't delete itself).
    ///   - followingFinalLink: false for a delete, which deletes a symlink itself.
    public func authorize(
        _ path: ParsedPath, in directories: [AbsolutePath], includingDirectoryItself: Bool, followingFinalLink: Bool = true
    ) -> AbsolutePath? {
        for directory in directories {
            let resolved = resolve(path, against: directory, followingFinalLink: followingFinalLink)
            if includingDirectoryItself ? resolved.isInside(directory) : resolved.isStrictlyInside(directory) {
                return resolved
            }
        }
        return nil
    }
}

/// Symlink resolution on this machine's file system.
public enum SymlinkResolver {
    /// Resolves the longest existing leading part of `path` with `realpath(3)` and appends the rest.
    public static func resolveExistingPart(_ path: AbsolutePath) -> AbsolutePath {
        guard path.style == .host else { return path }
        var existing = path.components.count
        while existing >= 0 {
            let prefix = AbsolutePath(style: path.style, root: path.root, components: Array(path.components.prefix(existing)))
            if let real = realPath(prefix.description), let resolved = resolvedPath(real, style: path.style) {
                return resolved.appending(Array(path.components.dropFirst(existing)))
            }
            existing -= 1
        }
        return path
    }

    /// `realpath`'s answer as a path. On a POSIX host it is a POSIX path: split at `/` only, never re-read
    /// by the request rules (a real name may contain `\`; re-splitting it there let `link/x` pass as `a/x`).
    static func resolvedPath(_ real: String, style: PathStyle) -> AbsolutePath? {
        switch style {
        case .posix:
            guard real.hasPrefix("/") else { return nil }
            let names = real.utf8.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
            return AbsolutePath(style: .posix, root: "/", components: names)
        case .windows:
            guard case .absolute(let resolved)? = try? PathParser.parse(real, style: .windows, operation: "file") else { return nil }
            return resolved
        }
    }

    private static func realPath(_ text: String) -> String? {
        guard let pointer = realpath(text, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}

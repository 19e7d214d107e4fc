/// An absolute, normalised path: a root and the names below it, with no `.`, `..` or empty names.
///
/// Roots: POSIX `/`; Windows a drive (`C:`, always upper case) or a UNC share (`\\server\share`).
/// Comparison follows the style: names compare exactly on POSIX and without regard to case on Windows.
public struct AbsolutePath: Sendable, CustomStringConvertible {
    public let style: PathStyle
    /// `/`, `C:` or `\\server\share`.
    public let root: String
    /// The names below the root, in order.
    public let components: [String]

    init(style: PathStyle, root: String, components: [String]) {
        self.style = style
        self.root = root
        self.components = components
    }

    /// The path as the operating system writes it: `/srv/qvd/a.qvd`, `C:\Data\a.qvd`, `\\srv\share\a.qvd`.
    public var description: String {
        switch style {
        case .posix: return "/" + components.joined(separator: "/")
        case .windows: return root + "\\" + components.joined(separator: "\\")
        }
    }

    /// The directory holding this path; `nil` for a root.
    public var parent: AbsolutePath? {
        components.isEmpty ? nil : AbsolutePath(style: style, root: root, components: components.dropLast())
    }

    /// The last name (empty for a root).
    public var lastComponent: String { components.last ?? "" }

    /// This path with `names` appended, `.` skipped and `..` going up (never above the root).
    public func appending(_ names: [String]) -> AbsolutePath {
        var result = components
        for name in names {
            // Compared as bytes: only the names the operating system treats specially.
            if name.utf8.isEmpty || name.utf8.elementsEqual(".".utf8) { continue }
            if name.utf8.elementsEqual("..".utf8) {
                if !result.isEmpty { result.removeLast() }
                continue
            }
            result.append(name)
        }
        return AbsolutePath(style: style, root: root, components: result)
    }

    /// Whether this path is `directory` itself or lies below it, by whole names (`/data/qvd2` is not
    /// inside `/data/qvd`).
    public func isInside(_ directory: AbsolutePath) -> Bool {
        guard style == directory.style, style.sameName(root, directory.root),
            components.count >= directory.components.count
        else { return false }
        return zip(components, directory.components).allSatisfy { style.sameName($0, $1) }
    }

    /// Whether this path lies below `directory` (and is not `directory` itself).
    public func isStrictlyInside(_ directory: AbsolutePath) -> Bool {
        components.count > directory.components.count && isInside(directory)
    }
}

extension AbsolutePath: Equatable {
    public static func == (lhs: AbsolutePath, rhs: AbsolutePath) -> Bool {
        lhs.components.count == rhs.components.count && lhs.isInside(rhs)
    }
}

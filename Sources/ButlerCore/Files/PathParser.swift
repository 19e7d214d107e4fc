/// A path as written in a request or the config, parsed for one `PathStyle`.
public enum ParsedPath: Sendable, Equatable {
    /// An absolute path, normalised.
    case absolute(AbsolutePath)
    /// A relative path: its names as written (`..` included), to be resolved against a directory.
    case relative([String])

    /// The path resolved against `base` when relative (`..` may leave `base`: the caller checks).
    public func resolved(against base: AbsolutePath) -> AbsolutePath {
        switch self {
        case .absolute(let path): path
        case .relative(let names): base.appending(names)
        }
    }
}

/// Parses path text by the rules of a `PathStyle`.
///
/// Both `/` and `\` separate names in both styles (Butler normalised `\` to `/` everywhere, and Qlik load
/// scripts write either). Rules:
/// - POSIX: `/…` is absolute, anything else relative. A UNC path (`\\server\share…`) or a Windows
///   drive path (`C:\…`) can't be used on a POSIX host: 400.
/// - Windows: `C:\…` (any case) and `\\server\share\…` are absolute; `C:foo` (drive-relative), `\foo`
///   (rooted without a drive) and device paths (`\\?\…`, `\\.\…`) are refused: 400.
/// - A NUL character is refused in both.
/// - A path longer than `maxLength` bytes (Linux's `PATH_MAX`) is refused in both: no file system names it,
///   and resolving its every prefix would cost the square of its length.
///
/// Source: DESIGN.md "Safe file operations" (rules, not string prefixes).
public enum PathParser {
    /// The longest path accepted, in UTF-8 bytes, as written or once made absolute (Linux's `PATH_MAX`).
    public static let maxLength = 4096

    /// 400 for a path too long for any file system to name (the path itself is not echoed).
    public static let tooLong = ButlerError.badRequest("Path is too long for the file system (at most \(maxLength) bytes)")

    /// - Parameter operation: for messages, e.g. `file copy` (Butler: "UNC paths not supported for file copy
    ///   operations when running Butler on non-Windows OS. Path: …").
    /// - Throws: `ButlerError.badRequest` naming the path and the rule it breaks.
    public static func parse(_ text: String, style: PathStyle, operation: String) throws -> ParsedPath {
        guard text.utf8.count <= maxLength else { throw tooLong }
        let scalars = text.unicodeScalars
        if scalars.contains("\0") {
            throw ButlerError.badRequest("Path must not contain the NUL character. Path: \(text.replacingOccurrences(of: "\0", with: "\\0"))")
        }
        let isUNC = text.hasPrefix("\\\\") || (style == .windows && text.hasPrefix("//"))
        let names = Self.names(of: text)
        let first = scalars.first
        let hasDrive = scalars.count >= 2 && first!.isASCII && first!.properties.isAlphabetic
            && scalars[scalars.index(after: scalars.startIndex)] == ":"
        switch style {
        case .posix:
            if isUNC {
                throw ButlerError.badRequest(
                    "UNC paths not supported for \(operation) operations when running Butler on non-Windows OS. Path: \(text)")
            }
            if hasDrive {
                throw ButlerError.badRequest(
                    "Windows drive paths not supported for \(operation) operations when running Butler on non-Windows OS. Path: \(text)")
            }
            if first == "/" || first == "\\" {
                return .absolute(AbsolutePath(style: .posix, root: "/", components: []).appending(names))
            }
            return .relative(names)
        case .windows:
            if isUNC {
                guard names.count >= 2, names[0] != "?", names[0] != "." else {
                    throw ButlerError.badRequest("Not a valid UNC path (\\\\server\\share\\…). Path: \(text)")
                }
                let root = "\\\\\(names[0])\\\(names[1])"
                return .absolute(AbsolutePath(style: .windows, root: root, components: []).appending(Array(names.dropFirst(2))))
            }
            if hasDrive {
                let afterDrive = scalars.dropFirst(2)
                guard let separator = afterDrive.first, separator == "\\" || separator == "/" else {
                    throw ButlerError.badRequest("Drive-relative paths (C:folder) are not supported. Path: \(text)")
                }
                let root = text.prefix(2).uppercased()
                return .absolute(AbsolutePath(style: .windows, root: root, components: []).appending(Array(names.dropFirst())))
            }
            if first == "\\" || first == "/" {
                throw ButlerError.badRequest("Paths rooted without a drive letter are not supported. Path: \(text)")
            }
            return .relative(names)
        }
    }

    /// The names of a path, split at `/` and `\` as the operating system does: on Unicode scalars, never on
    /// grapheme clusters (`"\u{0600}/"` is one `Character` but holds a separator).
    static func names(of text: String) -> [String] {
        text.unicodeScalars.split(whereSeparator: { $0 == "/" || $0 == "\\" }).map { String(String.UnicodeScalarView($0)) }
    }

    /// The path text with `/` separators and `.`/`..` collapsed where the path allows, as Butler echoes
    /// request paths (`upath.normalizeSafe`): `subfolder/./a.qvd` → `subfolder/a.qvd`.
    public static func normalisedText(_ text: String) -> String {
        let absolute = text.hasPrefix("/") || text.hasPrefix("\\")
        var kept: [String] = []
        for name in names(of: text) {
            if name.utf8.elementsEqual(".".utf8) { continue }
            if name.utf8.elementsEqual("..".utf8) {
                if let last = kept.last, !last.utf8.elementsEqual("..".utf8) {
                    kept.removeLast()
                } else if !absolute {
                    kept.append("..")
                }
                continue
            }
            kept.append(name)
        }
        let prefix = text.hasPrefix("\\\\") || text.hasPrefix("//") ? "//" : (absolute ? "/" : "")
        return prefix + kept.joined(separator: "/")
    }
}

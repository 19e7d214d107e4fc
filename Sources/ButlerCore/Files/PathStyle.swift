/// The path rules of an operating system: Butler's users run it on Windows (drive letters, `\`, UNC
/// shares, case-insensitive names); it also runs on Linux and macOS (`/`, case-sensitive names).
public enum PathStyle: Sendable, Equatable {
    case posix
    case windows

    /// The style of the machine this process runs on.
    public static var host: PathStyle {
        #if os(Windows)
        .windows
        #else
        .posix
        #endif
    }

    /// The separator used when a path is written out.
    var separator: String { self == .windows ? "\\" : "/" }

    /// Whether two names are the same in this style: byte for byte on POSIX (no Unicode equivalence:
    /// `café` and `cafe\u{301}` are different directories), without regard to case on Windows.
    func sameName(_ a: String, _ b: String) -> Bool {
        self == .windows ? a.lowercased().utf8.elementsEqual(b.lowercased().utf8) : a.utf8.elementsEqual(b.utf8)
    }
}

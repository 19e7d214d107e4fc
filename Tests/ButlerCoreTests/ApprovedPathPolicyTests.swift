@testable import ButlerCore
import Foundation
import Testing

@Suite("Approved-path policy (POSIX and Windows path styles)")
struct ApprovedPathPolicyTests {
    static func absolute(_ text: String, _ style: PathStyle) -> AbsolutePath {
        guard case .absolute(let path) = try! PathParser.parse(text, style: style, operation: "test") else {
            fatalError("not absolute: \(text)")
        }
        return path
    }

    static let posix = ApprovedPathPolicy(style: .posix)
    static let windows = ApprovedPathPolicy(style: .windows)
    static let posixPair = ApprovedDirectoryPair(from: absolute("/srv/from", .posix), to: absolute("/srv/to", .posix))
    static let windowsPair = ApprovedDirectoryPair(from: absolute("D:\\Qlik\\QVD\\in", .windows), to: absolute("\\\\fileserver\\archive\\qvd", .windows))

    func authorize(_ policy: ApprovedPathPolicy, _ from: String, _ to: String, _ pair: ApprovedDirectoryPair) throws -> (String, String)? {
        let source = try PathParser.parse(from, style: policy.style, operation: "file copy")
        let destination = try PathParser.parse(to, style: policy.style, operation: "file copy")
        return policy.authorize(from: source, to: destination, in: [pair]).map { ($0.from.description, $0.to.description) }
    }

    // MARK: Parsing

    @Test func posixPathsNormalise() throws {
        #expect(Self.absolute("/srv//from/./a/../b.qvd", .posix).description == "/srv/from/b.qvd")
        #expect(Self.absolute("/srv\\from\\b.qvd", .posix).description == "/srv/from/b.qvd")
        #expect(Self.absolute("/../../etc", .posix).description == "/etc")  // never above the root
        #expect(try PathParser.parse("sub/../a.qvd", style: .posix, operation: "x") == .relative(["sub", "..", "a.qvd"]))
    }

    @Test(arguments: ["\\\\server\\share\\a.qvd", "\\\\server.example\\share"])
    func uncIsRefusedOnPOSIX(path: String) {
        #expect(throws: ButlerError.badRequest(
            "UNC paths not supported for file copy operations when running Butler on non-Windows OS. Path: \(path)")) {
            try PathParser.parse(path, style: .posix, operation: "file copy")
        }
    }

    @Test func drivePathsAreRefusedOnPOSIX() {
        #expect(throws: ButlerError.self) { try PathParser.parse("C:\\Data\\a.qvd", style: .posix, operation: "file copy") }
        #expect(throws: ButlerError.self) { try PathParser.parse("/srv/a\0b", style: .posix, operation: "file copy") }
    }

    @Test func windowsPathsNormalise() {
        #expect(Self.absolute("c:\\Data\\.\\QVD\\..\\a.qvd", .windows).description == "C:\\Data\\a.qvd")
        #expect(Self.absolute("C:/Data/QVD/a.qvd", .windows).description == "C:\\Data\\QVD\\a.qvd")
        #expect(Self.absolute("\\\\srv\\share\\dir\\..\\..\\..\\x", .windows).description == "\\\\srv\\share\\x")
        #expect(Self.absolute("//srv/share/x", .windows).root == "\\\\srv\\share")
    }

    @Test(arguments: ["C:folder\\a.qvd", "\\Data\\a.qvd", "/Data/a.qvd", "\\\\?\\C:\\a", "\\\\.\\pipe\\x", "\\\\server"])
    func windowsPathsThatAreRefused(path: String) {
        #expect(throws: ButlerError.self) { try PathParser.parse(path, style: .windows, operation: "file copy") }
    }

    // MARK: Inside by whole names

    @Test func insideByWholeNames() {
        let qvd = Self.absolute("/data/qvd", .posix)
        #expect(Self.absolute("/data/qvd/a", .posix).isStrictlyInside(qvd))
        #expect(!Self.absolute("/data/qvd2/a", .posix).isInside(qvd))
        #expect(!Self.absolute("/data/qv", .posix).isInside(qvd))
        #expect(!Self.absolute("/Data/qvd/a", .posix).isInside(qvd))  // POSIX names are case-sensitive
        #expect(Self.absolute("/data/qvd", .posix).isInside(qvd))
        #expect(!Self.absolute("/data/qvd", .posix).isStrictlyInside(qvd))
    }

    @Test func windowsComparesWithoutCase() {
        let qvd = Self.absolute("C:\\Data\\QVD", .windows)
        #expect(Self.absolute("c:\\data\\qvd\\Sales\\a.qvd", .windows).isStrictlyInside(qvd))
        #expect(!Self.absolute("D:\\Data\\QVD\\a.qvd", .windows).isInside(qvd))
        #expect(!Self.absolute("C:\\Data\\QVD2\\a.qvd", .windows).isInside(qvd))
        let share = Self.absolute("\\\\FileServer\\Archive", .windows)
        #expect(Self.absolute("\\\\fileserver\\archive\\2024\\a.qvd", .windows).isStrictlyInside(share))
        #expect(!Self.absolute("\\\\fileserver\\archive2\\a.qvd", .windows).isInside(share))
        #expect(!Self.absolute("\\\\otherserver\\archive\\a.qvd", .windows).isInside(share))
    }

    // MARK: Authorising copy/move pairs

    @Test func relativePathsResolveAgainstTheirApprovedDirectory() throws {
        let result = try authorize(Self.posix, "subfolder/file1.qvd", "archive/file1_20200925.qvd", Self.posixPair)
        #expect(result?.0 == "/srv/from/subfolder/file1.qvd")
        #expect(result?.1 == "/srv/to/archive/file1_20200925.qvd")
        let windows = try authorize(Self.windows, "sales\\a.qvd", "2024/a.qvd", Self.windowsPair)
        #expect(windows?.0 == "D:\\Qlik\\QVD\\in\\sales\\a.qvd")
        #expect(windows?.1 == "\\\\fileserver\\archive\\qvd\\2024\\a.qvd")
    }

    /// Attempts to leave the approved directories; none may succeed.
    @Test(arguments: [
        ("/srv/from/../secret/a.txt", "/srv/to/a.txt"),
        ("../secret/a.txt", "a.txt"),
        ("sub/../../secret/a.txt", "a.txt"),
        ("sub\\..\\..\\secret\\a.txt", "a.txt"),
        ("/srv/from/a.txt", "../../etc/cron.d/evil"),
        ("/srv/from/a.txt", "/srv/to/../from/a.txt"),
        ("/srv/fromage/a.txt", "/srv/to/a.txt"),
        ("/srv/from", "/srv/to/a.txt"),  // the approved directory itself
        ("/srv/from/a.txt", "/srv/to"),
        ("/srv/to/a.txt", "/srv/from/a.txt"),  // the pair the wrong way round
        ("/etc/shadow", "/srv/to/x"),
        ("/SRV/FROM/a.txt", "/srv/to/a.txt"),
        ("//srv/from/../../etc/passwd", "a"),
    ])
    func posixEscapesAreDenied(from: String, to: String) throws {
        #expect(try authorize(Self.posix, from, to, Self.posixPair) == nil)
    }

    @Test(arguments: [
        ("D:\\Qlik\\QVD\\in\\..\\secret.qvd", "a.qvd"),
        ("..\\..\\Windows\\System32\\config\\SAM", "a.qvd"),
        ("C:\\Qlik\\QVD\\in\\a.qvd", "a.qvd"),  // another drive
        ("a.qvd", "\\\\fileserver\\archive\\other\\a.qvd"),
        ("a.qvd", "\\\\fileserver\\archive\\qvd\\..\\..\\x\\a.qvd"),
        ("a.qvd", "\\\\evil\\archive\\qvd\\a.qvd"),
        ("a.qvd", "..\\a.qvd"),
    ])
    func windowsEscapesAreDenied(from: String, to: String) throws {
        #expect(try authorize(Self.windows, from, to, Self.windowsPair) == nil)
    }

    @Test func encodedSeparatorsAreJustNames() throws {
        // Bodies are JSON, not URLs: "%2F" is three characters of a file name, not a separator.
        let result = try authorize(Self.posix, "..%2F..%2Fetc%2Fpasswd", "a", Self.posixPair)
        #expect(result?.0 == "/srv/from/..%2F..%2Fetc%2Fpasswd")
    }

    @Test func symlinksAreResolvedBeforeTheCheck() throws {
        // /srv/from/link points to /etc: the resolver (the file system, in production) says so.
        let policy = ApprovedPathPolicy(style: .posix) { path in
            let link = ApprovedPathPolicyTests.absolute("/srv/from/link", .posix)
            guard path.isInside(link) else { return path }
            return ApprovedPathPolicyTests.absolute("/etc", .posix).appending(Array(path.components.dropFirst(3)))
        }
        #expect(try authorize(policy, "link/passwd", "a", Self.posixPair) == nil)
        #expect(try authorize(policy, "linked/passwd", "a", Self.posixPair) != nil)
    }

    @Test func deleteAndCreateDirectoryRules() throws {
        let approved = [Self.absolute("/srv/qvd", .posix)]
        let parse = { try PathParser.parse($0, style: .posix, operation: "file delete") }
        #expect(Self.posix.authorize(try parse("/srv/qvd/sub/../a.qvd"), in: approved, includingDirectoryItself: false)?.description == "/srv/qvd/a.qvd")
        #expect(Self.posix.authorize(try parse("/srv/qvd/sub/../../../etc/hosts"), in: approved, includingDirectoryItself: false) == nil)
        #expect(Self.posix.authorize(try parse("/srv/qvd"), in: approved, includingDirectoryItself: false) == nil)
        #expect(Self.posix.authorize(try parse("/srv/qvd"), in: approved, includingDirectoryItself: true) != nil)
        #expect(Self.posix.authorize(try parse("sales/2024"), in: approved, includingDirectoryItself: true)?.description == "/srv/qvd/sales/2024")
        #expect(Self.posix.authorize(try parse("../../etc/evil"), in: approved, includingDirectoryItself: true) == nil)
    }

    @Test func echoTextIsNormalisedLikeButler() {
        #expect(PathParser.normalisedText("subfolder/./file1.qvd") == "subfolder/file1.qvd")
        #expect(PathParser.normalisedText("/srv//from\\a.qvd") == "/srv/from/a.qvd")
        #expect(PathParser.normalisedText("../x/../y") == "../y")
    }
}

@Suite("Symlink resolution on this machine")
struct SymlinkResolverTests {
    @Test func resolvesTheExistingPartAndKeepsTheRest() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("butler-links-\(UUID().uuidString)").resolvingSymlinksInPath()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("real/dir"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: root.appendingPathComponent("link"), withDestinationURL: root.appendingPathComponent("real"))
        let requested = ApprovedPathPolicyTests.absolute(root.path + "/link/dir/not/yet/there.qvd", .posix)
        #expect(SymlinkResolver.resolveExistingPart(requested).description == root.path + "/real/dir/not/yet/there.qvd")
        let plain = ApprovedPathPolicyTests.absolute(root.path + "/real/x", .posix)
        #expect(SymlinkResolver.resolveExistingPart(plain) == plain)
    }

    // realpath's answer is a POSIX path: a `\` in a real name belongs to the name.
    @Test func backslashesInRealNamesStayInTheName() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("butler-bs-\(UUID().uuidString)").resolvingSymlinksInPath()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("a\\"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("outside"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.path + "/a", withDestinationPath: root.path + "/outside")
        try FileManager.default.createSymbolicLink(atPath: root.path + "/link", withDestinationPath: "a\\")
        let requested = ApprovedPathPolicyTests.absolute(root.path + "/link/shadow", .posix)
        let resolved = SymlinkResolver.resolveExistingPart(requested)
        #expect(resolved.components.suffix(2) == ["a\\", "shadow"])
        #expect(resolved.description == root.path + "/a\\/shadow")
        #expect(SymlinkResolver.resolvedPath("/srv/x\\..\\..\\etc", style: .posix)?.components == ["srv", "x\\..\\..\\etc"])
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The file-system work behind Butler's file routes and Butler's own files, done so that no file is ever
/// left half-written. The routes' operations (descriptor walks, copy, move, delete) are in
/// `FileSystem+Routes.swift`; this file holds what Butler's own files use too (`writeAtomically`).
///
/// Blocking calls: run them off the concurrency pool (`FileService` does).
enum FileSystem {
    enum Kind: Equatable {
        case file, directory, symlink, other
    }

    /// A failed system call: what was attempted on which path, and `errno`.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        let code: Int32

        init(_ operation: String, _ path: String, _ code: Int32 = errno) {
            self.code = code
            description = "\(operation) \(String(reflecting: path)): \(String(cString: strerror(code)))"
        }
    }

    /// What is at `path`, or `nil` when nothing is.
    /// - Parameter followingLinks: false to report a symlink as `.symlink` (even a dangling one).
    static func kind(of path: String, followingLinks: Bool = true) -> Kind? {
        var info = stat()
        guard (followingLinks ? stat(path, &info) : lstat(path, &info)) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// Creates `path` and any missing parents, one `mkdir` at a time; an existing directory is fine.
    static func createDirectories(_ path: String) throws {
        if kind(of: path) == .directory { return }
        var current = ""
        for name in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + name
            if mkdir(current, 0o777) != 0 {
                let code = errno
                guard code == EEXIST, kind(of: current) == .directory else {
                    throw Failure("create directory", current, code == EEXIST ? ENOTDIR : code)
                }
            }
        }
    }

    /// Writes `data` to `path` so that a crash leaves the old file or the new one, never a torn one: a
    /// temporary sibling is written and fsynced, renamed over `path`, and the folder (created if missing)
    /// is fsynced. The file is created readable and writable by its owner only (0600, from creation: the
    /// temporary sibling is opened with that mode, so no other user can open it even for a moment); it is
    /// used for the schedule file and stored script logs.
    /// - Throws: `Failure` naming the step and path.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try createDirectories(folder)
        let temporary = temporarySibling(of: path)
        let file = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard file >= 0 else { throw Failure("create", temporary) }
        var written = 0
        let ok = data.withUnsafeBytes { bytes -> Bool in
            while written < bytes.count {
                let count = write(file, bytes.baseAddress! + written, bytes.count - written)
                guard count > 0 else { return false }
                written += count
            }
            return fsync(file) == 0
        }
        let code = errno
        close(file)
        guard ok, rename(temporary, path) == 0 else {
            let failure = Failure(ok ? "rename into place" : "write", ok ? path : temporary, ok ? errno : code)
            unlink(temporary)
            throw failure
        }
        let directory = open(folder, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    /// A name for a temporary sibling: hidden, unique, recognisable as Butler's.
    static func temporarySibling(of path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let name = ".\(url.lastPathComponent).butler-\(UUID().uuidString.prefix(8)).tmp"
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }
}

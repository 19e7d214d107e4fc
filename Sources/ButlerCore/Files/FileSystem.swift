import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The file-system work behind Butler's file routes, done so that no file is ever left half-written:
/// copies go to a temporary file (or directory) next to the destination, are flushed to disk, and are
/// renamed into place; a move is a rename, or an atomic copy and a delete across file systems.
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

    /// Copies a file or a directory tree to `destination` through a temporary sibling. Symlinks inside a
    /// tree are copied as links, never followed.
    /// - Parameter replacing: false to leave an existing destination alone (for a file this is atomic:
    ///   the copy is hard-linked into place only if the name is free).
    /// - Returns: whether the copy was put in place.
    @discardableResult
    static func copyAtomically(from source: String, to destination: String, preserveTimestamps: Bool, replacing: Bool = true) throws -> Bool {
        let temporary = temporarySibling(of: destination)
        do {
            let isDirectory = kind(of: source) == .directory
            if isDirectory {
                try copyTree(from: source, to: temporary, preserveTimestamps: preserveTimestamps)
            } else {
                try copyFile(from: source, to: temporary, preserveTimestamps: preserveTimestamps)
            }
            if replacing {
                try replace(destination, with: temporary)
                return true
            }
            let placed = isDirectory ? try placeDirectoryIfAbsent(temporary, at: destination) : try linkIfAbsent(temporary, at: destination)
            try? FileManager.default.removeItem(atPath: temporary)
            return placed
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Moves `source` (a symlink is moved itself) to `destination`: a rename on one file system, an atomic
    /// copy and a delete across file systems.
    /// - Parameter replacing: false to leave an existing destination alone (atomic for files).
    /// - Returns: whether `source` was moved.
    @discardableResult
    static func move(from source: String, to destination: String, replacing: Bool) throws -> Bool {
        if !replacing {
            if kind(of: source, followingLinks: false) == .directory {
                guard kind(of: destination, followingLinks: false) == nil else { return false }
            } else {
                if link(source, destination) == 0 {
                    guard unlink(source) == 0 else { throw Failure("remove the moved", source) }
                    return true
                }
                switch errno {
                case EEXIST: return false
                case EXDEV: break
                default: guard kind(of: destination, followingLinks: false) == nil else { return false }
                }
            }
        }
        if rename(source, destination) == 0 { return true }
        if errno == EXDEV {
            guard try copyAtomically(from: source, to: destination, preserveTimestamps: true, replacing: replacing) else { return false }
            try removeTree(source)
            return true
        }
        try replace(destination, with: source)
        return true
    }

    /// Deletes a file or symlink, or a directory with everything in it (links inside are not followed).
    static func removeTree(_ path: String) throws {
        if kind(of: path, followingLinks: false) != .directory {
            guard unlink(path) == 0 else { throw Failure("delete", path) }
            return
        }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw Failure("delete", path, (error as NSError).code == NSFileNoSuchFileError ? ENOENT : EACCES)
        }
    }

    /// Hard-links `file` to `destination` unless the name is taken (atomic no-replace).
    /// (File systems without hard links fall back to a check just before a rename.)
    private static func linkIfAbsent(_ file: String, at destination: String) throws -> Bool {
        if link(file, destination) == 0 { return true }
        switch errno {
        case EEXIST: return false
        case EPERM, EOPNOTSUPP, EMLINK:
            guard kind(of: destination, followingLinks: false) == nil else { return false }
            guard rename(file, destination) == 0 else { throw Failure("rename into place", destination) }
            return true
        default: throw Failure("link into place", destination)
        }
    }

    /// Renames `directory` to `destination` unless something is there (checked just before).
    private static func placeDirectoryIfAbsent(_ directory: String, at destination: String) throws -> Bool {
        guard kind(of: destination, followingLinks: false) == nil else { return false }
        guard rename(directory, destination) == 0 else { throw Failure("rename into place", destination) }
        return true
    }

    /// Writes `data` to `path` so that a crash leaves the old file or the new one, never a torn one: a
    /// temporary sibling is written and fsynced, renamed over `path`, and the folder (created if missing)
    /// is fsynced. The file is created readable by its owner only (mode 0600, from creation).
    /// - Throws: `Failure` naming the step and path.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try createDirectories(folder)
        let temporary = temporarySibling(of: path)
        let file = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
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

    /// Puts `replacement` at `destination` with renames. Where one rename can't (a non-empty directory,
    /// or a file and a directory, in the way), what is there is first moved aside, and removed only once
    /// the replacement is in place; if that fails, it is put back.
    private static func replace(_ destination: String, with replacement: String) throws {
        if rename(replacement, destination) == 0 { return }
        let code = errno
        guard kind(of: destination) != nil else { throw Failure("rename into place", destination, code) }
        let aside = temporarySibling(of: destination)
        guard rename(destination, aside) == 0 else { throw Failure("replace", destination) }
        guard rename(replacement, destination) == 0 else {
            let code = errno
            _ = rename(aside, destination)
            throw Failure("replace", destination, code)
        }
        try? FileManager.default.removeItem(atPath: aside)
    }

    /// Streams one file into a new file (mode kept), flushes it to disk, and sets its times if asked.
    private static func copyFile(from source: String, to target: String, preserveTimestamps: Bool) throws {
        // Non-blocking, so a FIFO can't hang the open; anything but a regular file is refused.
        let input = open(source, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard input >= 0 else { throw Failure("open", source) }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0 else { throw Failure("stat", source) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw Failure("copy", source, EINVAL) }
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, info.st_mode & 0o7777)
        guard output >= 0 else { throw Failure("create", target) }
        defer { close(output) }
        try copyContents(from: input, to: output, source: source, target: target)
        if preserveTimestamps {
            let times = [info.st_atim, info.st_mtim]
            guard futimens(output, times) == 0 else { throw Failure("set times of", target) }
        }
        guard fsync(output) == 0 else { throw Failure("flush", target) }
    }

    /// Kernel-side copy (`sendfile`), with a buffered read/write loop where the kernel can't.
    private static func copyContents(from input: Int32, to output: Int32, source: String, target: String) throws {
        while true {
            let sent = sendfile(output, input, nil, 1 << 30)
            if sent > 0 { continue }
            if sent == 0 { return }
            if errno == EINTR { continue }
            if errno == EINVAL || errno == ENOSYS { break }
            throw Failure("copy to '\(target)' from", source)
        }
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(input, buffer, size)
            if count == 0 { return }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure("read", source)
            }
            var written = 0
            while written < count {
                let result = write(output, buffer + written, count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw Failure("write", target)
                }
                written += result
            }
        }
    }

    /// Copies a directory tree: directories and files, symlinks as links.
    private static func copyTree(from source: String, to target: String, preserveTimestamps: Bool) throws {
        var info = stat()
        guard stat(source, &info) == 0 else { throw Failure("stat", source) }
        guard mkdir(target, info.st_mode & 0o7777 | 0o700) == 0 else { throw Failure("create directory", target) }
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: source)
        } catch {
            throw Failure("list", source, EACCES)
        }
        for name in entries {
            let from = source + "/" + name
            let to = target + "/" + name
            var entry = stat()
            guard lstat(from, &entry) == 0 else { throw Failure("stat", from) }
            switch entry.st_mode & S_IFMT {
            case S_IFDIR: try copyTree(from: from, to: to, preserveTimestamps: preserveTimestamps)
            case S_IFREG: try copyFile(from: from, to: to, preserveTimestamps: preserveTimestamps)
            case S_IFLNK:
                let destination = try FileManager.default.destinationOfSymbolicLink(atPath: from)
                guard symlink(destination, to) == 0 else { throw Failure("link", to) }
            default: continue  // sockets, pipes and devices are not copied
            }
        }
        if preserveTimestamps {
            let times = [info.st_atim, info.st_mtim]
            _ = utimensat(AT_FDCWD, target, times, 0)
        }
    }
}

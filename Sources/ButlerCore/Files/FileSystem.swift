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
        case file, directory, other
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ operation: String, _ path: String, _ code: Int32 = errno) {
            description = "\(operation) '\(path)': \(String(cString: strerror(code)))"
        }
    }

    /// What is at `path` (following symlinks), or `nil` when nothing is.
    static func kind(of path: String) -> Kind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// Creates `path` and any missing parents; an existing directory is fine.
    static func createDirectories(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw Failure("create directory", path, EEXIST)
        }
        guard kind(of: path) == .directory else { throw Failure("create directory", path, ENOTDIR) }
    }

    /// Copies a file or a directory tree to `destination` through a temporary sibling, replacing what is
    /// there. Symlinks inside a tree are copied as links, never followed.
    static func copyAtomically(from source: String, to destination: String, preserveTimestamps: Bool) throws {
        let temporary = temporarySibling(of: destination)
        do {
            if kind(of: source) == .directory {
                try copyTree(from: source, to: temporary, preserveTimestamps: preserveTimestamps)
            } else {
                try copyFile(from: source, to: temporary, preserveTimestamps: preserveTimestamps)
            }
            try replace(destination, with: temporary)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Moves `source` to `destination`, replacing what is there: a rename on one file system, an atomic
    /// copy and a delete across file systems.
    static func move(from source: String, to destination: String) throws {
        if rename(source, destination) == 0 { return }
        if errno == EXDEV {
            try copyAtomically(from: source, to: destination, preserveTimestamps: true)
            try removeTree(source)
            return
        }
        try replace(destination, with: source)
    }

    /// Deletes a file, or a directory with everything in it.
    static func removeTree(_ path: String) throws {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw Failure("delete", path, EACCES)
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
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw Failure("open", source) }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0 else { throw Failure("stat", source) }
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

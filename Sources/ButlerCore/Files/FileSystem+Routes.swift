import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One name in an open directory: what the file routes act on. The directory was reached from an
/// approved directory without following links (`DirectoryHandle.walk`), so the entry is exactly the one
/// that was approved, or the operation fails.
struct FileEntry {
    let directory: DirectoryHandle
    let name: String

    /// What the entry is, a symlink not followed; `nil` when there is nothing of that name.
    var kind: FileSystem.Kind? { directory.kind(name) }
    /// For messages and logs.
    var path: String { directory.pathOf(name) }
}

/// The copy, move, delete and create operations of the file routes, on descriptors.
///
/// Copies go to a hidden temporary sibling (`.<name>.butler-<id>.tmp`), are flushed to disk and renamed
/// into place; a move is a rename, or (across file systems) such a copy and a delete. Nothing is ever read
/// through a symlink: a link is copied or moved as a link (its text kept), inside a tree too.
extension FileSystem {
    /// The entry at `path`, with its parent folders walked from `base` (which holds `path`) without
    /// following links.
    /// - Parameter creatingParents: create missing parent folders.
    /// - Returns: `nil` when a parent folder is missing or not a folder (so nothing is at `path`), and
    ///   `creatingParents` is false.
    /// - Throws: `Failure` (`ELOOP` when a symlink is met where a folder was approved).
    static func entry(_ path: AbsolutePath, below base: AbsolutePath, creatingParents: Bool) throws -> FileEntry? {
        guard let parent = path.parent, parent.isInside(base) else { throw Failure("open", path.description, EINVAL) }
        do {
            return FileEntry(directory: try DirectoryHandle.walk(from: base, to: parent, creating: creatingParents), name: path.lastComponent)
        } catch let failure as Failure where !creatingParents && (failure.code == ENOENT || failure.code == ENOTDIR) {
            return nil
        }
    }

    /// Creates the folder `path` and missing parents below `base`, one `mkdirat` at a time, never
    /// through a symlink; an existing folder is fine.
    static func createDirectories(_ path: AbsolutePath, below base: AbsolutePath) throws {
        _ = try DirectoryHandle.walk(from: base, to: path, creating: true)
    }

    /// Copies `source` (a file, a directory tree, or a symlink as a link) to `destination` through a
    /// temporary sibling.
    /// - Parameter replacing: replace a file at the destination (a directory never is); false to leave
    ///   an existing destination alone (atomic: `link`, or `renameat2(RENAME_NOREPLACE)`).
    /// - Returns: whether the copy was put in place.
    static func copy(_ source: FileEntry, to destination: FileEntry, preserveTimestamps: Bool, replacing: Bool) throws -> Bool {
        let temporary = ".\(destination.name).butler-\(UUID().uuidString.prefix(8)).tmp"
        let isDirectory = source.kind == .directory
        do {
            try makeCopy(of: source, in: destination.directory, named: temporary, preserveTimestamps: preserveTimestamps)
            let placed = try place(temporary, at: destination, isDirectory: isDirectory, replacing: replacing)
            if !placed { try? destination.directory.removeTree(temporary) }
            destination.directory.sync()
            return placed
        } catch {
            if destination.directory.kind(temporary) != nil { try? destination.directory.removeTree(temporary) }
            throw error
        }
    }

    /// Moves `source` to `destination`; a symlink is moved itself: renamed, or across file systems
    /// recreated with the same text and unlinked.
    /// - Parameter replacing: replace a file at the destination (a directory never is); false to leave
    ///   an existing destination alone (atomic).
    /// - Returns: whether `source` was moved.
    static func move(_ source: FileEntry, to destination: FileEntry, replacing: Bool) throws -> Bool {
        let isDirectory = source.kind == .directory
        if !replacing {
            if !isDirectory {
                if linkat(source.directory.descriptor, source.name, destination.directory.descriptor, destination.name, 0) == 0 {
                    guard unlinkat(source.directory.descriptor, source.name, 0) == 0 else { throw Failure("remove the moved", source.path) }
                    destination.directory.sync()
                    return true
                }
                switch errno {
                case EEXIST: return false
                case EXDEV: return try moveAcross(source, to: destination, replacing: false)
                default: break  // no hard links here: a no-replace rename
                }
            }
            do {
                let moved = try source.directory.renameIfAbsent(source.name, to: destination.directory, destination.name)
                destination.directory.sync()
                return moved
            } catch let failure as Failure where failure.code == EXDEV {
                return try moveAcross(source, to: destination, replacing: false)
            }
        }
        if isDirectory {
            // A directory never replaces anything: only into a free name.
            do {
                return try source.directory.renameIfAbsent(source.name, to: destination.directory, destination.name)
            } catch let failure as Failure where failure.code == EXDEV {
                return try moveAcross(source, to: destination, replacing: false)
            }
        }
        let code = source.directory.rename(source.name, to: destination.directory, destination.name)
        if code == 0 {
            destination.directory.sync()
            return true
        }
        guard code == EXDEV else { throw Failure("move to \(String(reflecting: destination.path)) from", source.path, code) }
        return try moveAcross(source, to: destination, replacing: true)
    }

    /// Deletes a file or symlink (never its target), or a directory with everything in it.
    static func remove(_ entry: FileEntry) throws {
        try entry.directory.removeTree(entry.name)
        entry.directory.sync()
    }

    /// Across file systems: an atomic copy (links as links), then the source is removed.
    private static func moveAcross(_ source: FileEntry, to destination: FileEntry, replacing: Bool) throws -> Bool {
        guard try copy(source, to: destination, preserveTimestamps: true, replacing: replacing) else { return false }
        try remove(source)
        return true
    }

    /// Puts the finished copy `temporary` (in the destination's directory) at the destination's name.
    private static func place(_ temporary: String, at destination: FileEntry, isDirectory: Bool, replacing: Bool) throws -> Bool {
        let directory = destination.directory
        if isDirectory { return try directory.renameIfAbsent(temporary, to: directory, destination.name) }
        if replacing {
            let code = directory.rename(temporary, to: directory, destination.name)
            guard code == 0 else { throw Failure("rename into place", destination.path, code) }
            return true
        }
        if linkat(directory.descriptor, temporary, directory.descriptor, destination.name, 0) == 0 {
            _ = unlinkat(directory.descriptor, temporary, 0)
            return true
        }
        switch errno {
        case EEXIST: return false
        case EPERM, EOPNOTSUPP, EMLINK: return try directory.renameIfAbsent(temporary, to: directory, destination.name)
        default: throw Failure("link into place", destination.path)
        }
    }

    /// Copies the entry `source` to the new name `name` in `directory`: a file's contents, a directory's
    /// tree, a symlink as a link with the same text. Sockets, pipes and devices inside a tree are skipped.
    private static func makeCopy(of source: FileEntry, in directory: DirectoryHandle, named name: String, preserveTimestamps: Bool) throws {
        switch source.kind {
        case .file?: try copyFile(source, to: directory, named: name, preserveTimestamps: preserveTimestamps)
        case .directory?: try copyTree(source, to: directory, named: name, preserveTimestamps: preserveTimestamps)
        case .symlink?:
            guard symlinkat(try source.directory.linkText(source.name), directory.descriptor, name) == 0 else {
                throw Failure("link", directory.pathOf(name))
            }
        case .other?, nil: break
        }
    }

    /// Streams one file into a new file (mode kept), flushes it to disk, and sets its times if asked.
    private static func copyFile(_ source: FileEntry, to directory: DirectoryHandle, named name: String, preserveTimestamps: Bool) throws {
        let input = try source.directory.openForReading(source.name)
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0 else { throw Failure("stat", source.path) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw Failure("copy", source.path, EINVAL) }
        let output = try directory.createFile(name, mode: info.st_mode & 0o7777)
        defer { close(output) }
        try copyContents(from: input, to: output, source: source.path, target: directory.pathOf(name))
        if preserveTimestamps {
            let times = [info.st_atim, info.st_mtim]
            guard futimens(output, times) == 0 else { throw Failure("set times of", directory.pathOf(name)) }
        }
        guard fsync(output) == 0 else { throw Failure("flush", directory.pathOf(name)) }
    }

    /// Copies a directory tree entry by entry, each opened relative to its parent's descriptor.
    private static func copyTree(_ source: FileEntry, to directory: DirectoryHandle, named name: String, preserveTimestamps: Bool) throws {
        let from = try source.directory.subdirectory(source.name)
        var info = stat()
        guard fstat(from.descriptor, &info) == 0 else { throw Failure("stat", from.path) }
        guard mkdirat(directory.descriptor, name, info.st_mode & 0o7777 | 0o700) == 0 else {
            throw Failure("create directory", directory.pathOf(name))
        }
        let to = try directory.subdirectory(name)
        for entry in try from.names() {
            try makeCopy(of: FileEntry(directory: from, name: entry), in: to, named: entry, preserveTimestamps: preserveTimestamps)
        }
        if preserveTimestamps {
            let times = [info.st_atim, info.st_mtim]
            _ = futimens(to.descriptor, times)
        }
        to.sync()
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
}

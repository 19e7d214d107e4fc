import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A directory held open by a descriptor, reached from an approved directory one name at a time with
/// `O_NOFOLLOW | O_DIRECTORY`, so that no operation ever passes through a symlink below the approved
/// directory, even one swapped in after the approval check.
///
/// Every name handed to a handle is a single path component (no `/`); entries are opened, created,
/// renamed and removed relative to the descriptor (`openat`, `mkdirat`, `renameat`, `unlinkat`).
/// Failures are `FileSystem.Failure` with `errno` (`ELOOP`: a symlink where a directory was expected).
/// Blocking: use it off the concurrency pool.
final class DirectoryHandle {
    let descriptor: Int32
    /// The directory's path, for messages and logs only (never reopened by this name).
    let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// Opens a directory by its path: an approved directory (resolved at start-up), or `/`.
    static func open(_ path: String) throws -> DirectoryHandle {
        var descriptor = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor < 0, errno == EACCES { descriptor = Glibc.open(path, pathOnly | O_DIRECTORY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw FileSystem.Failure("open directory", path) }
        return DirectoryHandle(descriptor: descriptor, path: path)
    }

    /// Linux `O_PATH` (not exported to Swift): a descriptor that names a directory for the `*at` calls
    /// without read permission, so a folder that may be passed through (`--x`) but not listed still works
    /// on the way, as it does for `mkdir` by path. Listing it (`names`) still needs read permission.
    private static let pathOnly: Int32 = 0o10000000

    /// The directory `directory`, reached from `base` (which holds it) one name at a time without
    /// following links.
    /// - Parameter creating: create missing directories on the way (mode 0777 less the umask), `base`
    ///   too when it is missing (as Butler's fs-extra created a missing approved directory).
    static func walk(from base: AbsolutePath, to directory: AbsolutePath, creating: Bool) throws -> DirectoryHandle {
        precondition(directory.isInside(base), "\(directory) is not inside \(base)")
        var current: DirectoryHandle
        do {
            current = try open(base.description)
        } catch let failure as FileSystem.Failure where creating && failure.code == ENOENT && !base.components.isEmpty {
            current = try walk(from: AbsolutePath(style: base.style, root: base.root, components: []), to: base, creating: true)
        }
        for name in directory.components.dropFirst(base.components.count) {
            current = try current.subdirectory(name, creating: creating)
        }
        return current
    }

    /// The path of the entry `name` here, for messages.
    func pathOf(_ name: String) -> String { path == "/" ? "/" + name : path + "/" + name }

    /// The directory `name` here, never through a symlink.
    /// - Parameter creating: create it when it is missing.
    func subdirectory(_ name: String, creating: Bool = false) throws -> DirectoryHandle {
        let flags = O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        func openChild() -> Int32 {
            let child = openat(descriptor, name, O_RDONLY | flags)
            return child < 0 && errno == EACCES ? openat(descriptor, name, Self.pathOnly | flags) : child
        }
        var child = openChild()
        if child < 0, errno == ENOENT, creating {
            guard mkdirat(descriptor, name, 0o777) == 0 || errno == EEXIST else {
                throw FileSystem.Failure("create directory", pathOf(name))
            }
            child = openChild()
        }
        guard child >= 0 else {
            // A symlink where a directory is expected: ELOOP, or ENOTDIR for a link to a file.
            let code = errno
            throw FileSystem.Failure("open directory", pathOf(name), code == ENOTDIR && kind(name) == .symlink ? ELOOP : code)
        }
        return DirectoryHandle(descriptor: child, path: pathOf(name))
    }

    /// What the entry `name` is, without following a symlink; `nil` when there is none.
    func kind(_ name: String) -> FileSystem.Kind? {
        status(name).map { FileSystem.Kind(mode: $0.st_mode) }
    }

    /// `fstatat` of the entry `name`, not following a symlink; `nil` when there is none.
    func status(_ name: String) -> stat? {
        var info = stat()
        return fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 ? info : nil
    }

    /// The names of the entries here (without `.` and `..`).
    func names() throws -> [String] {
        let copy = dup(descriptor)
        guard copy >= 0, let stream = fdopendir(copy) else {
            let code = errno
            if copy >= 0 { close(copy) }
            throw FileSystem.Failure("list", path, code)
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The text of the symlink `name` (what it points to, as written).
    func linkText(_ name: String) throws -> String {
        let capacity = Int(PATH_MAX)
        var buffer = [CChar](repeating: 0, count: capacity + 1)
        let count = readlinkat(descriptor, name, &buffer, capacity)
        guard count >= 0 else { throw FileSystem.Failure("read link", pathOf(name)) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Opens the entry `name` for reading without following a symlink (`O_NOFOLLOW`, non-blocking so a
    /// FIFO can't hang the call).
    func openForReading(_ name: String) throws -> Int32 {
        let file = openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard file >= 0 else { throw FileSystem.Failure("open", pathOf(name)) }
        return file
    }

    /// Creates the new file `name` (it must not exist; a symlink of that name is not followed).
    func createFile(_ name: String, mode: mode_t) throws -> Int32 {
        let file = openat(descriptor, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard file >= 0 else { throw FileSystem.Failure("create", pathOf(name)) }
        return file
    }

    /// Renames `name` here to `newName` in `directory`, replacing a file (never a non-empty directory).
    /// - Returns: `errno` on failure, 0 on success.
    func rename(_ name: String, to directory: DirectoryHandle, _ newName: String) -> Int32 {
        renameat(descriptor, name, directory.descriptor, newName) == 0 ? 0 : errno
    }

    /// Renames `name` here to `newName` in `directory` only if that name is free: atomically with
    /// `renameat2(RENAME_NOREPLACE)`, else (an old kernel or a file system without it) after a check.
    /// - Returns: `false` when the name was taken (nothing renamed).
    func renameIfAbsent(_ name: String, to directory: DirectoryHandle, _ newName: String) throws -> Bool {
        if let renameat2 = Self.renameat2 {
            if renameat2(descriptor, name, directory.descriptor, newName, 1 /* RENAME_NOREPLACE */) == 0 { return true }
            switch errno {
            case EEXIST: return false
            case EINVAL, ENOSYS: break
            default: throw FileSystem.Failure("rename into place", directory.pathOf(newName))
            }
        }
        guard directory.kind(newName) == nil else { return false }
        guard renameat(descriptor, name, directory.descriptor, newName) == 0 else {
            throw FileSystem.Failure("rename into place", directory.pathOf(newName))
        }
        return true
    }

    /// Removes the entry `name`: a file or symlink (never its target), or a directory and everything in
    /// it, walked by descriptor so that a link inside is removed, never followed.
    func removeTree(_ name: String) throws {
        guard kind(name) == .directory else {
            guard unlinkat(descriptor, name, 0) == 0 else { throw FileSystem.Failure("delete", pathOf(name)) }
            return
        }
        let child = try subdirectory(name)
        for entry in try child.names() { try child.removeTree(entry) }
        guard unlinkat(descriptor, name, AT_REMOVEDIR) == 0 else { throw FileSystem.Failure("delete", pathOf(name)) }
    }

    /// Flushes the directory's entries to disk (after a rename into it).
    func sync() { fsync(descriptor) }

    typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// glibc's `renameat2` (2.28+), looked up at run time: Swift's Glibc module doesn't export it.
    static let renameat2: RenameAt2? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()
}

extension FileSystem.Kind {
    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .file
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink
        default: self = .other
        }
    }
}

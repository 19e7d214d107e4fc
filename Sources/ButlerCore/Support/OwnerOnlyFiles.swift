import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates files and folders readable by their owner only — mode 0600 and 0700 from the moment they
/// exist, not changed afterwards — for what Butler keeps: the database, log files, stored script logs,
/// the schedule file and the simulator's keys. Existing files and folders keep their mode.
public enum OwnerOnlyFiles {
    /// Mode of a file Butler creates.
    public static let fileMode: mode_t = 0o600
    /// Mode of a folder Butler creates.
    public static let directoryMode: mode_t = 0o700

    /// Creates `path` and any missing parent folders, each with mode 0700.
    /// - Throws: `ButlerError.failed` naming the folder that could not be created.
    public static func createDirectories(atPath path: String) throws {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var current = ""
        for component in absolute.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + component
            if mkdir(current, directoryMode) != 0, errno != EEXIST {
                throw ButlerError.failed("Cannot create the folder \(current): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Creates an empty file at `path` with mode 0600 unless one exists; true when it was created.
    /// - Throws: `ButlerError.failed` when the file neither exists nor can be created.
    @discardableResult
    public static func createFile(atPath path: String) throws -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        if descriptor >= 0 {
            close(descriptor)
            return true
        }
        guard errno == EEXIST else {
            throw ButlerError.failed("Cannot create the file \(path): \(String(cString: strerror(errno)))")
        }
        return false
    }

    /// Writes `data` to a new or existing file at `path`, creating it with mode 0600 (an existing file
    /// is truncated and keeps its mode).
    public static func write(_ data: Data, toPath path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else {
            throw ButlerError.failed("Cannot write the file \(path): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        try handle.write(contentsOf: data)
        try handle.close()
    }
}

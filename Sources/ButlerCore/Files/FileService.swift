import Foundation
import Logging

/// Butler's file routes as domain operations: copy, move and delete between approved directories,
/// and directory creation.
///
/// Source: Butler's `PUT /v4/filecopy`, `PUT /v4/filemove`, `DELETE /v4/filedelete`, `POST /v4/createdir`,
/// `POST /v4/createdirqvd` (spec §2.4.4–§2.4.8, §4) with DESIGN.md's Decisions 2 and 3. Order of checks:
/// the path rules (400), then the approval (403), and only then existence (400), so nothing can be learnt
/// about files outside the approved directories. Every operation is logged with the resolved paths and
/// the outcome. File-system work runs on a Dispatch thread, off the concurrency pool.
public struct FileService: Sendable {
    /// What a copy did.
    public enum CopyOutcome: Equatable, Sendable {
        case copied
        /// `overwrite: false` and the destination existed: nothing was copied (Butler: silent 201).
        case keptExistingDestination
    }

    let policy: ApprovedPathPolicy
    let copyPairs: [ApprovedDirectoryPair]
    let movePairs: [ApprovedDirectoryPair]
    let deleteDirectories: [AbsolutePath]
    /// `nil`: anywhere (relative paths against the working directory).
    let createDirectories: [AbsolutePath]?
    let qvdPath: AbsolutePath?
    let workingDirectory: AbsolutePath
    let logger: Logger

    /// Resolves the approved directories of `config` once: relative ones against `workingDirectory` (as
    /// Butler did), symlinks resolved. Returns the service and a warning per entry that doesn't exist or
    /// can't be used (such an entry approves nothing).
    public static func make(
        config: FileOperationsConfig, policy: ApprovedPathPolicy = .host, workingDirectory: String = FileManager.default.currentDirectoryPath,
        logger: Logger
    ) throws -> (FileService, warnings: [String]) {
        guard case .absolute(let cwd) = try PathParser.parse(workingDirectory, style: policy.style, operation: "file") else {
            throw ButlerError.failed("The working directory '\(workingDirectory)' is not an absolute path")
        }
        var warnings: [String] = []
        func approved(_ text: String, _ key: String) -> AbsolutePath? {
            do {
                let path = policy.resolve(try PathParser.parse(text, style: policy.style, operation: "file"), against: cwd)
                if policy.style == .host, FileSystem.kind(of: path.description) != .directory {
                    warnings.append("\(key): the directory '\(text)' (\(path)) does not exist")
                }
                return path
            } catch {
                warnings.append("\(key): '\(text)' can't be used and approves nothing: \(error)")
                return nil
            }
        }
        func pairs(_ entries: [FileOperationsConfig.DirectoryPair], _ key: String) -> [ApprovedDirectoryPair] {
            entries.compactMap { entry in
                guard let from = approved(entry.fromDirectory, "\(key).fromDirectory"),
                    let to = approved(entry.toDirectory, "\(key).toDirectory")
                else { return nil }
                return ApprovedDirectoryPair(from: from, to: to)
            }
        }
        let service = FileService(
            policy: policy,
            copyPairs: pairs(config.copyApprovedDirectories, "Butler.fileCopyApprovedDirectories"),
            movePairs: pairs(config.moveApprovedDirectories, "Butler.fileMoveApprovedDirectories"),
            deleteDirectories: config.deleteApprovedDirectories.compactMap { approved($0, "Butler.fileDeleteApprovedDirectories") },
            createDirectories: config.createDirApprovedDirectories.map { $0.compactMap { approved($0, "Butler.createDirApprovedDirectories") } },
            qvdPath: config.qvdPath.flatMap { approved($0, "Butler.configDirectories.qvdPath") },
            workingDirectory: cwd,
            logger: logger)
        return (service, warnings)
    }

    /// `PUT /v4/filecopy`: copies a file, or a directory with its tree, into place atomically.
    /// - Throws: 400 for a bad path or a missing source, 403 outside every approved pair, 500 on failure.
    public func copy(from: String, to: String, overwrite: Bool, preserveTimestamp: Bool) async throws -> CopyOutcome {
        let (source, destination) = try authorize(from: from, to: to, pairs: copyPairs, operation: "file copy", followingSourceLink: true)
        return try await run("copy", source, destination, failure: "Failed copying file") {
            switch FileSystem.kind(of: source.description) {
            case nil: throw ButlerError.badRequest("fromFile does not exist")
            case .other?: throw ButlerError.badRequest("fromFile is not a regular file or directory")
            default: break
            }
            if !overwrite, FileSystem.kind(of: destination.description, followingLinks: false) != nil { return .keptExistingDestination }
            try FileSystem.createDirectories(destination.parent!.description)
            let copied = try FileSystem.copyAtomically(
                from: source.description, to: destination.description, preserveTimestamps: preserveTimestamp, replacing: overwrite)
            return copied ? .copied : .keptExistingDestination
        }
    }

    /// `PUT /v4/filemove`: moves a file or directory (rename, or atomic copy and delete across file systems).
    /// - Throws: 400 for a bad path or a missing source, 403 outside every approved pair, 409 when the
    ///   destination exists and `overwrite` is false (nothing moved), 500 on failure.
    public func move(from: String, to: String, overwrite: Bool) async throws {
        // A symlink named as the source is moved itself, as fs-extra does.
        let (source, destination) = try authorize(from: from, to: to, pairs: movePairs, operation: "file move", followingSourceLink: false)
        try await run("move", source, destination, failure: "Failed moving file") {
            guard FileSystem.kind(of: source.description, followingLinks: false) != nil else {
                throw ButlerError.badRequest("fromFile does not exist")
            }
            let exists = ButlerError(.conflict, "toFile already exists and overwrite is false: nothing was moved")
            if !overwrite, FileSystem.kind(of: destination.description, followingLinks: false) != nil { throw exists }
            try FileSystem.createDirectories(destination.parent!.description)
            guard try FileSystem.move(from: source.description, to: destination.description, replacing: overwrite) else { throw exists }
        }
    }

    /// `DELETE /v4/filedelete`: deletes a file, or a directory with its tree, below an approved directory.
    /// - Throws: 400 for a bad path or a missing file, 403 outside every approved directory, 500 on failure.
    public func delete(_ file: String) async throws {
        let parsed = try PathParser.parse(file, style: policy.style, operation: "file delete")
        // A symlink named by the path is deleted itself, never its target.
        guard let path = policy.authorize(parsed, in: deleteDirectories, includingDirectoryItself: false, followingFinalLink: false) else {
            logger.warning("File delete refused: \(String(reflecting: file)) is not in an approved directory")
            throw ButlerError.forbidden("No approved directory for file delete")
        }
        try await run("delete", path, failure: "Failed deleting file") {
            guard FileSystem.kind(of: path.description, followingLinks: false) != nil else {
                throw ButlerError.badRequest("Delete failed, file does not exist")
            }
            try FileSystem.removeTree(path.description)
        }
    }

    /// `POST /v4/createdir`: creates a directory and its parents; an existing directory is fine. With
    /// `Butler.createDirApprovedDirectories` it must lie in one of them, else anywhere (as in Butler).
    /// - Throws: 400 for a bad path, 403 outside the approved directories, 500 when it can't be created.
    public func createDirectory(_ directory: String) async throws {
        let parsed = try PathParser.parse(directory, style: policy.style, operation: "create directory")
        let path: AbsolutePath
        if let createDirectories {
            guard let approved = policy.authorize(parsed, in: createDirectories, includingDirectoryItself: true) else {
                throw ButlerError.forbidden("Directory must be within an approved directory (Butler.createDirApprovedDirectories)")
            }
            path = approved
        } else {
            path = policy.resolve(parsed, against: workingDirectory)
        }
        try await run("create directory", path, failure: "Failed to create directory") {
            try FileSystem.createDirectories(path.description)
        }
    }

    /// `POST /v4/createdirqvd`: creates a directory below `Butler.configDirectories.qvdPath`.
    /// - Throws: 400 for a bad path, 403 outside the QVD folder, 500 when it can't be created or no QVD
    ///   folder is configured.
    public func createQVDDirectory(_ directory: String) async throws {
        guard let qvdPath else {
            throw ButlerError.failed("Failed to create directory: Butler.configDirectories.qvdPath is not set")
        }
        let parsed = try PathParser.parse(directory, style: policy.style, operation: "create directory")
        guard let path = policy.authorize(parsed, in: [qvdPath], includingDirectoryItself: true) else {
            throw ButlerError.forbidden("Directory must be within the QVD folder")
        }
        try await run("create directory", path, failure: "Failed to create directory") {
            try FileSystem.createDirectories(path.description)
        }
    }

    private func authorize(
        from: String, to: String, pairs: [ApprovedDirectoryPair], operation: String, followingSourceLink: Bool
    ) throws -> (AbsolutePath, AbsolutePath) {
        let source = try PathParser.parse(from, style: policy.style, operation: operation)
        let destination = try PathParser.parse(to, style: policy.style, operation: operation)
        guard let approved = policy.authorize(from: source, to: destination, in: pairs, followingSourceLink: followingSourceLink) else {
            logger.warning("\(operation) refused: \(String(reflecting: from)) → \(String(reflecting: to)) is not an approved fromDir/toDir pair")
            throw ButlerError.forbidden("No approved fromDir/toDir for \(operation)")
        }
        // Copying or moving a path onto itself, into itself or over its own parent would destroy it.
        if approved.from.isInside(approved.to) || approved.to.isInside(approved.from) {
            throw ButlerError.badRequest("fromFile and toFile must not be the same path, nor one inside the other")
        }
        return approved
    }

    /// Runs blocking file-system work on a Dispatch thread, logging the resolved paths and the outcome.
    /// A `ButlerError` passes through; a name too long for the file system is 400; any other failure is
    /// logged with its cause and reported as `failure` (500).
    private func run<Value: Sendable>(
        _ operation: String, _ paths: AbsolutePath..., failure: String, _ work: @escaping @Sendable () throws -> Value
    ) async throws -> Value {
        // Quoted and escaped, so a name can't forge log lines.
        let description = "\(operation) " + paths.map { String(reflecting: $0.description) }.joined(separator: " → ")
        do {
            let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                DispatchQueue.global().async { continuation.resume(with: Result(catching: work)) }
            }
            let kept = (result as? CopyOutcome) == .keptExistingDestination
            logger.info("File operation: \(description): \(kept ? "destination exists, kept (overwrite: false)" : "done")")
            return result
        } catch let error as ButlerError {
            logger.warning("File operation: \(description): \(error.message)")
            throw error
        } catch let error as FileSystem.Failure where error.code == ENAMETOOLONG {
            logger.warning("File operation: \(description): \(error)")
            throw ButlerError.badRequest("Path is too long for the file system")
        } catch {
            logger.error("File operation: \(description): failed: \(error)")
            throw ButlerError.failed(failure)
        }
    }
}

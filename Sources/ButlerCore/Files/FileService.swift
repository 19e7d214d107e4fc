import Foundation
import Logging

/// Butler's file routes as domain operations: copy, move and delete between approved directories,
/// and directory creation.
///
/// Source: Butler's `PUT /v4/filecopy`, `PUT /v4/filemove`, `DELETE /v4/filedelete`, `POST /v4/createdir`,
/// `POST /v4/createdirqvd` (spec §2.4.4–§2.4.8, §4) with DESIGN.md's Decisions 2 and 3. Order of checks:
/// the path rules (400), then the approval and the protection of approved directories (403), and only
/// then existence (400, naming the path) and the kinds at both ends (409), so nothing can be learnt about
/// files outside the approved directories. The work itself goes through `FileSystem`'s descriptor walks
/// (nothing is followed through a symlink). Every operation is logged with the resolved paths and the
/// outcome. File-system work runs on a Dispatch thread, off the concurrency pool.
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
    /// Every approved directory of every route and the QVD folder, resolved and as configured: no route
    /// deletes, replaces or moves one of them, nor a folder holding one.
    let protectedDirectories: [AbsolutePath]
    let workingDirectory: AbsolutePath
    let logger: Logger

    /// Resolves the approved directories of `config` once: relative ones against `workingDirectory` (as
    /// Butler did), symlinks resolved. Returns the service and a warning per entry that doesn't exist or
    /// can't be used (such an entry approves nothing), and about `createDirApprovedDirectories` when
    /// `createDirEnabled`: absent (createdir may create anywhere) or present but empty (it refuses all).
    public static func make(
        config: FileOperationsConfig, policy: ApprovedPathPolicy = .host, workingDirectory: String = FileManager.default.currentDirectoryPath,
        createDirEnabled: Bool = true, logger: Logger
    ) throws -> (FileService, warnings: [String]) {
        guard case .absolute(let cwd) = try PathParser.parse(workingDirectory, style: policy.style, operation: "file") else {
            throw ButlerError.failed("The working directory '\(workingDirectory)' is not an absolute path")
        }
        var warnings: [String] = []
        var protected: [AbsolutePath] = []
        func approved(_ text: String, _ key: String) -> AbsolutePath? {
            do {
                let parsed = try PathParser.parse(text, style: policy.style, operation: "file")
                let path = policy.resolve(parsed, against: cwd)
                protected += [path, parsed.resolved(against: cwd)]
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
        if createDirEnabled {
            switch config.createDirApprovedDirectories {
            case nil:
                warnings.append(
                    "Butler.createDirApprovedDirectories is not set: POST /v4/createdir may create directories anywhere this process may write (Butler's behaviour); list folders to limit it")
            case let directories? where directories.isEmpty:
                warnings.append(
                    "Butler.createDirApprovedDirectories is present but lists no folder: POST /v4/createdir refuses every directory (403)")
            default: break
            }
        }
        let service = FileService(
            policy: policy,
            copyPairs: pairs(config.copyApprovedDirectories, "Butler.fileCopyApprovedDirectories"),
            movePairs: pairs(config.moveApprovedDirectories, "Butler.fileMoveApprovedDirectories"),
            deleteDirectories: config.deleteApprovedDirectories.compactMap { approved($0, "Butler.fileDeleteApprovedDirectories") },
            createDirectories: config.createDirApprovedDirectories.map { $0.compactMap { approved($0, "Butler.createDirApprovedDirectories") } },
            qvdPath: config.qvdPath.flatMap { approved($0, "Butler.configDirectories.qvdPath") },
            protectedDirectories: protected,
            workingDirectory: cwd,
            logger: logger)
        return (service, warnings)
    }

    /// `PUT /v4/filecopy`: copies a file, or a directory with its tree, into place atomically. Only a
    /// file replaces a file (`overwrite`); a directory is never replaced, merged into, or put over a file.
    /// - Throws: 400 for a bad path or a missing source (naming it), 403 outside every approved pair or
    ///   onto an approved directory, 409 for a file over a directory, a directory over a file, or a
    ///   directory over a directory with `overwrite` (nothing changed), 500 on failure.
    public func copy(from: String, to: String, overwrite: Bool, preserveTimestamp: Bool) async throws -> CopyOutcome {
        let approved = try authorize(from: from, to: to, pairs: copyPairs, operation: "file copy", moving: false)
        return try await run("copy", approved.from, approved.to, failure: "Failed copying file") {
            // The source was resolved through links: a link still there is dangling (or was just swapped in).
            guard let source = try FileSystem.entry(approved.from, below: approved.fromBase, creatingParents: false),
                let kind = source.kind, kind != .symlink
            else { throw Self.missing("fromFile does not exist", from) }
            guard kind != .other else { throw ButlerError.badRequest("fromFile is not a regular file or directory") }
            if let existing = try FileSystem.entry(approved.to, below: approved.toBase, creatingParents: false)?.kind {
                try Self.checkKinds(source: kind, destination: existing, overwrite: overwrite)
                if !overwrite { return .keptExistingDestination }
            }
            let destination = try FileSystem.entry(approved.to, below: approved.toBase, creatingParents: true)!
            guard try FileSystem.copy(source, to: destination, preserveTimestamps: preserveTimestamp, replacing: overwrite) else {
                if overwrite { throw Self.appeared }
                return .keptExistingDestination
            }
            return .copied
        }
    }

    /// `PUT /v4/filemove`: moves a file, directory or symlink (the link itself): a rename, or across file
    /// systems an atomic copy (links recreated as links) and a delete. Same replacement rules as `copy`.
    /// - Throws: 400 for a bad path or a missing source (naming it), 403 outside every approved pair or
    ///   for an approved directory, 409 when the destination exists and `overwrite` is false or the kinds
    ///   don't allow a replacement (nothing moved), 500 on failure.
    public func move(from: String, to: String, overwrite: Bool) async throws {
        // A symlink named as the source is moved itself, as fs-extra does.
        let approved = try authorize(from: from, to: to, pairs: movePairs, operation: "file move", moving: true)
        try await run("move", approved.from, approved.to, failure: "Failed moving file") {
            guard let source = try FileSystem.entry(approved.from, below: approved.fromBase, creatingParents: false), let kind = source.kind else {
                throw Self.missing("fromFile does not exist", from)
            }
            let exists = ButlerError(.conflict, "toFile already exists and overwrite is false: nothing was moved")
            if let existing = try FileSystem.entry(approved.to, below: approved.toBase, creatingParents: false)?.kind {
                try Self.checkKinds(source: kind, destination: existing, overwrite: overwrite)
                if !overwrite { throw exists }
            }
            let destination = try FileSystem.entry(approved.to, below: approved.toBase, creatingParents: true)!
            guard try FileSystem.move(source, to: destination, replacing: overwrite) else { throw overwrite ? Self.appeared : exists }
        }
    }

    /// `DELETE /v4/filedelete`: deletes a file, or a directory with its tree, below an approved directory.
    /// - Throws: 400 for a bad path or a missing file (naming it), 403 outside every approved directory or
    ///   for an approved directory (or a folder holding one), 500 on failure.
    public func delete(_ file: String) async throws {
        let parsed = try PathParser.parse(file, style: policy.style, operation: "file delete")
        // A symlink named by the path is deleted itself, never its target.
        guard let path = policy.authorize(parsed, in: deleteDirectories, includingDirectoryItself: false, followingFinalLink: false),
            let base = deleteDirectories.first(where: { path.isStrictlyInside($0) })
        else {
            logger.warning("File delete refused: \(String(reflecting: file)) is not in an approved directory")
            throw ButlerError.forbidden("No approved directory for file delete")
        }
        try refuseProtected(path, "deleteFile", "deleted")
        try await run("delete", path, failure: "Failed deleting file") {
            guard let entry = try FileSystem.entry(path, below: base, creatingParents: false), entry.kind != nil else {
                throw Self.missing("Delete failed, file does not exist", file)
            }
            try FileSystem.remove(entry)
        }
    }

    /// `POST /v4/createdir`: creates a directory and its parents; an existing directory is fine. With
    /// `Butler.createDirApprovedDirectories` it must lie in one of them (a present but empty list approves
    /// nothing), else anywhere (as in Butler).
    /// - Throws: 400 for a bad path, 403 outside the approved directories, 500 when it can't be created.
    public func createDirectory(_ directory: String) async throws {
        let parsed = try PathParser.parse(directory, style: policy.style, operation: "create directory")
        let path: AbsolutePath
        let base: AbsolutePath
        if let createDirectories {
            guard let approved = policy.authorize(parsed, in: createDirectories, includingDirectoryItself: true),
                let holder = createDirectories.first(where: { approved.isInside($0) })
            else {
                throw ButlerError.forbidden("Directory must be within an approved directory (Butler.createDirApprovedDirectories)")
            }
            path = approved
            base = holder
        } else {
            path = policy.resolve(parsed, against: workingDirectory)
            base = AbsolutePath(style: path.style, root: path.root, components: [])
        }
        try await run("create directory", path, failure: "Failed to create directory") {
            try FileSystem.createDirectories(path, below: base)
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
            try FileSystem.createDirectories(path, below: qvdPath)
        }
    }

    /// Resolved copy or move paths and the approved directories holding them.
    struct ApprovedPaths: Sendable {
        let from: AbsolutePath
        let to: AbsolutePath
        let fromBase: AbsolutePath
        let toBase: AbsolutePath
    }

    /// Parses, resolves and approves a copy's or move's paths; an approved directory (or a folder holding
    /// one) may be the destination of neither, nor the source of a move.
    /// - Parameter moving: true for a move: a symlink named as the source is moved itself (not followed).
    private func authorize(
        from: String, to: String, pairs: [ApprovedDirectoryPair], operation: String, moving: Bool
    ) throws -> ApprovedPaths {
        let source = try PathParser.parse(from, style: policy.style, operation: operation)
        let destination = try PathParser.parse(to, style: policy.style, operation: operation)
        guard let approved = policy.authorize(from: source, to: destination, in: pairs, followingSourceLink: !moving),
            let pair = pairs.first(where: { approved.from.isStrictlyInside($0.from) && approved.to.isStrictlyInside($0.to) })
        else {
            logger.warning("\(operation) refused: \(String(reflecting: from)) → \(String(reflecting: to)) is not an approved fromDir/toDir pair")
            throw ButlerError.forbidden("No approved fromDir/toDir for \(operation)")
        }
        if moving { try refuseProtected(approved.from, "fromFile", "moved") }
        try refuseProtected(approved.to, "toFile", "replaced")
        // Copying or moving a path onto itself, into itself or over its own parent would destroy it.
        if approved.from.isInside(approved.to) || approved.to.isInside(approved.from) {
            throw ButlerError.badRequest("fromFile and toFile must not be the same path, nor one inside the other")
        }
        return ApprovedPaths(from: approved.from, to: approved.to, fromBase: pair.from, toBase: pair.to)
    }

    /// 403 when `path` is an approved directory (of any route, or the QVD folder) or holds one.
    private func refuseProtected(_ path: AbsolutePath, _ field: String, _ verb: String) throws {
        guard protectedDirectories.contains(where: { $0.isInside(path) }) else { return }
        logger.warning("File operation refused: \(String(reflecting: path.description)) is, or holds, an approved directory")
        throw ButlerError.forbidden("\(field) is an approved directory, or holds one: it can't be \(verb)")
    }

    /// 409 unless the destination's kind allows the replacement: a file (or symlink) over a file, or
    /// (with `overwrite` false, which changes nothing) anything over anything.
    static func checkKinds(source: FileSystem.Kind, destination: FileSystem.Kind, overwrite: Bool) throws {
        switch (source == .directory, destination == .directory) {
        case (false, true):
            throw ButlerError(.conflict, "toFile is a directory and fromFile is not: a directory is never replaced (nothing was changed)")
        case (true, false):
            throw ButlerError(.conflict, "fromFile is a directory and toFile is not: a file is never replaced by a directory (nothing was changed)")
        case (true, true) where overwrite:
            throw ButlerError(.conflict, "toFile is an existing directory: a directory is never replaced or merged into (nothing was changed)")
        default: return
        }
    }

    /// A directory appeared at the destination between the check and the rename.
    static let appeared = ButlerError(.conflict, "toFile appeared while the operation ran: nothing was changed")

    /// 400 naming the path as the request wrote it (quoted and escaped; cut after 300 characters).
    static func missing(_ message: String, _ path: String) -> ButlerError {
        let shown = path.unicodeScalars.count > 300 ? String(String.UnicodeScalarView(path.unicodeScalars.prefix(300))) + "…" : path
        return .badRequest("\(message): \(String(reflecting: shown))")
    }

    /// Runs blocking file-system work on a Dispatch thread, logging the resolved paths and the outcome.
    /// A `ButlerError` passes through; a name too long for the file system is 400; a file where a folder is
    /// needed, or a path that changed during the work (a link appeared, a name vanished or appeared), is
    /// 409; any other failure is logged with its cause and reported as `failure` (500).
    private func run<Value: Sendable>(
        _ operation: String, _ paths: AbsolutePath..., failure: String, _ work: @escaping @Sendable () throws -> Value
    ) async throws -> Value {
        // A relative path made absolute may be longer than any path the file system can name.
        guard paths.allSatisfy({ $0.description.utf8.count <= PathParser.maxLength }) else { throw PathParser.tooLong }
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
        } catch let error as FileSystem.Failure where error.code == ELOOP {
            // A folder on the way was swapped for a symlink after the approval: nothing is done through it.
            logger.warning("File operation: \(description): \(error)")
            throw ButlerError(.conflict, "A path changed while the operation ran (a symlink appeared): stopped")
        } catch let error as FileSystem.Failure where error.code == ENOTDIR {
            // A name on the way is a file where a folder is needed (e.g. an earlier request put one there).
            logger.warning("File operation: \(description): \(error)")
            throw ButlerError(.conflict, "A name on the path is a file where a folder is needed: nothing was changed")
        } catch let error as FileSystem.Failure where [ENOENT, EEXIST, ENOTEMPTY].contains(error.code) {
            // Something on the way vanished or appeared after the checks (another request, another process).
            logger.warning("File operation: \(description): \(error)")
            throw ButlerError(.conflict, "A path changed while the operation ran: stopped")
        } catch let error as FileSystem.Failure where error.code == ENAMETOOLONG {
            logger.warning("File operation: \(description): \(error)")
            throw PathParser.tooLong
        } catch {
            logger.error("File operation: \(description): failed: \(error)")
            throw ButlerError.failed(failure)
        }
    }
}

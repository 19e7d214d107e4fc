import ButlerCore
import Hummingbird

/// The file routes: `PUT /v4/filecopy` (switch `fileCopy`), `PUT /v4/filemove` (`fileMove`),
/// `DELETE /v4/filedelete` (`fileDelete`), `POST /v4/createdir` (`createDir`), `POST /v4/createdirqvd`
/// (`createDirQVD`).
///
/// Source: Butler's routes and the seed: 201 echoes with paths in normalised `/` form and flags as
/// booleans (`"true"`/`"false"` strings accepted), 204 with no body for delete, "Required parameter
/// missing" for absent or empty paths. The rules themselves are `FileService`'s.
struct FileController {
    struct CopyEcho: Encodable {
        let fromFile: String
        let toFile: String
        let overwrite: Bool
        let preserveTimestamp: Bool
    }

    struct MoveEcho: Encodable {
        let fromFile: String
        let toFile: String
        let overwrite: Bool
    }

    struct DirectoryEcho: Encodable {
        let directory: String
    }

    let files: FileService
    let endpoints: EndpointSwitches

    func register(on router: Router<ButlerRequestContext>) {
        if endpoints.isEnabled(.fileCopy) { router.put("/v4/filecopy", use: copy) }
        if endpoints.isEnabled(.fileMove) { router.put("/v4/filemove", use: move) }
        if endpoints.isEnabled(.fileDelete) { router.delete("/v4/filedelete", use: delete) }
        if endpoints.isEnabled(.createDir) { router.post("/v4/createdir", use: createDirectory) }
        if endpoints.isEnabled(.createDirQVD) { router.post("/v4/createdirqvd", use: createQVDDirectory) }
    }

    @Sendable func copy(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let body = try await fields(request, context)
        let (from, to) = (try requiredPath(body, "fromFile"), try requiredPath(body, "toFile"))
        let overwrite = try body.boolean("overwrite") ?? false
        let preserveTimestamp = try body.boolean("preserveTimestamp") ?? false
        _ = try await files.copy(from: from, to: to, overwrite: overwrite, preserveTimestamp: preserveTimestamp)
        let echo = CopyEcho(
            fromFile: PathParser.normalisedText(from), toFile: PathParser.normalisedText(to), overwrite: overwrite,
            preserveTimestamp: preserveTimestamp)
        return try JSONResponse.make(echo, status: .created)
    }

    @Sendable func move(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let body = try await fields(request, context)
        let (from, to) = (try requiredPath(body, "fromFile"), try requiredPath(body, "toFile"))
        let overwrite = try body.boolean("overwrite") ?? false
        try await files.move(from: from, to: to, overwrite: overwrite)
        let echo = MoveEcho(fromFile: PathParser.normalisedText(from), toFile: PathParser.normalisedText(to), overwrite: overwrite)
        return try JSONResponse.make(echo, status: .created)
    }

    @Sendable func delete(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        try await files.delete(try requiredPath(try await fields(request, context), "deleteFile"))
        return JSONResponse.noContent()
    }

    @Sendable func createDirectory(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let directory = try requiredPath(try await fields(request, context), "directory")
        try await files.createDirectory(directory)
        return try JSONResponse.make(DirectoryEcho(directory: directory), status: .created)
    }

    @Sendable func createQVDDirectory(_ request: Request, context: ButlerRequestContext) async throws -> Response {
        let directory = try requiredPath(try await fields(request, context), "directory")
        try await files.createQVDDirectory(directory)
        return try JSONResponse.make(DirectoryEcho(directory: directory), status: .created)
    }

    /// The body's fields; no body at all counts as `{}`, so it gets Butler's "Required parameter missing".
    private func fields(_ request: Request, _ context: ButlerRequestContext) async throws -> SchemaFields {
        try SchemaFields(body: try await request.jsonBody(context: context) ?? .object([:]))
    }

    private func requiredPath(_ body: SchemaFields, _ name: String) throws -> String {
        guard let path = try body.string(name), !path.isEmpty else {
            throw ButlerError.badRequest("Required parameter missing")
        }
        return path
    }
}

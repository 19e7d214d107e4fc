import ButlerCore
import ButlerServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Attack finding (issue 12 review): a path of tens of thousands of names (`"d/" × n`, well inside the
/// 1 MiB body limit) made the approval check quadratic (`SymlinkResolver.resolveExistingPart` rebuilds and
/// `realpath`s every prefix, on the concurrency pool), so two such requests stopped Butler answering
/// anything for minutes, and the copy then created the whole chain of folders, deeper than any path the
/// system can name (`PATH_MAX`). A path longer than the file system can name is refused at once with 400,
/// and nothing is created.
extension FileRouteTests {
    /// Longer than Linux's `PATH_MAX` (4,096 bytes), far shorter than what showed the quadratic time.
    static let overlongTail = String(repeating: "d/", count: 5_000) + "x"

    @Test(arguments: ["/v4/filecopy", "/v4/filemove"])
    func aDestinationLongerThanThePathLimitIsRefused(route: String) async throws {
        let tree = try Tree()
        try tree.write("from/a.txt", "a")
        try await withButler(tree.config) { client in
            let response = try await client.send(.put, route, json: """
                {"fromFile":"\(tree.path("from/a.txt"))","toFile":"\(tree.path("to"))/\(Self.overlongTail)"}
                """)
            // Status only: a failing echo would print the 10 KB path.
            #expect(response.status == .badRequest)
        }
        #expect(tree.exists("from/a.txt"))
        #expect(!tree.exists("to/d"), "nothing is created below the approved directory")
    }

    @Test func aQVDFolderLongerThanThePathLimitIsRefused() async throws {
        let tree = try Tree()
        try await withButler(tree.config) { client in
            let response = try await client.send(.post, "/v4/createdirqvd", json: """
                {"directory":"\(Self.overlongTail)"}
                """)
            #expect(response.status == .badRequest)
        }
        #expect(!tree.exists("qvd/d"), "nothing is created in the QVD folder")
    }

    // Made absolute, a relative path within the limit may be longer than any path the system can name.
    @Test func aRelativePathThatBecomesTooLongIsRefused() async throws {
        let tree = try Tree()
        try tree.write("from/a.txt", "a")
        let tail = String(repeating: "d/", count: 2_040) + "x"
        try await withButler(tree.config) { client in
            let response = try await client.send(.put, "/v4/filecopy", json: """
                {"fromFile":"\(tree.path("from/a.txt"))","toFile":"\(tail)"}
                """)
            #expect(response.json == butlerError(400, "Bad Request", "Path is too long for the file system (at most 4096 bytes)"))
        }
        #expect(!tree.exists("to/d"))
    }
}

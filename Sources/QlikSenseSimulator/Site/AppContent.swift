/// What the Engine serves for one app: its load script and the objects of an app dump.
///
/// Placeholder for the Engine simulator: only the load script so far.
public struct AppContent: Sendable, Decodable {
    public var script: String = ""

    public init(script: String = "") {
        self.script = script
    }
}

/// A service that owns connections (an HTTP client) and can close them before it ever ran: used when
/// building the application fails after it was made.
public protocol ClosableService: Sendable {
    /// Closes the connections at once (synchronously; never called from an event loop).
    func closeNow()
}

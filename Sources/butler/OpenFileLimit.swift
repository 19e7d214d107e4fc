#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// The process's open-file limit (`RLIMIT_NOFILE`), which every connection, database handle and file
/// route draws on.
///
/// The usual soft limit (1,024) is barely above the default `restServerConfig.maxConnections` (1,000), so
/// a pile of connections would exhaust descriptors before the cap refuses any, and file routes and the
/// database would fail with "Too many open files". At start-up the soft limit is raised to the hard one,
/// and a cap the limit can't serve (with a reserve for everything else) is warned about.
enum OpenFileLimit {
    /// Descriptors kept for the database, log files, file routes, outbound clients and listeners.
    static let reserve = 128

    /// Raises the soft limit to the hard limit; warns when `maxConnections + reserve` is still above it.
    static func raise(toServe maxConnections: Int, logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let available = Int(clamping: limit.rlim_cur)
        if maxConnections > available - reserve {
            logger.warning("API: the open-file limit is \(available), too low for restServerConfig.maxConnections \(maxConnections) plus \(reserve) for the database and files: lower maxConnections to \(max(available - reserve, 1)) or raise the limit (ulimit -n, LimitNOFILE=)")
        }
    }
}

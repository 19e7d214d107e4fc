/// Butler's log levels (`Butler.logLevel`, `--loglevel`), from most to least severe.
public enum LogLevel: String, CaseIterable, Codable, Sendable {
    case error, warn, info, verbose, debug, silly

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let level = LogLevel(rawValue: text.lowercased()) else {
            throw ConfigError(decoder.codingPath, "expected one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", ")), found '\(text)'")
        }
        self = level
    }
}

import Logging

extension LogLevel {
    /// The swift-log level: `verbose` and `debug` both map to `.debug`, `silly` to `.trace`.
    public var loggerLevel: Logger.Level {
        switch self {
        case .error: .error
        case .warn: .warning
        case .info: .info
        case .verbose, .debug: .debug
        case .silly: .trace
        }
    }
}

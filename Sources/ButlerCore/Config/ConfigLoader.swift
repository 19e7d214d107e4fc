import Foundation
import Yams

/// Reads Butler's YAML config file into a `ButlerConfig`.
///
/// Source: Butler's config format (root key `Butler`, see `config/production_template.yaml`). Problems
/// are reported with the key path: `Butler.restServerConfig.serverPort: expected an integer`.
public enum ConfigLoader {
    /// A decoded config and the warnings found on the way (unknown keys).
    public struct Loaded: Sendable {
        public var config: ButlerConfig
        public var warnings: [String]
    }

    private struct File: Decodable {
        let butler: ButlerConfig

        enum CodingKeys: String, CodingKey, CaseIterable {
            case butler = "Butler"
        }

        init(from decoder: any Decoder) throws {
            try decoder.warnAboutUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            butler = try container.decode(ButlerConfig.self, forKey: .butler)
        }
    }

    /// Decodes config text.
    /// - Throws: `ConfigError` naming the key path and what was expected, or the YAML syntax error.
    public static func load(yaml: String) throws -> Loaded {
        let collector = ConfigWarningCollector()
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ConfigError(path: "", problem: "the config file is empty; expected a mapping with the root key 'Butler'")
            }
            guard node.mapping != nil else {
                throw ConfigError(path: "", problem: "expected a mapping with the root key 'Butler'")
            }
            let file = try YAMLDecoder().decode(File.self, from: node, userInfo: [ConfigWarningCollector.userInfoKey: collector])
            return Loaded(config: file.butler, warnings: collector.warnings)
        } catch let error as DecodingError {
            throw error.configError
        } catch let error as YamlError {
            throw ConfigError(path: "", problem: "not valid YAML: \(Self.describe(error))")
        }
    }

    /// The YAML library's problem and where it is, without the line of the file it quotes: that line may
    /// hold a password or a webhook URL, and this message goes to standard error and the service log.
    static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            "\(problem) at line \(mark.line), column \(mark.column)"
        case .reader(let problem, let offset, _, _):
            "\(problem)" + (offset.map { " at byte \($0)" } ?? "")
        case .duplicatedKeysInMapping(let duplicates, let context):
            "duplicated keys \(duplicates.joined(separator: ", ")) at line \(context.mark.line), column \(context.mark.column)"
        default:
            "\(error)"
        }
    }

    /// Reads and decodes a config file.
    /// - Throws: `ConfigError` when the file can't be read or isn't a valid config.
    public static func load(file path: String) throws -> Loaded {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ConfigError(path: "", problem: "no config file at '\(path)'")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(path: "", problem: "cannot read config file '\(path)': \(error.localizedDescription)")
        }
        return try load(yaml: text)
    }

    /// The config Butler uses when no `--configfile` is given and `config/butler.yaml` doesn't exist.
    /// It is the same text as the shipped `config/butler.yaml` (a test checks that).
    public static func builtInDefault() -> ButlerConfig {
        // The embedded text is known to be valid; a failure here is a build defect.
        try! load(yaml: defaultConfigYAML).config
    }
}

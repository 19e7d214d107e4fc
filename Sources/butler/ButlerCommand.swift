import ArgumentParser
import ButlerCore

/// `butler`: Butler's command line. Without a subcommand it runs the server (`butler -c config.yaml`),
/// as Butler does.
@main
struct ButlerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "butler",
        abstract: "Butler in Swift: add-on services for Qlik Sense Enterprise on Windows.",
        discussion: """
            Runs Butler's REST API (key-value store, base conversion, endpoint list, ping, …) from \
            Butler's YAML config file. Without --configfile, config/butler.yaml is used when it \
            exists, else built-in defaults (REST API on 127.0.0.1:8080, key-value store in \
            data/butler.sqlite, no Qlik Sense).
            """,
        version: ButlerVersion.current,
        subcommands: [Serve.self],
        defaultSubcommand: Serve.self
    )
}

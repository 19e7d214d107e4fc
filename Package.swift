// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "butler-swift",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "butler", targets: ["butler"]),
        .executable(name: "qlik-sense-sim", targets: ["qlik-sense-sim"]),
        .library(name: "ButlerServer", targets: ["ButlerServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    ],
    targets: [
        // Domain: config model, key-value rules, base conversion, errors. No HTTP, no NIO.
        .target(
            name: "ButlerCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        // Durable stores (SQLite through GRDB).
        .target(
            name: "ButlerStore",
            dependencies: [
                "ButlerCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libmosquitto (Debian libmosquitto-dev), the MQTT client library.
        .systemLibrary(name: "CMosquitto", providers: [.apt(["libmosquitto-dev"])]),
        // libcurl (Debian libcurl4-openssl-dev), for SMTP.
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Outside services Butler sends to (Slack, New Relic, …), over AsyncHTTPClient.
        .target(
            name: "ButlerNotifications",
            dependencies: [
                "ButlerCore",
                "CMosquitto",
                "CCurl",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Clients of a Qlik Sense site: QRS (HTTPS with a client certificate) and the Engine.
        .target(
            name: "QlikSense",
            dependencies: [
                "ButlerCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Hummingbird routes, middleware and the composition root `buildApplication(config:)`.
        .target(
            name: "ButlerServer",
            dependencies: [
                "ButlerCore",
                "ButlerStore",
                "ButlerNotifications",
                "QlikSense",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The `butler` command: argument parsing, config loading, run.
        .executableTarget(
            name: "butler",
            dependencies: [
                "ButlerCore",
                "ButlerServer",
                "ButlerNotifications",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A stand-in for a Qlik Sense site (QRS, Engine, Scheduler UDP messages) for tests and for trying
        // Butler without a site; also writes certificate sets laid out like a QMC export.
        .target(
            name: "QlikSenseSimulator",
            dependencies: [
                "ButlerCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // `qlik-sense-sim`: the simulator as a command, for trying Butler without a Qlik Sense site.
        .executableTarget(
            name: "qlik-sense-sim",
            dependencies: [
                "QlikSenseSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "ButlerCoreTests", dependencies: ["ButlerCore"]),
        .testTarget(
            name: "ButlerStoreTests",
            dependencies: ["ButlerCore", "ButlerStore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "ButlerServerTests",
            dependencies: [
                "ButlerCore",
                "ButlerServer",
                "ButlerNotifications",
                "QlikSenseSimulator",
                "QlikSense",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["butler"]),
    ],
    swiftLanguageModes: [.v6]
)

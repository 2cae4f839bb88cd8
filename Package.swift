// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SwitchboardCore", targets: ["SwitchboardCore"]),
        .library(name: "SwitchboardOrigin", targets: ["SwitchboardOrigin"]),
        .library(name: "SwitchboardClient", targets: ["SwitchboardClient"]),
        .library(name: "LMDB", targets: ["LMDB"]),
        .library(name: "SwitchboardEdge", targets: ["SwitchboardEdge"]),
        .executable(name: "switchboard-origin", targets: ["switchboard-origin"]),
        .executable(name: "switchboard-edge", targets: ["switchboard-edge"]),
        .executable(name: "switchboard", targets: ["switchboard"]),
        .executable(name: "switchboard-bench", targets: ["switchboard-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        // The version and commit of the build, stamped by the plugin below.
        .target(name: "SwitchboardBuildInfo", plugins: ["BuildInfoPlugin"]),
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        // The lock every target shares (a pthread mutex: ThreadSanitizer sees it).
        .target(name: "SwitchboardLocking", swiftSettings: swiftSettings),
        // Ids, model types, wire protocol and errors. No I/O.
        .target(
            name: "SwitchboardCore",
            dependencies: ["SwitchboardLocking"],
            swiftSettings: swiftSettings
        ),
        // Who sees what of a workspace: one pure router for the origin's gateway and the edge's.
        .target(name: "SwitchboardRouting", dependencies: ["SwitchboardCore"], swiftSettings: swiftSettings),
        // Debian's liblmdb-dev as a system library.
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        // A small, safe Swift wrapper over LMDB. Knows nothing about chat.
        .target(name: "LMDB", dependencies: ["CLMDB"], swiftSettings: swiftSettings),
        // HS256 tokens: issued by the origin, verified by origin and edges alike.
        .target(
            name: "SwitchboardAuth",
            dependencies: ["SwitchboardCore", .product(name: "JWTKit", package: "jwt-kit"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "_CryptoExtras", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // TLS files and settings shared by servers and clients: certificates, trust, reloads.
        .target(
            name: "SwitchboardTLS",
            dependencies: ["SwitchboardLocking",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The server runtime both daemons run on: the server channel (TLS, HTTP/2, WebSocket
        // upgrades), the gateway's connection loop and session outboxes, error mapping, bounded queues.
        .target(
            name: "SwitchboardServer",
            dependencies: ["SwitchboardLocking",
                "SwitchboardCore",
                "SwitchboardBuildInfo",
                "SwitchboardTLS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Web")],
            swiftSettings: swiftSettings
        ),
        // The origin server: storage, REST API, auth, rate limits.
        .target(
            name: "SwitchboardOrigin",
            dependencies: ["SwitchboardLocking",
                "SwitchboardCore",
                "SwitchboardAuth",
                "SwitchboardServer",
                "SwitchboardRouting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The regional edge: upstream feed per workspace, LMDB state, working set, lazy loads.
        .target(
            name: "SwitchboardEdge",
            dependencies: ["SwitchboardLocking",
                "SwitchboardCore",
                "SwitchboardAuth",
                "SwitchboardServer",
                "SwitchboardRouting",
                "SwitchboardSockets",
                "SwitchboardTLS",
                "LMDB",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // Client-side WebSockets: dialing (TLS, no SNI for IP literals), frames read as fast as taken.
        .target(
            name: "SwitchboardSockets",
            dependencies: ["SwitchboardLocking",
                "SwitchboardTLS",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "WSCore", package: "swift-websocket"),
                .product(name: "WSCompression", package: "swift-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Swift client SDK used by the CLI, the bench and the tests.
        .target(
            name: "SwitchboardClient",
            dependencies: [
                "SwitchboardCore",
                "SwitchboardTLS",
                "SwitchboardSockets",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Starts an origin on port 0 in a temporary directory, for tests and the bench.
        .target(
            name: "SwitchboardTesting",
            dependencies: ["SwitchboardLocking",
                "SwitchboardOrigin",
                "SwitchboardEdge",
                "SwitchboardClient",
                "SwitchboardTLS",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "switchboard-origin",
            dependencies: [
                "SwitchboardOrigin",
                "SwitchboardServer",
                "SwitchboardTLS",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // The benchmark: synthetic workspaces and the scenarios of docs/benchmarks.md.
        .target(
            name: "SwitchboardBench",
            dependencies: ["SwitchboardLocking",
                "SwitchboardClient",
                "SwitchboardTLS",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "switchboard-bench",
            dependencies: [
                "SwitchboardTLS",
                "SwitchboardBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // The command-line client.
        .executableTarget(
            name: "switchboard",
            dependencies: ["SwitchboardLocking",
                "SwitchboardTLS",
                "SwitchboardClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "switchboard-edge",
            dependencies: [
                "SwitchboardEdge",
                "SwitchboardServer",
                "SwitchboardTLS",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SwitchboardRoutingTests", dependencies: ["SwitchboardRouting", "SwitchboardCore"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SwitchboardCoreTests",
            dependencies: ["SwitchboardLocking", "SwitchboardCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardOriginTests",
            dependencies: ["SwitchboardLocking",
                "SwitchboardOrigin",
                "SwitchboardAuth",
                "SwitchboardServer",
                "SwitchboardClient",
                "SwitchboardEdge",
                "SwitchboardTesting",
                "SwitchboardTLS",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardEdgeTests",
            dependencies: ["SwitchboardLocking", "SwitchboardEdge", "SwitchboardCore", "LMDB"],
            swiftSettings: swiftSettings
        ),
        // Origin and edges together, in-process on ephemeral ports.
        .testTarget(
            name: "SwitchboardIntegrationTests",
            dependencies: ["SwitchboardLocking", "SwitchboardOrigin", "SwitchboardEdge", "SwitchboardClient", "SwitchboardTesting", "SwitchboardAuth",
                           "SwitchboardBench", "SwitchboardServer", "SwitchboardTLS"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardClientTests",
            dependencies: ["SwitchboardClient", "SwitchboardSockets", "SwitchboardTesting"],
            swiftSettings: swiftSettings
        ),
    ]
)

// swift-tools-version:6.2
import PackageDescription

/// Outpost: an offline-first inbox sync engine.
///
/// Dependencies point one way, downwards; ARCHITECTURE.md draws the graph, and its "Allowed imports"
/// table, which Tools/check-imports.py checks against every import and against this file, says what
/// each target may depend on. Pure (no I/O): Causality, InboxModel, Merge, Wire, SyncCore, ServerAPI. Then
/// Replica (SQLite), DemoHistory, SyncEngine (the one sync driver), SyncClient, SyncServer, Scenario, InboxWeb,
/// OutpostCLI, `outpost` (Tools/outpost).
/// CI (and anyone who sets OUTPOST_WERROR=1) builds with warnings as errors.
let warningsAsErrors: [SwiftSetting] =
    Context.environment["CI"] != nil || Context.environment["OUTPOST_WERROR"] != nil
    ? [.treatAllWarnings(as: .error)] : []

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
] + warningsAsErrors

let package = Package(
    name: "Outpost",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "outpost", targets: ["outpost"]),
        .library(name: "Replica", targets: ["Replica"]),
        .library(name: "DemoHistory", targets: ["DemoHistory"]),
        .library(name: "Merge", targets: ["Merge"]),
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "SyncCore", targets: ["SyncCore"]),
        .library(name: "SyncEngine", targets: ["SyncEngine"]),
        .library(name: "ServerAPI", targets: ["ServerAPI"]),
        .library(name: "SyncClient", targets: ["SyncClient"]),
        .library(name: "SyncServer", targets: ["SyncServer"]),
        .library(name: "InboxModel", targets: ["InboxModel"]),
        .library(name: "Causality", targets: ["Causality"]),
        .library(name: "Scenario", targets: ["Scenario"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"4.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // Child processes in tests (OutpostTestSupport only): waits that hold no thread of the shared pool.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        // Hummingbird's HTTP types (already one of its dependencies), declared for InboxWeb's header names.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // The server's PostgreSQL store (ServerPostgres): pooled connections, LISTEN/NOTIFY.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .target(name: "Causality", swiftSettings: strictSettings),
        .target(name: "InboxModel", dependencies: ["Causality"], swiftSettings: strictSettings),
        .target(name: "Merge", dependencies: ["InboxModel", "Causality"], swiftSettings: strictSettings),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "Wire",
            dependencies: [
                "InboxModel", "Causality", "CZlib",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Generated/README.md"],
            swiftSettings: strictSettings
        ),
        .target(name: "SyncCore", dependencies: ["Wire", "InboxModel", "Causality"], swiftSettings: strictSettings),
        // The one sync driver: runs a SyncSession over any transport and any store.
        .target(
            name: "SyncEngine",
            dependencies: ["SyncCore", "Replica", "Wire", "InboxModel", "Causality",
                           .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        // The JSON bodies of the server's HTTP API that the server and its clients share.
        .target(name: "ServerAPI", dependencies: ["InboxModel", "Causality"], swiftSettings: strictSettings),
        .target(
            name: "SyncClient",
            dependencies: [
                "SyncEngine", "ServerAPI", "SyncCore", "Replica", "Wire", "InboxModel", "Causality",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SyncServer",
            dependencies: [
                "SyncEngine", "ServerAPI", "SyncCore", "Replica", "DemoHistory", "Wire", "InboxModel", "Causality",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // The server's storage on PostgreSQL: the same protocols as SyncServer's SQLite store.
        .target(
            name: "ServerPostgres",
            dependencies: [
                "SyncServer", "ServerAPI", "Replica", "Wire", "InboxModel", "Causality",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Replica",
            dependencies: [
                "Merge", "Wire", "InboxModel", "Causality",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The seeded demo history (`outpost demo`, `outpost admin demo`, benchmarks).
        .target(
            name: "DemoHistory",
            dependencies: ["Replica", "InboxModel", "Causality"],
            swiftSettings: strictSettings
        ),
        // The conflict-scenario harness: scenario files, the deterministic simulator, the fuzzer.
        .target(
            name: "Scenario",
            dependencies: [
                "Replica", "SyncEngine", "SyncCore", "SyncServer", "Wire", "InboxModel", "Causality",
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "InboxWeb",
            dependencies: [
                "Replica", "SyncClient", "SyncEngine", "InboxModel", "Causality",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "OutpostCLI",
            dependencies: [
                "Replica", "DemoHistory", "Merge", "InboxModel", "Causality", "SyncServer", "SyncEngine", "SyncClient",
                "ServerAPI", "Scenario", "InboxWeb", "ServerPostgres",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "outpost",
            dependencies: ["OutpostCLI"],
            path: "Tools/outpost",
            swiftSettings: strictSettings
        ),
        // libFuzzer target for frame decoding; without -DFUZZING a corpus-replay tool.
        // Build and run: Protocol/vectors/README.md, "Fuzzing".
        .executableTarget(
            name: "outpost-fuzz-frames",
            dependencies: ["Wire", "InboxModel", "Causality"],
            path: "Tools/fuzz-frames",
            exclude: ["corpus.py"],
            swiftSettings: strictSettings
        ),
        // What the test targets share (only they depend on it): op builders, `eventually`, the
        // repository root, child processes.
        .target(
            name: "OutpostTestSupport",
            dependencies: [
                "InboxModel", "Causality",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            path: "Tests/OutpostTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CausalityTests",
            dependencies: [
                "Causality", "OutpostTestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "InboxModelTests", dependencies: ["InboxModel", "Causality", "OutpostTestSupport"], swiftSettings: strictSettings
        ),
        .testTarget(name: "MergeTests", dependencies: ["Merge", "InboxModel", "Causality"], swiftSettings: strictSettings),
        .testTarget(
            name: "WireTests",
            dependencies: [
                "Wire", "InboxModel", "Causality", "OutpostTestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncCoreTests",
            dependencies: ["SyncCore", "Wire", "InboxModel", "Causality", "OutpostTestSupport"],
            swiftSettings: strictSettings
        ),
        // The driver over real replicas; the convergence property checks states with the scenario
        // harness's reference model.
        .testTarget(
            name: "SyncEngineTests",
            dependencies: [
                "SyncEngine", "SyncCore", "Replica", "Wire", "InboxModel", "Causality", "Scenario", "OutpostTestSupport",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncClientTests",
            dependencies: [
                "SyncClient", "ServerAPI", "SyncEngine", "SyncCore", "Replica", "Wire", "InboxModel", "Causality",
                "OutpostTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ReplicaTests",
            dependencies: [
                "Replica", "DemoHistory", "Merge", "Wire", "InboxModel", "Causality", "OutpostTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        // One conformance suite for the server's storage protocols, run against SQLite and PostgreSQL.
        .testTarget(
            name: "ServerStorageTests",
            dependencies: [
                "SyncServer", "ServerPostgres", "ServerAPI", "Replica", "InboxModel", "Causality", "OutpostTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SyncServerTests",
            dependencies: [
                "SyncServer", "SyncClient", "ServerAPI", "SyncEngine", "SyncCore", "Replica", "Wire", "InboxModel",
                "Causality", "OutpostTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ScenarioTests",
            dependencies: ["Scenario", "Replica", "Wire", "InboxModel", "Causality", "OutpostTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "InboxWebTests",
            dependencies: [
                "InboxWeb", "Replica", "DemoHistory", "InboxModel", "Causality", "SyncClient", "SyncEngine",
                "OutpostTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "OutpostCLITests",
            dependencies: [
                "OutpostCLI", "Replica", "InboxModel", "OutpostTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Support/smtp_relay.py"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

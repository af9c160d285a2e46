// swift-tools-version:6.1
import PackageDescription

/// Outpost's benchmarks: a package of its own so that package-benchmark and its malloc interposer
/// stay out of the main build (as SwiftNIO and swift-collections keep theirs).
///
/// Run from the repository root with `Tools/benchmark.sh`.
let package = Package(
    name: "OutpostBenchmarks",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bench-fixture", targets: ["BenchFixture"]),
        .executable(name: "bench-wire", targets: ["BenchWire"]),
        .executable(name: "bench-sync", targets: ["BenchSync"]),
    ],
    dependencies: [
        .package(name: "Outpost", path: "../.."),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // The same swift-protobuf as the root package: the raw baseline of the wire benchmarks.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // package-benchmark (renamed `benchmark` upstream; the old URL still resolves but prints a
        // deprecation warning on every run). With default traits it does not resolve here.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "BenchSupport",
            dependencies: [
                .product(name: "Replica", package: "Outpost"),
                .product(name: "DemoHistory", package: "Outpost"),
                .product(name: "InboxModel", package: "Outpost"),
                .product(name: "Causality", package: "Outpost"),
                .product(name: "Wire", package: "Outpost"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .executableTarget(
            name: "BenchFixture",
            dependencies: ["BenchSupport"]
        ),
        .executableTarget(
            name: "ReplicaBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "Replica", package: "Outpost"),
                .product(name: "InboxModel", package: "Outpost"),
                .product(name: "Causality", package: "Outpost"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ReplicaBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Wire codec benchmarks: FrameCodec beside raw swift-protobuf and raw zlib on the same data.
        // `CZlibBench` is the system zlib (the root's `CZlib` is a target, not a product).
        .systemLibrary(name: "CZlibBench", path: "Sources/CZlibBench", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "WireBenchSupport",
            dependencies: [
                "CZlibBench",
                .product(name: "Wire", package: "Outpost"),
                .product(name: "SyncCore", package: "Outpost"),
                .product(name: "Replica", package: "Outpost"),
                .product(name: "DemoHistory", package: "Outpost"),
                .product(name: "Merge", package: "Outpost"),
                .product(name: "InboxModel", package: "Outpost"),
                .product(name: "Causality", package: "Outpost"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .executableTarget(
            name: "BenchWire",
            dependencies: ["WireBenchSupport"]
        ),
        .executableTarget(
            name: "WireBenchmarks",
            dependencies: [
                "WireBenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/WireBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Sync benchmarks end to end: a real `outpost server` process and real device processes
        // (targets: README.md, "Benchmarks"). Not package-benchmark: they time whole processes and take peak memory
        // from wait4, so they run as a plain executable that prints its own table.
        .executableTarget(
            name: "BenchSync",
            dependencies: [
                "BenchSupport",
                .product(name: "Replica", package: "Outpost"),
                .product(name: "SyncClient", package: "Outpost"),
                .product(name: "ServerAPI", package: "Outpost"),
                .product(name: "SyncEngine", package: "Outpost"),
                .product(name: "SyncServer", package: "Outpost"),
                .product(name: "InboxModel", package: "Outpost"),
                .product(name: "Causality", package: "Outpost"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

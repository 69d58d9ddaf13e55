// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "calltop",
    // Core uses `Mutex` (Synchronization), which needs macOS 15.
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "calltop", targets: ["calltop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Hummingbird brings these; they are named because targets import them directly.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Team mode's PostgreSQL engine.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw", providers: [.apt(["libncursesw5-dev"])]),
        .target(
            name: "CallTopCore",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Prometheus exposition and the health routes, shared by `serve` and `worker`.
        .target(
            name: "CallTopMetrics",
            dependencies: [
                "CallTopCore",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "CallTopSimulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CallTopWebhooks",
            dependencies: [
                "CallTopCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CallTopTUI",
            dependencies: ["CallTopCore", "CNcursesw"]
        ),
        .executableTarget(
            name: "calltop",
            dependencies: [
                "CallTopCore", "CallTopTUI", "CallTopSimulator", "CallTopWebhooks", "CallTopMetrics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `make bench`: figures measured side by side in one run, printed as BENCH lines.
        .executableTarget(
            name: "calltop-bench",
            dependencies: [
                "CallTopCore", "CallTopTUI", "CallTopSimulator", "CallTopTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Benchmarks/CallTopBench"
        ),
        // What several test targets share: the throwaway PostgreSQL cluster, the wait for a condition,
        // an owner whose process has exited, a thread's CPU time.
        .target(name: "CallTopTestSupport", dependencies: ["CallTopCore"], path: "Tests/Support"),
        // The store's rules, run against both engines (SQLite and a real PostgreSQL).
        .testTarget(name: "StoreContractTests", dependencies: ["CallTopCore", "CallTopWebhooks", "CallTopTestSupport"]),
        .testTarget(name: "CallTopCoreTests", dependencies: [
            "CallTopCore", "CallTopSimulator", "CallTopTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .testTarget(name: "CallTopSimulatorTests", dependencies: ["CallTopSimulator"]),
        .testTarget(name: "CallTopTUITests", dependencies: ["CallTopTUI", "CallTopCore", "CallTopSimulator", "CallTopTestSupport"], resources: [.copy("Snapshots")]),
        .testTarget(name: "CallTopWebhooksTests", dependencies: [
            "CallTopWebhooks", "CallTopCore", "CallTopSimulator", "CallTopTestSupport",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "CallTopMetricsTests", dependencies: ["CallTopMetrics", "CallTopCore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["CallTopCore", "CallTopSimulator", "CallTopWebhooks", "CallTopTestSupport"]),
        .testTarget(name: "FuzzTests", dependencies: ["CallTopCore", "CallTopTUI", "CallTopWebhooks"]),
    ]
)

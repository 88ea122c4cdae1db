// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "s3emu",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "s3emu", targets: ["s3emu"]),
        .library(name: "EmulatorHarness", targets: ["EmulatorHarness"]),
        .library(name: "S3Emulator", targets: ["S3Emulator"]),
        // The parsers' fuzzing entry points, for the libFuzzer build in Fuzz/ (see Fuzz/README.md).
        .library(name: "S3EmulatorFuzzing", targets: ["S3EmulatorFuzzing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .target(name: "S3EmulatorCore", swiftSettings: swiftSettings),
        .target(
            name: "S3EmulatorAuth",
            dependencies: [
                "S3EmulatorCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "S3EmulatorAccess", dependencies: ["S3EmulatorCore"], swiftSettings: swiftSettings),
        .target(name: "S3EmulatorStorage", dependencies: ["S3EmulatorCore", "CSQLite"], swiftSettings: swiftSettings),
        .target(
            name: "S3Emulator",
            dependencies: [
                "S3EmulatorCore", "S3EmulatorAuth", "S3EmulatorAccess", "S3EmulatorStorage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EmulatorHarness",
            dependencies: [
                "S3Emulator", "S3EmulatorAuth", "S3EmulatorCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "s3emu",
            dependencies: [
                "S3Emulator",
                "S3EmulatorAuth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "S3EmulatorFuzzing",
            dependencies: [
                "S3Emulator", "S3EmulatorAuth", "S3EmulatorAccess", "S3EmulatorCore",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "S3EmulatorCoreTests", dependencies: ["S3EmulatorCore"], swiftSettings: swiftSettings),
        .testTarget(name: "S3EmulatorAuthTests", dependencies: ["S3EmulatorAuth"], swiftSettings: swiftSettings),
        .testTarget(
            name: "S3EmulatorAccessTests", dependencies: ["S3EmulatorAccess"], exclude: ["Fixtures"], swiftSettings: swiftSettings
        ),
        .testTarget(name: "S3EmulatorStorageTests", dependencies: ["S3EmulatorStorage"], swiftSettings: swiftSettings),
        .testTarget(
            name: "S3EmulatorTests",
            dependencies: [
                "S3Emulator",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "S3EmulatorFuzzingTests", dependencies: ["S3EmulatorFuzzing"], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EmulatorHarnessTests", dependencies: ["EmulatorHarness", "S3EmulatorAuth", "S3EmulatorCore"],
            swiftSettings: swiftSettings
        ),
    ]
)

// swift-tools-version:6.1
// Measures EmulatorHarness start-to-first-response for scripts/bench. Kept out of the main
// package on purpose (no benchmark target in /Package.swift); scripts/bench builds it with
// `swift build -c release --package-path Benchmarks/HarnessStartup --scratch-path .build-bench/harness-startup`.
import PackageDescription

let package = Package(
    name: "HarnessStartup",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "s3emu", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "harness-startup",
            dependencies: [.product(name: "EmulatorHarness", package: "s3emu")],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        ),
    ]
)

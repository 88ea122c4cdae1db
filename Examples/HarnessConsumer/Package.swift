// swift-tools-version:6.1
// An outside package that tests its S3 code with s3emu's EmulatorHarness, the way an
// application would: depend on s3emu (here by path; by URL in a real project), then
// `import EmulatorHarness` in the test target only.
import PackageDescription

let package = Package(
    name: "HarnessConsumer",
    platforms: [.macOS(.v15)],
    dependencies: [
        // In an application: .package(url: "https://github.com/<owner>/s3emu.git", from: "<version>")
        .package(name: "s3emu", path: "../.."),
    ],
    targets: [
        .target(name: "AvatarStore"),
        .testTarget(
            name: "AvatarStoreTests",
            dependencies: ["AvatarStore", .product(name: "EmulatorHarness", package: "s3emu")]
        ),
    ]
)

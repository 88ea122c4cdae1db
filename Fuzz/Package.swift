// swift-tools-version:6.1
import Foundation
import PackageDescription

// The s3emu package is this folder's parent, a path dependency; SwiftPM names a path dependency
// after its folder, whatever the clone is called.
let s3emuPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

// The libFuzzer build of s3emu's parsers: one executable, `s3emu-fuzz`, whose target is chosen
// by S3EMU_FUZZ_TARGET. Built and run by scripts/fuzz, with
// `-sanitize=fuzzer,address`; see README.md.
let package = Package(
    name: "s3emu-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .executableTarget(
            name: "s3emu-fuzz",
            dependencies: ["CLibFuzzer", .product(name: "S3EmulatorFuzzing", package: s3emuPackage)]
        ),
    ]
)

// swift-tools-version:5.9
// OCOP Field for iOS: the XCFramework of the Rust library (built by build-xcframework.sh), the Swift bindings
// generated from it (Sources/OcopFFI, generated at build time, never committed) and the idiomatic wrapper
// (Sources/OcopField: async functions, AsyncStream of sync progress).
import PackageDescription

let package = Package(
    name: "OcopField",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "OcopField", targets: ["OcopField"]),
    ],
    targets: [
        .binaryTarget(name: "OcopFFIFFI", path: "build/OcopFFIFFI.xcframework"),
        .target(name: "OcopFFI", dependencies: ["OcopFFIFFI"], path: "Sources/OcopFFI"),
        .target(name: "OcopField", dependencies: ["OcopFFI"], path: "Sources/OcopField"),
    ]
)

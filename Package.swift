// swift-tools-version:6.1
//
// llmpack: turn a GGUF language model into one self-contained executable.
//
// Layers, bottom to top (each target has one job):
//   GGUF        read/write GGUF files, validate every size read from them
//   Kernels     quant-type traits table, dequantization, dot products, matmul, thread pool
//               (CKernels is the small C shim: SIMD kernels with runtime ISA dispatch, SHA-256)
//   Bundle      the payload appended to the runner: sections, index, trailer, checksums, zstd
//   Tokenizer   SPM / BPE tokenizers built from GGUF metadata, streaming detokenizer
//   ChatTemplate  a sandboxed Jinja subset that renders GGUF chat templates
//   Model       architectures (one file each), KV cache, forward pass
//   Generation  sampling, generation loop, stop handling
//   Server      HTTP API (OpenAI, llama.cpp and ollama shapes) and the web chat page, on SwiftNIO
//   LLMPackKit  what the CLI and the runner share: opening a model source, info, verify, run
//   llmpack     the command-line tool;  llmpack-runner (stub/)  the runner copied into bundles
import PackageDescription

/// Hot code is optimized even in debug builds, so that `swift test` runs a real model quickly.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O", "-enforce-exclusivity=unchecked"])]

let package = Package(
    name: "llmpack",
    products: [
        .executable(name: "llmpack", targets: ["llmpack"]),
        .executable(name: "llmpack-runner", targets: ["llmpack-runner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(
            name: "CKernels",
            cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]
        ),
        .target(name: "GGUF"),
        .target(name: "Kernels", dependencies: ["GGUF", "CKernels"], swiftSettings: optimized),
        .target(name: "Bundle", dependencies: ["GGUF", "CZstd", "CKernels"]),
        .target(name: "Tokenizer", dependencies: ["GGUF"], swiftSettings: optimized),
        .target(name: "ChatTemplate"),
        .target(name: "Model", dependencies: ["GGUF", "Kernels"], swiftSettings: optimized),
        .target(name: "Generation", dependencies: ["Model", "Tokenizer", "Kernels"], swiftSettings: optimized),
        .target(
            name: "Server",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "LLMPackKit",
            dependencies: [
                "GGUF", "Bundle", "Kernels", "Model", "Tokenizer", "ChatTemplate", "Generation", "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "llmpack",
            dependencies: ["LLMPackKit", "GGUF", "Bundle", "Tokenizer", "Kernels", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "llmpack-runner",
            dependencies: ["LLMPackKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "stub",
            linkerSettings: [
                // Fully static: runs on any x86-64 Linux with nothing installed. FoundationEssentials'
                // C shims and Synchronization are not added by -static-executable on their own.
                .unsafeFlags(["-static-executable", "-Xlinker", "-l_FoundationCShims", "-Xlinker", "-l_FoundationCollections",
                              "-Xlinker", "-lswiftSynchronization"]),
                // Every bundle carries the runner: drop symbols and unused sections in release builds.
                .unsafeFlags(["-Xlinker", "--strip-all", "-Xlinker", "--gc-sections"], .when(configuration: .release)),
            ]
        ),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "GGUF", "CKernels"], exclude: ["Fixtures"]),
        .testTarget(name: "BundleTests", dependencies: ["Bundle", "GGUF"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer", "GGUF"]),
        .testTarget(name: "ChatTemplateTests", dependencies: ["ChatTemplate"], exclude: ["Templates"]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "Kernels", "GGUF", "Tokenizer", "Generation"]),
        .testTarget(name: "GenerationTests", dependencies: ["Generation", "Model", "Tokenizer"]),
        .testTarget(name: "ServerTests", dependencies: ["Server"]),
        .testTarget(name: "CLITests", dependencies: ["LLMPackKit", "GGUF", "Bundle"]),
    ]
)

// swift-tools-version:6.0
import PackageDescription

/// The files of the default theme in templates/ (templates/README.md documents each).
let themeFiles = [
    "head.mustache", "header.mustache", "footer.mustache", "badge.mustache", "followup-state.mustache",
    "index.mustache", "decision.mustache", "follow-ups.mustache", "not-found.mustache",
    "feed.mustache", "sitemap.mustache", "badge-svg.mustache",
    "style.css", "site.js", "search.js", "diagrams.js",
]

let package = Package(
    name: "adrsite",
    products: [
        .executable(name: "adrsite", targets: ["adrsite"]),
        .library(name: "ADRCore", targets: ["ADRCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
    ],
    targets: [
        // libcmark from the system (Debian: libcmark-dev). Only ADRCore/CommonMark.swift imports it.
        .systemLibrary(
            name: "CCmark",
            path: "Sources/CCmark",
            pkgConfig: "libcmark",
            providers: [.apt(["libcmark-dev"])]
        ),
        // load → parse → link: the model, the rules a careful reader applies, diagnostics.
        .target(
            name: "ADRCore",
            dependencies: ["CCmark", .product(name: "Yams", package: "Yams")]
        ),
        // Atomic folder exchange (renameat2) for swapping a finished site in.
        .target(name: "CSystem"),
        // Mermaid's browser build (vendor/mermaid/, unchanged, MIT), embedded with C23's #embed:
        // copied into a site only when a decision has a ```mermaid block.
        .target(name: "CMermaid"),
        // render → write: pages from templates, and the one type that writes to disk.
        .target(
            name: "ADRSite",
            dependencies: ["ADRCore", "CSystem", "CMermaid", .product(name: "Mustache", package: "swift-mustache")],
            // The default theme, compiled into the binary (no Bundle.module: the binary works
            // wherever it is copied). One entry per file of templates/; see Theme.defaults.
            resources: themeFiles.map { .embedInCode("../../templates/\($0)") }
        ),
        // The preview server: in-memory builds, file watching, live reload, and the small
        // HTTP/1.1 server they are served with (site/0019).
        .target(name: "ADRServe", dependencies: ["ADRCore", "ADRSite"]),
        .executableTarget(
            name: "adrsite",
            dependencies: [
                "ADRCore",
                "ADRSite",
                "ADRServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // mimalloc (Debian: libmimalloc-dev) replaces glibc's malloc for the whole process:
            // a build allocates millions of small strings and arrays on all cores, and mimalloc
            // takes about a fifth off the wall time of a 10,000-record build (site/0018).
            linkerSettings: [.linkedLibrary("mimalloc", .when(platforms: [.linux]))]
        ),
        // libFuzzer target over load → parse → link → render, in memory: built by scripts/fuzz.sh
        // with -DFUZZING and -sanitize=fuzzer; a normal build compiles a stub.
        .executableTarget(name: "ADRFuzz", dependencies: ["ADRCore", "ADRSite"]),
        // What every test target needs: temporary folders, a seeded generator, a locked value.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "ADRCoreTests",
            dependencies: ["ADRCore", "TestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ADRSiteTests",
            dependencies: ["ADRCore", "ADRSite", "TestSupport"],
            exclude: ["Fixtures", "Golden"]
        ),
        // Runs the built `adrsite` binary as a user would.
        .testTarget(
            name: "CLITests",
            dependencies: ["adrsite", "TestSupport"]
        ),
    ]
)

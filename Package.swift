// swift-tools-version:6.0
import PackageDescription

// Targets by role (see README "Layout"): a pure model and planner, the transports and
// system calls under the adapters, the journal, the executor, the commands as a library,
// and a tiny executable. No package dependencies: the toolchain alone.
let package = Package(
    name: "berth",
    products: [
        .executable(name: "berth", targets: ["berth"]),
    ],
    targets: [
        // Pure: JSON with positions, spec model, planner. No Glibc, no I/O.
        .target(name: "BerthJSON"),
        .target(name: "BerthModel", dependencies: ["BerthJSON"]),
        // Operating system: locks, atomic files, append-only files.
        .target(name: "BerthSystem"),
        // Debian's libssl, for TLS to Kubernetes API servers and Docker with DOCKER_TLS_VERIFY.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // ssh:// endpoints start their ssh children through BerthSystem's Spawn.
        .target(name: "BerthHTTP", dependencies: ["COpenSSL", "BerthSystem"]),
        // Sealed secrets: RSA-OAEP-SHA256 wrapping AES-256-GCM, through the same libcrypto.
        .target(name: "BerthSeal", dependencies: ["COpenSSL"]),
        .target(name: "BerthJournal", dependencies: ["BerthSystem"]),
        // Executor: carries a plan out through a Platform, decides nothing.
        .target(name: "BerthEngine", dependencies: ["BerthModel", "BerthJournal", "BerthSystem"]),
        .target(name: "BerthDocker", dependencies: ["BerthModel", "BerthJSON", "BerthHTTP", "BerthEngine", "BerthSystem"]),
        // The spec source: the folder read and walked, last valid copies, the inotify watcher
        // and its debouncer. What opens sealed values and digests images is the commands'.
        .target(name: "BerthSource", dependencies: ["BerthModel", "BerthSystem"]),
        .target(name: "BerthCommands", dependencies: [
            "BerthSource", "BerthModel", "BerthJSON", "BerthSystem", "BerthJournal", "BerthEngine", "BerthDocker", "BerthHTTP", "BerthKube", "BerthSeal", "BerthYAML", "CBuildInfo",
        ]),
        .executableTarget(name: "berth", dependencies: ["BerthCommands"]),
        // The commit berth was built from (`make build` writes it; see the Makefile).
        .target(name: "CBuildInfo"),
        // Kubeconfig files are YAML: the subset kubectl writes, read without a dependency.
        .target(name: "BerthYAML", dependencies: ["BerthJSON"]),
        .target(name: "BerthTestSupport", dependencies: ["BerthHTTP", "BerthJSON", "BerthSystem", "COpenSSL"]),
        // Kubernetes: kubeconfig and in-cluster credentials, `kubectl proxy`, later the adapter.
        .target(name: "BerthKube", dependencies: ["BerthYAML", "BerthJSON", "BerthModel", "BerthHTTP", "BerthEngine", "BerthSystem"]),

        .testTarget(name: "BerthJSONTests", dependencies: ["BerthJSON"]),
        .testTarget(name: "BerthModelTests", dependencies: ["BerthModel", "BerthJSON", "BerthTestSupport"]),
        .testTarget(name: "BerthSystemTests", dependencies: ["BerthSystem", "BerthTestSupport"]),
        .testTarget(name: "BerthSourceTests", dependencies: ["BerthSource", "BerthSystem", "BerthModel", "BerthTestSupport"]),
        .testTarget(name: "BerthSealTests", dependencies: ["BerthSeal", "BerthModel"]),
        .testTarget(name: "BerthHTTPTests", dependencies: ["BerthHTTP", "BerthTestSupport"]),
        .testTarget(name: "BerthJournalTests", dependencies: ["BerthJournal", "BerthTestSupport"]),
        .testTarget(name: "BerthEngineTests", dependencies: ["BerthEngine", "BerthModel", "BerthTestSupport"]),
        .testTarget(name: "BerthCommandsTests", dependencies: ["BerthCommands", "BerthSource", "BerthJSON", "BerthTestSupport"]),
        // Docker adapters against the real engine's recorded answers (scripts/record-docker-answers.py).
        .testTarget(name: "BerthDockerTests", dependencies: ["BerthDocker", "BerthModel", "BerthEngine", "BerthJSON", "BerthTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "BerthYAMLTests", dependencies: ["BerthYAML", "BerthJSON"]),
        .testTarget(name: "BerthKubeTests", dependencies: ["BerthKube", "BerthModel", "BerthHTTP", "BerthTestSupport"]),
        // The fake Kubernetes API server, replayed against transcripts of a real kube-apiserver.
        .testTarget(name: "BerthKubeTestServerTests", dependencies: ["BerthTestSupport", "BerthHTTP", "BerthJSON"],
                    resources: [.copy("Transcripts")]),
        .testTarget(name: "BerthIntegrationTests", dependencies: [
            "BerthCommands", "BerthDocker", "BerthHTTP", "BerthTestSupport", "BerthJournal", "BerthKube", "BerthModel", "BerthSeal", "BerthSystem",
            "BerthYAML",
        ]),
    ],
    swiftLanguageModes: [.v6]
)

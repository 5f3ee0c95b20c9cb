import Foundation
import Testing

/// `serve` under load, in short: scripts/serve-load.py runs wrk against the index and pages
/// while records are rewritten, and fails on any failed request, page cut short or page that
/// mixes two builds, on a rebuild that is not announced, or on memory that grows. Here it runs
/// with misbehaving clients beside wrk (1 MB heads, heads that never end, event streams
/// dropped, kept-alive connections held by the hundred) and serve under `ulimit -n 128`, so
/// that they exhaust its descriptors. The full run (30 s, 500 rebuilds, release binary) is
/// `scripts/serve-load.py`; see the README.
@Suite struct ServeLoadTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scripts/serve-load.py").standardized.path
    static var hasWrk: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") }

    @Test(.enabled(if: hasWrk, "wrk is not installed (.ci/run installs it)"))
    func `pages stay whole and consistent while records are rewritten and hostile clients exhaust descriptors, and memory stays flat`() throws {
        let run = try Run.adrsite([Self.script, "--bin", Run.binary, "--seconds", "12", "--rebuilds", "120",
                                   "--hostile", "--fd-limit", "128"],
                                  timeout: 180, executable: "/usr/bin/python3")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains(" 0 errors"), "\(run.stdout)")
        #expect(run.stdout.contains("rebuilds: "), "\(run.stdout)")
        #expect(run.stdout.contains(" 0 refused or failed"), "\(run.stdout)")
        #expect(run.stdout.contains("serve said: warning: serve: "), "\(run.stdout)")
    }
}

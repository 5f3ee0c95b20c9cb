import Foundation
import Testing

/// Builds into the same output at the same time (two CI steps, a save hook), run by the real
/// binary with a time limit: each build has a temporary folder that no other build removes,
/// so every build succeeds and the site left is complete.
@Suite struct ConcurrentBuildCLITests {
    @Test func `builds started together into the same output all succeed and leave one complete site`() throws {
        var files: [String: String] = [:]
        for n in 1...400 {
            files["adr/\(String(format: "%04d", n))-record.md"] = "# \(n). Record \(n)\n\n## Status\n\nAccepted\n\n"
                + String(repeating: "Some text to render. ", count: 40) + "\n"
        }
        let dir = try makeFolder(files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for round in 0..<2 {
            let runs = (0..<3).map { _ in Locked<Run?>(nil) }
            DispatchQueue.concurrentPerform(iterations: 3) { k in
                runs[k].value = try? Run.adrsite(["build", "adr", "-o", "site"], in: dir, timeout: 120)
            }
            for (k, run) in runs.map(\.value).enumerated() {
                #expect(run?.status == 0, "round \(round), build \(k): \(run?.stderr ?? "did not run")")
            }
            // The marker lists exactly the files of the site (after its first line).
            let marker = try String(contentsOfFile: dir + "/site/.adrsite-output", encoding: .utf8)
            let files = Set(filesUnder(dir + "/site").filter { !$0.hasSuffix("badges") && !$0.hasSuffix("assets") })
            #expect(Set(marker.split(separator: "\n").dropFirst().map(String.init)) == files, "round \(round)")
            // The marker, a page and a badge per record, and the 11 files about the whole log and the theme.
            #expect(files.count == 1 + 400 * 2 + 11, "round \(round)")
            for n in [1, 200, 400] {
                #expect(FileManager.default.fileExists(atPath: dir + "/site/\(String(format: "%04d", n))-record.html"))
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".adrsite-") }
            #expect(left == [], "round \(round): \(left)")
        }
    }
}

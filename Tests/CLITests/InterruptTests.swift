import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C or SIGTERM while `adrsite build` writes: the build stops with the conventional status
/// (128 + the signal's number), the previous site stays byte for byte, no temporary folder stays.
@Suite(.serialized) struct InterruptTests {
    /// A log of `count` decisions from a simple template, large enough that writing its site takes
    /// a while; `revision` changes every title and body, so a second build rewrites every page.
    static func writeLog(into dir: String, count: Int, revision: Int) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let paragraph = "The service keeps its state in one place, so that the on-call engineer can reason about it."
        for n in 1...count {
            let id = String(format: "%04d", n)
            var text = "# \(n). Decision \(n), revision \(revision)\n\nDate: 2024-\(String(format: "%02d", n % 12 + 1))-"
                + "\(String(format: "%02d", n % 28 + 1))\n\n## Status\n\n\(n % 7 == 0 ? "Proposed" : "Accepted")\n\n"
                + "## Context\n\n\(paragraph)\n\n"
            if n > 1 {
                let previous = String(format: "%04d", n - 1)
                text += "This builds on [ADR-\(previous)](\(previous)-decision.md) (revision \(revision)).\n\n"
            }
            text += "## Decision\n\n- We do *thing \(n)*.\n- We measure it.\n\n## Follow-Up Actions\n\n1. Review in a year.\n"
            try text.write(toFile: "\(dir)/\(id)-decision.md", atomically: false, encoding: .utf8)
        }
    }

    /// adrsite's temporary folders next to `site` in `dir`.
    static func leftovers(in dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasPrefix(".site.adrsite-") || $0.hasPrefix(".previous.adrsite-") }
    }

    /// One test for both signals: the previous site and the changed log are made once.
    @Test func `an interrupted build (SIGINT, SIGTERM) keeps the previous site byte for byte, leaves no temporary folder`() throws {
        let dir = try makeFolder([:])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeLog(into: dir + "/adr", count: 2000, revision: 1)
        try Self.writeLog(into: dir + "/changed", count: 2000, revision: 2)
        let first = try Run.adrsite(["build", "adr", "-o", "previous"], in: dir)
        try #require(first.status == 0, "\(first.stderr)")
        let before = treeListing(dir + "/previous")
        #expect(before.count > 4000)

        for (number, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            // On a loaded machine the signal can arrive when the last page is written and the
            // new site is being swapped in, which then completes: that attempt does not count.
            var interrupted = false
            for _ in 0..<3 where !interrupted {
                try? FileManager.default.removeItem(atPath: dir + "/site")
                try FileManager.default.copyItem(atPath: dir + "/previous", toPath: dir + "/site")
                interrupted = try interrupt(in: dir, with: number, expecting: status, previous: before)
            }
            #expect(interrupted, "signal \(number): every build completed before the signal reached it")
        }
    }

    /// Builds the changed log into `site`, sends `signal` while pages are being written, and
    /// checks the outcome. Returns false when the build had already completed (then the new site
    /// must be whole).
    func interrupt(in dir: String, with signal: Int32, expecting expectedStatus: Int32, previous before: [String: Data?],
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Run.binary)
        process.arguments = ["build", "changed", "-o", "site"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        let errorPath = dir + "/stderr-\(signal).txt"
        try #require(FileManager.default.createFile(atPath: errorPath, contents: nil))
        let stderr = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        defer { try? stderr.close() }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        try process.run()

        // Wait until it writes pages into its temporary folder, then signal.
        let deadline = Date().addingTimeInterval(60)
        var writing = false
        while Date() < deadline && process.isRunning && !writing {
            if let temporary = Self.leftovers(in: dir).first(where: { $0.contains("-tmp-") }),
               let names = try? FileManager.default.contentsOfDirectory(atPath: dir + "/" + temporary),
               names.contains(where: { $0.hasSuffix(".html") }) {
                writing = true
            } else {
                usleep(500)
            }
        }
        if !writing { process.terminate() }
        try #require(writing, "signal \(signal): the build ended (or timed out) before it was seen writing",
                     sourceLocation: sourceLocation)
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        let message = String(decoding: FileManager.default.contents(atPath: errorPath) ?? Data(), as: UTF8.self)
        try? FileManager.default.removeItem(atPath: errorPath)
        if process.terminationReason == .exit && process.terminationStatus == 0 {
            // Completed: the new site, whole, and nothing left over.
            let after = treeListing(dir + "/site")
            #expect(after.keys.sorted() == before.keys.sorted(), "signal \(signal)", sourceLocation: sourceLocation)
            #expect(String(decoding: (after["0001-decision.html"] ?? nil) ?? Data(), as: UTF8.self).contains("revision 2"),
                    sourceLocation: sourceLocation)
            #expect(Self.leftovers(in: dir) == [], "signal \(signal)", sourceLocation: sourceLocation)
            return false
        }

        #expect(process.terminationReason == .exit, "signal \(signal) killed the build instead of being handled: \(message)",
                sourceLocation: sourceLocation)
        #expect(process.terminationStatus == expectedStatus, "signal \(signal): \(message)", sourceLocation: sourceLocation)
        #expect(message == "site: interrupted; the previous site was left as it was\n", sourceLocation: sourceLocation)
        #expect(Self.leftovers(in: dir) == [], "signal \(signal)", sourceLocation: sourceLocation)
        let after = treeListing(dir + "/site")
        #expect(after.keys.sorted() == before.keys.sorted(), "signal \(signal)", sourceLocation: sourceLocation)
        let changed = before.filter { path, data in after[path] ?? nil != data }.keys.sorted()
        #expect(changed == [], "signal \(signal): files of the previous site changed", sourceLocation: sourceLocation)
        return true
    }
}

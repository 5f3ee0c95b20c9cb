// Golden files: the site of Fixtures/golden, compared byte for byte with Golden/.
//
// To re-record after an intended change of the pages, run
//
//     RECORD_GOLDEN=1 swift test --filter GoldenTests
//
// then read `git diff Tests/ADRSiteTests/Golden` as carefully as any other change, and commit.
// A recording run writes the files and fails on purpose, so that RECORD_GOLDEN cannot be left set
// in CI by mistake; run the tests again without it.
import ADRCore
import ADRSite
import Foundation
import Testing

@Suite struct GoldenTests {
    static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" }

    /// The files compared: the index, every decision page, the follow-ups page, the feed, one
    /// badge and decisions.json.
    static func comparedPaths(_ site: RenderedSite) -> [String] {
        ["index.html", "follow-ups.html", "feed.xml", "decisions.json", "badges/0002-use-postgresql-for-the-ledger.svg"]
            + site.log.decisions.map(\.url)
    }

    @Test func `the site of the golden log matches the stored files`() throws {
        let site = try RenderedSite(SiteFixtures.own("golden"))
        let paths = Self.comparedPaths(site)
        #expect(paths.count == 11)
        for path in paths {
            try compare(try site.bytes(path), golden: path)
        }
    }

    /// Compares `actual` with Golden/`path`, or writes it there when recording.
    func compare(_ actual: [UInt8], golden path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = GoldenFolder.path + "/" + path
        if Self.recording {
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try Data(actual).write(to: URL(fileURLWithPath: file))
            Issue.record("recorded \(file); run the tests again without RECORD_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        guard let stored = FileManager.default.contents(atPath: file) else {
            Issue.record("no golden file \(file); record it with RECORD_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        guard [UInt8](stored) != actual else { return }
        let expectedLines = String(decoding: stored, as: UTF8.self).components(separatedBy: "\n")
        let actualLines = String(decoding: actual, as: UTF8.self).components(separatedBy: "\n")
        let line = (0..<min(expectedLines.count, actualLines.count)).first { expectedLines[$0] != actualLines[$0] }
            ?? min(expectedLines.count, actualLines.count)
        let saved = FileManager.default.temporaryDirectory
            .appendingPathComponent("adrsite-golden-actual-\(UUID().uuidString)-\(path.replacingOccurrences(of: "/", with: "_"))").path
        try? Data(actual).write(to: URL(fileURLWithPath: saved))
        Issue.record("""
            \(path) differs from its golden file at line \(line + 1):
              golden: \(line < expectedLines.count ? expectedLines[line] : "(end of file)")
              actual: \(line < actualLines.count ? actualLines[line] : "(end of file)")
            diff \(file) \(saved)
            (if the change is intended, re-record with RECORD_GOLDEN=1)
            """, sourceLocation: sourceLocation)
    }
}

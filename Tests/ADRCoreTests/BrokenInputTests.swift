import Foundation
import Testing
@testable import ADRCore

/// Broken input: each problem is reported with its place, and the rest of the log is built.
@Suite struct BrokenInputTests {
    @Test func `every problem of the broken fixture is reported with its position`() {
        let log = Fixtures.log("broken")
        #expect(log.diagnosticLines == [
            "0001-good.md:11:13: warning: broken link: 0009-missing.md does not exist",
            "0001-good.md:11:62: warning: ADR 2 is ambiguous: 0002-first.md, 0002-second.md have that number; link to the file instead",
            "0002-second.md:1:1: warning: number 2 is also used by 0002-first.md",
            "0003-no-status.md:1:1: warning: no status found (front matter `status`, a `Status:` line or a `## Status` section)",
            "0004-bad-date.md:3:1: warning: date 2023-13-10 has no month 13; read as 2023-10-13 (year-day-month)",
            "0005-bad-yaml.md:3:8: warning: front matter is not valid YAML (while parsing a flow sequence: did not find expected ',' or ']'); its values are ignored",
            "0006-binary.md:2:1: warning: file contains NUL bytes and looks binary; skipped",
            "0007-latin1.md:1:9: warning: file is not valid UTF-8; invalid bytes are shown as \u{FFFD}",
            "0008-empty.md:1:1: warning: file is empty; skipped",
            "0009-no-title.md:1:1: warning: no title (no `title` in front matter and no `# heading`); using the file name",
            "0010-heading-number.md:1:1: warning: heading says number 11 but the file name says 10; using 10",
            "0010-heading-number.md:7:1: warning: `Date:` value \"2023-02-30\" is not a date (YYYY-MM-DD)",
            "0011-self.md:7:12: warning: says it supersedes itself; ignored",
            "0012-cycle-a.md:1:1: warning: supersession cycle: 0012-cycle-a.md → 0013-cycle-b.md → 0012-cycle-a.md",
            "0012-cycle-a.md:5:1: warning: says it is superseded by 0013-cycle-b.md, which does not say it supersedes this decision",
            "0013-cycle-b.md:5:1: warning: says it is superseded by 0012-cycle-a.md, which does not say it supersedes this decision",
            "0014-follow-up-ref.md:9:16: warning: follow-up 9 of 0001-good.md does not exist (it has 2 follow-ups)",
            "0015-status-list.md:2:1: warning: front matter `status` should be a single value, not a list or map; ignored",
        ])
    }

    @Test func `one broken file never empties the log`() {
        let log = Fixtures.log("broken")
        // 16 files; the binary and the empty one are skipped, the other 14 are decisions.
        #expect(log.decisions.count == 14)
        let latin1 = log.decision("0007-latin1.md")
        #expect(latin1.title == "Caf\u{FFFD} in Latin-1")
        #expect(latin1.status == "accepted")
        let badYAML = log.decision("0005-bad-yaml.md")
        #expect(badYAML.status == "proposed")      // body still read
        #expect(badYAML.title == "Bad front matter")
        #expect(log.decision("0009-no-title.md").title == "No title")
        #expect(log.decision("0004-bad-date.md").date?.description == "2023-10-13")
    }

    @Test func `a link to a missing file, a case mismatch and a wrong relative path are reported where they are`() throws {
        let text = MarkedText("""
        # 1. Links

        ## Status

        Accepted

        See ⟨a⟩[two](0002-Two.md), ⟨b⟩[gone](0009-gone.md) and ⟨c⟩[moved](adr/0002-two.md).
        """)
        let dir = try temporaryLog(["0001-links.md": text.text, "0002-two.md": "# 2. Two\n\n## Status\n\nAccepted\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = Pipeline.decisionLog(dir)
        #expect(log.diagnosticLines == [
            text.warning("0001-links.md", at: "a", "link to 0002-Two.md differs in case from 0002-two.md; it works on case-insensitive file systems only"),
            text.warning("0001-links.md", at: "b", "broken link: 0009-gone.md does not exist"),
            text.warning("0001-links.md", at: "c", "link to adr/0002-two.md does not resolve; it was taken to mean 0002-two.md, the only decision of that name"),
        ])
        #expect(log.decision("0001-links.md").links.map(\.target) == ["0002-two"])
    }

    @Test func `random bytes never crash the parser`() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let count = Int.random(in: 0..<600, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round % 3 == 0 {
                // Mostly Markdown punctuation, to reach deeper into the parser.
                let alphabet = Array("#|-:*_[]()<>!`~\\ \n\t1.ADR-follow-up of Status: 2020-13-01".utf8)
                bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            }
            let outcome = ADRParser.parse(SourceFile(path: "0001-x.md", bytes: bytes))
            if let d = outcome.decision { #expect(!d.title.isEmpty) }
        }
    }
}

@Suite struct AnchorTests {
    @Test func `a link to an anchor in another case finds the heading; a link to no heading is reported`() throws {
        let text = MarkedText("""
        # 1. Anchors

        ## Status

        Accepted

        ## Request Handling

        See ⟨a⟩[handling](#Request-Handling), ⟨b⟩[typo](#request-handlin) and ⟨c⟩[other](0002-two.md#Context).
        """)
        let dir = try temporaryLog(["0001-anchors.md": text.text,
                                    "0002-two.md": "# 2. Two\n\n## Status\n\nAccepted\n\n## Context\n\nx\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = Pipeline.decisionLog(dir)
        #expect(log.diagnosticLines == [
            text.warning("0001-anchors.md", at: "b", "link to #request-handlin: this decision has no heading with that anchor"),
        ])
        let targets = log.decision("0001-anchors.md").linkTargets.compactMap { $0 }.map { "\($0)" }.sorted()
        #expect(targets.contains("decision(id: \"0001-anchors\", fragment: Optional(\"request-handling\"))"))
        #expect(targets.contains("decision(id: \"0002-two\", fragment: Optional(\"context\"))"))
    }
}

import Foundation
import Testing
@testable import ADRCore

/// Broken input: each problem is reported with its place, and the rest of the log is built.
@Suite struct BrokenInputTests {
    /// The cases of `Fixtures/broken`: one folder each, with the diagnostics it must give in
    /// `expected-diagnostics.txt` (re-recorded with `RECORD_BROKEN=1`).
    static let cases: [String] = {
        let root = Fixtures.path("broken")
        return ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }()

    @Test func `the broken cases are all there`() {
        #expect(Self.cases.count == 14)
    }

    @Test(arguments: cases)
    func `each broken case reports its problems at their positions`(_ name: String) throws {
        let folder = Fixtures.path("broken/\(name)")
        let log = Fixtures.log("broken/\(name)")
        let expectedPath = folder + "/expected-diagnostics.txt"
        if ProcessInfo.processInfo.environment["RECORD_BROKEN"] != nil {
            try (log.diagnosticLines.map { $0 + "\n" }.joined()).write(toFile: expectedPath, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: expectedPath, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(!expected.isEmpty)
        #expect(log.diagnosticLines == expected)
        // Whatever is broken, the good decisions of the case are built.
        let good = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix("-good.md") }
        for file in good { #expect(log.decisions.contains { $0.source == file }, "\(file) is missing from the log") }
    }

    @Test func `one broken file never empties the log`() {
        #expect(Fixtures.log("broken/binary").decisions.map(\.source) == ["0001-good.md"])
        #expect(Fixtures.log("broken/empty").decisions.map(\.source) == ["0001-good.md"])
        let latin1 = Fixtures.log("broken/latin1").decision("0007-latin1.md")
        #expect(latin1.title == "Caf\u{FFFD} in Latin-1")
        #expect(latin1.status == "accepted")
        let badYAML = Fixtures.log("broken/bad-yaml").decision("0005-bad-yaml.md")
        #expect(badYAML.status == "proposed")      // body still read
        #expect(badYAML.title == "Bad front matter")
        #expect(Fixtures.log("broken/no-title").decision("0009-no-title.md").title == "No title")
        #expect(Fixtures.log("broken/bad-date").decision("0004-bad-date.md").date?.description == "2023-10-13")
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

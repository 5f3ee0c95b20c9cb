import Foundation
import Testing
@testable import ADRCore

/// Generated from the vocabulary itself (`Conventions`): every key, phrase, section name and file
/// name it lists is read where a record may write it, so a word added to the table is tested
/// without a test being written for it.
@Suite struct VocabularyTests {
    static let statusKeys = Conventions.keys(of: .status)
    static let dateKeys = Conventions.keys(of: .date)
    static let deciderKeys = Conventions.keys(of: .deciders)
    static let tagKeys = Conventions.keys(of: .tags)

    /// The ways one metadata key can be written: as listed, capitalised, with dashes.
    static func spellings(_ key: String) -> [String] {
        let capitalised = key.prefix(1).uppercased() + key.dropFirst()
        return [key, capitalised, key.uppercased(), key.replacingOccurrences(of: " ", with: "-")]
    }

    @Test(arguments: statusKeys)
    func `every status key gives the status in a line, a bullet, a table and front matter`(_ key: String) {
        for spelling in Self.spellings(key) {
            #expect(parse("# T\n\n\(spelling): Accepted\n").status == "accepted", "line \(spelling)")
            #expect(parse("# T\n\n* \(spelling): rejected\n").status == "rejected", "bullet \(spelling)")
            #expect(parse("# T\n\n| \(spelling) | Proposed |\n|---|---|\n").status == "proposed", "table \(spelling)")
        }
        #expect(parse("---\n\(key.replacingOccurrences(of: " ", with: "-")): deprecated\n---\n# T\n").status == "deprecated")
    }

    @Test(arguments: statusKeys)
    func `every status key names the status section`(_ key: String) {
        let heading = key.prefix(1).uppercased() + key.dropFirst()
        #expect(parse("# T\n\n## \(heading)\n\nSuperseded\n").status == "superseded")
        #expect(parse("# T\n\n## 2. \(heading):\n\nProposed\n").status == "proposed")
    }

    @Test(arguments: dateKeys)
    func `every date key gives the date in a line, a table and front matter`(_ key: String) {
        for spelling in Self.spellings(key) {
            #expect(parse("# T\n\n\(spelling): 2024-03-05\n").date?.description == "2024-03-05", "line \(spelling)")
            #expect(parse("# T\n\n| \(spelling) | 2024-03-06 |\n|---|---|\n").date?.description == "2024-03-06", "table \(spelling)")
        }
        #expect(parse("---\n\(key.replacingOccurrences(of: " ", with: "-")): 2024-03-07\n---\n# T\n").date?.description == "2024-03-07")
    }

    @Test(arguments: deciderKeys + tagKeys)
    func `every decider and tag key gives its list in a line, a table and front matter`(_ key: String) {
        let field = Conventions.field(forKey: key)
        func values(_ d: ParsedDecision) -> [String] { field == .deciders ? d.deciders : d.tags }
        for spelling in Self.spellings(key) {
            #expect(values(parse("# T\n\n\(spelling): Ada, Grace and Linus\n")) == ["Ada", "Grace", "Linus"], "line \(spelling)")
            #expect(values(parse("# T\n\n| \(spelling) | Ada, Grace |\n|---|---|\n")) == ["Ada", "Grace"], "table \(spelling)")
        }
        #expect(values(parse("---\n\(key.replacingOccurrences(of: " ", with: "-")): [Ada, Grace]\n---\n# T\n")) == ["Ada", "Grace"])
    }

    @Test(arguments: Conventions.relationPhrases.map(\.0))
    func `every relation phrase states its relation to a link and to a number`(_ phrase: String) throws {
        let type = try #require(Conventions.relationPhrases.first { $0.0 == phrase }?.1)
        let capitalised = phrase.prefix(1).uppercased() + phrase.dropFirst()
        let dir = try temporaryLog([
            "0001-a.md": "# 1. A\n\n## Status\n\nAccepted\n\n\(capitalised) [the other](0002-b.md).\n",
            "0002-b.md": "# 2. B\n\n## Status\n\nAccepted\n\n\(capitalised) ADR-0001.\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = Pipeline.decisionLog(dir)
        #expect(log.decision("0001-a.md").links.map(\.type) == [type], "link after \(phrase)")
        #expect(log.decision("0002-b.md").links.map(\.type) == [type], "number after \(phrase)")
    }

    @Test(arguments: Array(Conventions.relationKeys.keys).sorted())
    func `every relation key of front matter states its relation`(_ key: String) throws {
        let type = try #require(Conventions.relationKeys[key])
        let d = parse("---\n\(key): 0002-b\n---\n# 1. A\n")
        #expect(d.references.map(\.type) == [type])
        #expect(d.references.first?.target == .name("0002-b"))
    }

    @Test(arguments: Array(Conventions.followUpSections).sorted())
    func `every follow-up section name makes its list items follow-ups`(_ name: String) {
        let heading = name.prefix(1).uppercased() + name.dropFirst()
        let d = parse("# 1. T\n\n## Status\n\nAccepted\n\n## \(heading)\n\n1. One.\n2. Two.\n")
        #expect(d.followUps.map(\.text) == ["One.", "Two."], "\(heading)")
    }

    @Test(arguments: Conventions.statusWords.flatMap { entry in entry.1.map { ($0, entry.0) } })
    func `every status word falls in its category`(_ word: String, _ category: StatusCategory) {
        #expect(StatusRules.category(word) == category)
        #expect(StatusRules.category(StatusRules.normalize(word.prefix(1).uppercased() + word.dropFirst())) == category)
    }

    /// `#` and `?` end the path as bytes, as in a browser: a combining mark after them belongs to
    /// the fragment or query.
    @Test func `a fragment or query that starts with a combining mark still leaves the path to the decision`() throws {
        let dir = try temporaryLog([
            "0002-b.md": "# 2. B\n\n## Status\n\nAccepted\n\n## \u{301}Note\n",
            "0001-a.md": "# 1. A\n\n## Status\n\nAccepted\n\nSee [B](0002-b.md#\u{301}note) and [B again](0002-b.md?\u{301}x).\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = Pipeline.decisionLog(dir)
        let a = log.decision("0001-a.md")
        #expect(a.linkTargets.compactMap { $0 } == [.decision(id: "0002-b", fragment: "\u{301}note"), .decision(id: "0002-b", fragment: nil)])
    }

    @Test(arguments: Array(Conventions.folderIndexStems).sorted())
    func `every folder index name makes the folder a decision, and a link to the folder leads to it`(_ stem: String) throws {
        for ext in Conventions.markdownExtensions {
            let dir = try temporaryLog([
                "use-kafka/\(stem).\(ext)": "# Use Kafka\n\n## Status\n\nAccepted\n",
                "0001-a.md": "# 1. A\n\n## Status\n\nAccepted\n\nSee [Kafka](use-kafka/) and [again](use-kafka/\(stem).\(ext)).\n",
            ])
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let log = Pipeline.decisionLog(dir)
            #expect(log.decisions.map(\.id).sorted() == ["0001-a", "use-kafka"], "\(stem).\(ext)")
            let a = log.decision("0001-a.md")
            #expect(a.links.map(\.target) == ["use-kafka"], "\(stem).\(ext)")
            #expect(a.linkTargets.compactMap { $0 } == [.decision(id: "use-kafka", fragment: nil), .decision(id: "use-kafka", fragment: nil)],
                    "\(stem).\(ext)")
            #expect(log.diagnostics.isEmpty, "\(stem).\(ext): \(log.diagnosticLines)")
        }
    }
}

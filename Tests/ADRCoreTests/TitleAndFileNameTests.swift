import Foundation
import TestSupport
import Testing
@testable import ADRCore

// MARK: - Number prefix of a title

@Test(arguments: [
    ("1. Record architecture decisions", "Record architecture decisions", 1),
    ("10 Use Kafka", "Use Kafka", 10),
    ("ADR005: Use Kafka", "Use Kafka", 5),
    ("ADR-0005 - Use Kafka", "Use Kafka", 5),
    ("ADR-0005: Use Kafka", "Use Kafka", 5),
    ("ADR 12: Use Kafka", "Use Kafka", 12),
    ("ADR #12: Use Kafka", "Use Kafka", 12),
    ("adr-7 Use Kafka", "Use Kafka", 7),
    ("0014. Use Kafka", "Use Kafka", 14),
    ("72.  Use Kafka", "Use Kafka", 72),
    ("3: Use Kafka", "Use Kafka", 3),
    ("3) Use Kafka", "Use Kafka", 3),
    ("3 - Use Kafka", "Use Kafka", 3),
    ("3 – Use Kafka", "Use Kafka", 3),
    ("3 — Use Kafka", "Use Kafka", 3),
    ("3 | Use Kafka", "Use Kafka", 3),
    ("#46. Use Kafka", "Use Kafka", 46),
    ("2. 3rd-party libraries are vendored", "3rd-party libraries are vendored", 2),
    ("2020. Use Kafka", "Use Kafka", 2020),
    ("ADR 2020 Use Kafka", "Use Kafka", 2020),
    ("0999 Use Kafka", "Use Kafka", 999),
])
func `a number prefix is removed from a title`(heading: String, title: String, number: Int) {
    let (stripped, found) = TitleRules.stripNumber(heading)
    #expect(stripped == title)
    #expect(found == number)
}

@Test(arguments: [
    "ADR: Use Kafka",
    "Architecture Decision Record: Use Kafka",
    "1.5 release process",
    "3D rendering with WebGL",
    "12factor configuration",
    "2FA for all admins",
    "ADRs live in the repository",
    "Adrenaline-driven development",
    "[JAMES-2909] Use Kafka",
    "ADR-0005",
    "42",
    "2020 roadmap",
    "2020-11-09 Use Kafka",
    "2020/21 budget",
    "Use Kafka",
])
func `a title without a number prefix stays as written`(heading: String) {
    let (stripped, found) = TitleRules.stripNumber(heading)
    #expect(stripped == heading)
    #expect(found == nil)
}

// MARK: - Titles through the parser

@Test func `the first H1 is the title`() {
    #expect(parse("# Use Kafka\n\n## Status\n\nAccepted\n").title == "Use Kafka")
    #expect(parse("Intro.\n\n# Use Kafka\n").title == "Use Kafka")
    #expect(parse("# 1. Record architecture decisions\n").title == "Record architecture decisions")
    #expect(parse("# ADR-0005 - Use Kafka\n", name: "0005-use-kafka.md").title == "Use Kafka")
}

@Test func `a setext H1 is a title too`() {
    #expect(parse("Use Kafka\n=========\n\nStatus: Accepted\n").title == "Use Kafka")
}

@Test func `front matter title wins over the heading`() {
    let d = parse("---\ntitle: Use Kafka for events\n---\n# 3. Kafka\n")
    #expect(d.title == "Use Kafka for events")
}

@Test func `inline syntax in a title is reduced to its text`() {
    #expect(parse("# 1. Use *Kafka* for `events`\n").title == "Use Kafka for events")
    #expect(parse("# Use **Kafka** and __Avro__\n").title == "Use Kafka and Avro")
    #expect(parse("# Use [Kafka](https://kafka.apache.org)\n").title == "Use Kafka")
}

@Test func `HTML entities in a title are decoded`() {
    #expect(parse("# Use Kafka &amp; Avro\n").title == "Use Kafka & Avro")
    #expect(parse("# R&amp;D &#8211; budget &copy;\n").title == "R&D – budget ©")
}

@Test func `ADR and Architecture Decision Record prefixes stay in the title`() {
    #expect(parse("# ADR: Use Kafka\n").title == "ADR: Use Kafka")
    #expect(parse("# Architecture Decision Record: Use Kafka\n").title == "Architecture Decision Record: Use Kafka")
}

@Test func `a file with no title takes its name as words, with a warning`() {
    let d = parse("Some text.\n\n## Status\n\nAccepted\n", name: "0007-use-postgres_for-storage.md")
    #expect(d.title == "Use postgres for storage")
    #expect(d.diagnostics.contains { $0.message.contains("no title") })
}

@Test func `a heading number that disagrees with the file name is a warning and the file name wins`() {
    let d = parse("# 8. Use Kafka\n", name: "0007-use-kafka.md")
    #expect(d.number == 7)
    #expect(d.title == "Use Kafka")
    #expect(d.diagnostics.contains { $0.message.contains("number 8") && $0.line == 1 })
}

@Test func `a heading number that agrees with the file name is no warning`() {
    let d = parse("# ADR-007: Use Kafka\n\nStatus: Accepted\n", name: "adr-007-use-kafka.md")
    #expect(d.number == 7)
    #expect(d.diagnostics.isEmpty)
}

// MARK: - File names

@Test(arguments: [
    ("0007-use-kafka", 7),
    ("0007", 7),
    ("ADR-7", 7),
    ("adr-007-use-kafka", 7),
    ("adr007-use-kafka", 7),
    ("ADR_12", 12),
    ("ADR_12_use_kafka", 12),
    ("adr 12 use kafka", 12),
    ("013-use-kafka", 13),
    ("1-use-kafka", 1),
    ("0001_use_kafka", 1),
    ("0001.use-kafka", 1),
    ("0000-use-markdown-architectural-decision-records", 0),
    ("12345-big-log", 12345),
])
func `the number comes from the file name`(stem: String, number: Int) {
    let info = FileNames.info(stem)
    #expect(info.number == number)
    #expect(info.date == nil)
}

@Test(arguments: [
    ("20200926-use-kafka", "2020-09-26"),
    ("20200926", "2020-09-26"),
    ("2022-02-07-tracing", "2022-02-07"),
    ("2022-02-07", "2022-02-07"),
    ("2022-02-07_tracing", "2022-02-07"),
])
func `a date-named file has a date and no number`(stem: String, date: String) {
    let info = FileNames.info(stem)
    #expect(info.number == nil)
    #expect(info.date?.description == date)
}

@Test(arguments: [
    "use-kafka",
    "kafka",
    "adr-use-kafka",
    "adrs",
    "v2-api",
    "3d-rendering",
    "12factor",
    "README",
    "",
])
func `a file name with no number or date gives neither`(stem: String) {
    #expect(FileNames.info(stem) == FileNameInfo(number: nil, date: nil))
}

@Test func `a folder-per-decision record takes its date from the folder`() {
    let d = parse("# Tracing\n", name: "2022-02-07-tracing/README.md")
    #expect(d.number == nil)
    #expect(d.date?.description == "2022-02-07")
    let numbered = parse("# Tracing\n", name: "0012-tracing/README.md")
    #expect(numbered.number == 12)
}

@Test(arguments: [
    ("0007-use-postgres_for-storage", "Use postgres for storage"),
    ("adr-007-use-kafka", "Use kafka"),
    ("ADR_12_use_kafka", "Use kafka"),
    ("20200926-use-kafka", "Use kafka"),
    ("2022-02-07-tracing", "Tracing"),
    ("use-kafka", "Use kafka"),
    ("ADR-7", "ADR-7"),
])
func `a file name turns into words`(stem: String, words: String) {
    #expect(FileNames.words(stem) == words)
}

// MARK: - Anchors, lists, follow-up headings, front matter targets

@Test(arguments: [
    ("Context and Problem Statement", "context-and-problem-statement"),
    ("Décision", "décision"),
    ("C++ & Rust", "c--rust"),
    ("Pros and Cons: Option 1", "pros-and-cons-option-1"),
    ("snake_case-and-kebab", "snake_case-and-kebab"),
    ("🚀 Launch", "-launch"),
    ("???", "section"),
])
func `heading anchors are GitHub-style slugs`(heading: String, slug: String) {
    #expect(Slug.make(heading) == slug)
}

/// The byte path for ASCII headings makes what the rule by Characters makes, for any ASCII text.
@Test func `seeded ASCII headings get the same slug from the byte path as from the rule`() {
    var rng = SplitMix(seed: UInt64(ProcessInfo.processInfo.environment["ADRSITE_PROPERTY_SEED"] ?? "") ?? 23)
    for _ in 0..<5000 {
        let text = String(decoding: (0..<Int.random(in: 0...24, using: &rng)).map { _ in UInt8.random(in: 0...127, using: &rng) },
                          as: UTF8.self)
        #expect(Slug.ascii(text) == Slug.characters(text), "\(text.debugDescription)")
    }
}

@Test func `anchors are unique within a page`() {
    var anchors = AnchorSet(reserved: ["status"])
    #expect(anchors.unique("status") == "status-1")
    #expect(anchors.unique("context") == "context")
    #expect(anchors.unique("context") == "context-1")
    #expect(anchors.unique("context") == "context-2")
}

@Test(arguments: [
    ("Alice, Bob and Carol", ["Alice", "Bob", "Carol"]),
    ("Alice, Bob, and Carol", ["Alice", "Bob", "Carol"]),
    ("Alice; Bob", ["Alice", "Bob"]),
    ("[Alice, Bob]", ["Alice", "Bob"]),
    ("Alice Anderson", ["Alice Anderson"]),
    ("Sandra Andersen, Brandon", ["Sandra Andersen", "Brandon"]),
    ("Alice & Bob", ["Alice", "Bob"]),
    ("Alice et Bob", ["Alice", "Bob"]),
    ("Alice und Bob", ["Alice", "Bob"]),
    ("Alice y Bob", ["Alice", "Bob"]),
    ("", []),
    (" , ", []),
])
func `a list of deciders is split into names`(value: String, names: [String]) {
    #expect(ListRules.split(value) == names)
}

@Test(arguments: [
    ("Follow-up actions", true),
    ("Follow-up Actions:", true),
    ("Follow ups", true),
    ("5. Next steps", true),
    ("Next Steps 🚀", true),
    ("Action items", true),
    ("Prochaines étapes", true),
    ("Actions de suivi", true),
    ("Nächste Schritte", true),
    ("Próximos pasos", true),
    ("Consequences", false),
    ("Follow-up of ADR-3", false),
    ("Decision", false),
])
func `follow-up sections are recognised by their heading`(heading: String, isFollowUp: Bool) {
    #expect(Conventions.sectionRole(heading).contains(.followUps) == isFollowUp)
}

@Test func `section headings are keyed by their letters: ASCII answered directly agrees with Unicode's Alphabetic property`() {
    for value in UInt32(0)..<0x80 {
        let scalar = Unicode.Scalar(value)!
        #expect(Conventions.isLetter(scalar) == scalar.properties.isAlphabetic, "U+\(String(value, radix: 16))")
    }
    for scalar in ["é", "ß", "ı", "中", "ª", "·", "½", "Ⅻ"].compactMap(\.unicodeScalars.first) {
        #expect(Conventions.isLetter(scalar) == scalar.properties.isAlphabetic)
    }
    #expect(Conventions.sectionKey("## 2. Follow-up Actions:") == "followupactions")
    #expect(Conventions.sectionKey("3) Décisions prises") == "décisionsprises")
}

@Test func `a decision named in front matter is a path, a number or a name`() {
    #expect(FrontMatterRules.target("ADR-12") == .number(12))
    #expect(FrontMatterRules.target("12") == .number(12))
    #expect(FrontMatterRules.target(" 0012 ") == .number(12))
    #expect(FrontMatterRules.target("0012-use-kafka.md") == .url("0012-use-kafka.md"))
    #expect(FrontMatterRules.target("../infra/0012-use-kafka.md#decision") == .url("../infra/0012-use-kafka.md#decision"))
    #expect(FrontMatterRules.target("[Use Kafka](0012-use-kafka.md)") == .url("0012-use-kafka.md"))
    #expect(FrontMatterRules.target("0012-use-kafka") == .name("0012-use-kafka"))
}

@Test func `a follow-up named in front matter is a decision and a number`() {
    let a = FrontMatterRules.followUp("0007#2", line: 3)
    #expect(a?.target == .number(7))
    #expect(a?.number == 2)
    #expect(a?.line == 3)
    #expect(FrontMatterRules.followUp("ADR-7#2", line: 1)?.target == .number(7))
    let b = FrontMatterRules.followUp("0007-x.md#follow-up-2", line: 1)
    #expect(b?.target == .url("0007-x.md"))
    #expect(b?.number == 2)
    #expect(FrontMatterRules.followUp("0007", line: 1) == nil)
    #expect(FrontMatterRules.followUp("0007#context", line: 1) == nil)
}

@Test func `a Markdown link's destination is found in a string`() {
    #expect(FrontMatterRules.markdownLinkTarget("superseded by [ADR 5](0005-x.md)") == "0005-x.md")
    #expect(FrontMatterRules.markdownLinkTarget("[X](<0005 x.md>)") == "0005 x.md")
    #expect(FrontMatterRules.markdownLinkTarget("no link here") == nil)
    #expect(FrontMatterRules.markdownLinkTarget("[X]()") == nil)
}

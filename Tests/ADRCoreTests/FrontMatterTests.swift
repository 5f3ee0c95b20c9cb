import Foundation
import Testing
@testable import ADRCore

/// Splits `text` as the file `0001-t.md`.
private func split(_ text: String) -> (FrontMatter?, String, [Diagnostic]) {
    FrontMatter.split(text, path: "0001-t.md")
}

@Test func `front matter is replaced by blank lines so that body line numbers stay those of the file`() {
    let text = "---\ntitle: T\nstatus: accepted\n---\n# Heading\n\nBody.\n"
    let (fm, body, diagnostics) = split(text)
    #expect(diagnostics.isEmpty)
    #expect(fm?["title"]?.string == "T")
    let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
    let originalLines = text.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == originalLines.count)
    #expect(lines[4] == "# Heading")
    #expect(lines[0..<4].allSatisfy { $0.isEmpty })
}

@Test func `headings after front matter keep their line in the file`() {
    let d = parse("---\ntitle: T\nstatus: accepted\n---\n# Heading\n\n## Context\n\nText.\n")
    #expect(d.sections.first { $0.title == "Context" }?.line == 7)
}

@Test func `front matter with Windows line endings is read`() {
    let d = parse("---\r\ntitle: Use Kafka\r\nstatus: accepted\r\ndate: 2020-11-09\r\n---\r\n# Heading\r\n\r\n## Context\r\n")
    #expect(d.title == "Use Kafka")
    #expect(d.status == "accepted")
    #expect(d.date?.description == "2020-11-09")
    #expect(d.sections.first { $0.title == "Context" }?.line == 8)
}

@Test func `front matter may close with three dots and the opening line may have trailing spaces`() {
    let (fm, _, diagnostics) = split("---  \ntitle: T\n...\n# H\n")
    #expect(diagnostics.isEmpty)
    #expect(fm?["title"]?.string == "T")
}

@Test func `a file that does not start with three dashes has no front matter`() {
    let text = "# T\n\n---\ntitle: x\n---\n"
    let (fm, body, diagnostics) = split(text)
    #expect(fm == nil)
    #expect(body == text)
    #expect(diagnostics.isEmpty)
    #expect(split("----\ntitle: x\n----\n").0 == nil)
}

@Test func `a leading thematic break that is never closed is Markdown and no warning`() {
    let text = "---\n\n# T\n\nText.\n"
    let (fm, body, diagnostics) = split(text)
    #expect(fm == nil)
    #expect(body == text)
    #expect(diagnostics.isEmpty)
}

@Test func `front matter that is never closed is a warning at line 1`() {
    let (fm, _, diagnostics) = split("---\ntitle: T\nstatus: accepted\n\n# T\n")
    #expect(fm == nil)
    #expect(diagnostics.count == 1)
    #expect(diagnostics.first?.line == 1)
    #expect(diagnostics.first?.message.contains("never closed") == true)
}

@Test func `empty front matter is no warning`() {
    let (fm, body, diagnostics) = split("---\n---\n# T\n")
    #expect(fm?.entries.isEmpty == true)
    #expect(diagnostics.isEmpty)
    #expect(body == "\n\n# T\n")
}

@Test func `invalid YAML is a warning at its line in the Markdown file`() {
    let m = MarkedText("---\ntitle: T\nstatus: accepted\n⟨1⟩date: 2020-01-01: oops\n---\n# T\n")
    let (fm, _, diagnostics) = split(m.text)
    #expect(fm?.entries.isEmpty == true)
    #expect(diagnostics.count == 1)
    #expect(diagnostics.first?.line == m.markers["1"]!.line)
    #expect(diagnostics.first?.message.contains("not valid YAML") == true)
}

@Test func `an unclosed YAML list is a warning inside the front matter`() {
    let (_, _, diagnostics) = split("---\ntitle: T\ntags: [a, b\nstatus: accepted\n---\n# T\n")
    #expect(diagnostics.count == 1)
    #expect((2...5).contains(diagnostics.first?.line ?? 0))
}

@Test func `a duplicated key is a warning at the duplicate`() {
    let m = MarkedText("---\ntitle: T\nstatus: accepted\n⟨1⟩status: rejected\n---\n# T\n")
    let (_, _, diagnostics) = split(m.text)
    #expect(diagnostics.count == 1)
    #expect(diagnostics.first?.line == m.markers["1"]!.line)
    #expect(diagnostics.first?.message.contains("status") == true)
}

@Test func `front matter that is not a map is a warning`() {
    let (fm, _, diagnostics) = split("---\n- a\n- b\n---\n# T\n")
    #expect(fm?.entries.isEmpty == true)
    #expect(diagnostics.count == 1)
    #expect(diagnostics.first?.message.contains("not a map") == true)
}

@Test func `invalid YAML leaves the rest of the file readable`() {
    let d = parse("---\ntitle: [oops\n---\n# Use Kafka\n\n## Status\n\nAccepted\n")
    #expect(d.title == "Use Kafka")
    #expect(d.status == "accepted")
    #expect(d.diagnostics.contains { $0.message.contains("not valid YAML") })
}

@Test func `YAML scalars stay text: dates, numbers and booleans are not converted`() {
    let (fm, _, _) = split("---\ndate: 2020-11-09\nnumber: 007\nflag: yes\nversion: 1.10\nempty:\ntilde: ~\n---\n")
    #expect(fm?["date"]?.string == "2020-11-09")
    #expect(fm?["number"]?.string == "007")
    #expect(fm?["flag"]?.string == "yes")
    #expect(fm?["version"]?.string == "1.10")
    #expect(fm?["empty"] == .null)
    #expect(fm?["tilde"] == .null)
}

@Test func `front matter keys match ignoring case, dashes, underscores and spaces`() {
    let (fm, _, _) = split("---\nSuperseded_By: 0003-x.md\nDecision Makers: Alice\n---\n")
    #expect(fm?["superseded-by"]?.string == "0003-x.md")
    #expect(fm?.entry("decision-makers")?.value.string == "Alice")
    #expect(fm?.entry("supersededby")?.line == 2)
    #expect(fm?.entry("decisionmakers")?.line == 3)
}

@Test func `lists in front matter give each value`() {
    let (fm, _, _) = split("---\ntags: [api, kafka]\ndeciders:\n  - Alice\n  - Bob\n---\n")
    #expect(fm?["tags"]?.strings == ["api", "kafka"])
    #expect(fm?["deciders"]?.strings == ["Alice", "Bob"])
}

@Test func `deciders and tags from front matter are split like body lists`() {
    let d = parse("---\ndeciders: Alice, Bob and Carol\ntags:\n  - api\n  - kafka\n---\n# T\n")
    #expect(d.deciders == ["Alice", "Bob", "Carol"])
    #expect(d.tags == ["api", "kafka"])
}

@Test func `a status that is a list is a warning and ignored`() {
    let m = MarkedText("---\ntitle: T\n⟨1⟩status:\n  - accepted\n  - implemented\n---\n# T\n")
    let d = parse(m.text)
    #expect(d.status == nil)
    let warnings = d.diagnostics.filter { $0.message.contains("`status` should be a single value") }
    #expect(warnings.count == 1)
    #expect(warnings.first?.line == m.markers["1"]!.line)
}

@Test func `a status that is a map is a warning and ignored`() {
    let d = parse("---\nstatus:\n  value: accepted\n  since: 2020-01-01\n---\n# T\n")
    #expect(d.status == nil)
    #expect(d.diagnostics.contains { $0.message.contains("`status` should be a single value") && $0.line == 2 })
}

@Test func `an empty status in front matter falls back to the body`() {
    let d = parse("---\nstatus:\n---\n# T\n\n## Status\n\nAccepted\n")
    #expect(d.status == "accepted")
}

@Test func `a front matter status that relates to another decision is read as status and relation`() {
    let d = parse("---\nstatus: superseded by ADR-0123\n---\n# T\n")
    #expect(d.status == "superseded")
    #expect(d.references.contains { $0.type == .supersededBy && $0.target == .number(123) })
}

@Test func `front matter relations become references at their line`() {
    let d = parse("---\ntitle: T\nsupersedes: [0001-a.md, ADR-2]\nsuperseded-by: 0009-z.md\n---\n# T\n")
    #expect(d.references.contains { $0.type == .supersedes && $0.target == .url("0001-a.md") && $0.line == 3 })
    #expect(d.references.contains { $0.type == .supersedes && $0.target == .number(2) && $0.line == 3 })
    #expect(d.references.contains { $0.type == .supersededBy && $0.target == .url("0009-z.md") && $0.line == 4 })
}

@Test func `a front matter date that is not a date is a warning`() {
    let d = parse("---\ndate: someday\n---\n# T\n")
    #expect(d.date == nil)
    #expect(d.diagnostics.contains { $0.message.contains("not a date") && $0.line == 2 })
}

@Test func `a YAML alias bomb stays cheap`() {
    // The "billion laughs": nine levels of nine aliases each would expand to 9^9 nodes.
    var yaml = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
    for k in 1..<names.count {
        let previous = "*" + names[k - 1]
        yaml += "\(names[k]): &\(names[k]) [" + Array(repeating: previous, count: 9).joined(separator: ",") + "]\n"
    }
    let clock = ContinuousClock()
    let start = clock.now
    let d = parse("---\ntitle: Bomb\n" + yaml + "---\n# T\n")
    let elapsed = clock.now - start
    #expect(elapsed < .seconds(2))
    #expect(d.title == "T")   // the front matter was dropped as a whole
    #expect(d.diagnostics.contains { $0.message.contains("too large") })
}

@Test func `a YAML alias bomb used as a mapping key stays cheap`() {
    // Comparing mapping keys must not walk the expanded tree either.
    var yaml = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
    for k in 1..<names.count {
        yaml += "\(names[k]): &\(names[k]) [" + Array(repeating: "*" + names[k - 1], count: 9).joined(separator: ", ") + "]\n"
    }
    yaml += "? *i\n: boom\n"
    let clock = ContinuousClock()
    let start = clock.now
    let d = parse("---\n" + yaml + "---\n# T\n")
    let elapsed = clock.now - start
    #expect(elapsed < .seconds(2))
    #expect(d.title == "T")
    #expect(!d.diagnostics.isEmpty)
}

@Test func `a few YAML aliases are fine`() {
    let (fm, _, diagnostics) = split("---\nowner: &o Alice\ndeciders: [*o, Bob]\n---\n")
    #expect(diagnostics.isEmpty)
    #expect(fm?["deciders"]?.strings == ["Alice", "Bob"])
}

@Test func `asterisks in quoted values and comments are no aliases`() {
    let items = (1...40).map { "  - \"*item \($0)*\"  # *not an alias*" }.joined(separator: "\n")
    let (fm, _, diagnostics) = split("---\ntitle: T\nnotes:\n" + items + "\n---\n")
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    #expect(fm?["notes"]?.strings.count == 40)
}

@Test func `many aliases are refused before the YAML is read`() {
    let yaml = "a: &a x\n" + (1...40).map { "k\($0): *a" }.joined(separator: "\n")
    let (fm, _, diagnostics) = split("---\n" + yaml + "\n---\n")
    #expect(fm?.entries.isEmpty == true)
    #expect(diagnostics.count == 1)
    #expect(diagnostics.first?.message.contains("aliases") == true)
}

/// The reader for plain `key: value` front matter must give what Yams gives, whenever it takes
/// the text at all, and it must take the common kind.
@Test func `plain front matter is read as Yams reads it`() {
    let keys = ["status", "date", "deciders", "title", "tags", "x", "Status", "a-b", "a_b", "k9", "null", "true",
                "-k", "9k", "k k", "\"k\"", "k ", ""]
    let values = ["accepted", "2016-01-05", "Dmitri Volkov, Liam O'Brien", "Amélie Durand", "null", "Null", "NULL",
                  "~", "", " ", "a  b", "a ", "(draft) v1.0/2; x+y", "true", "12", "0x1F", "yes",
                  "a: b", "a:b", "a #b", "a#b", "#c", "- x", "[a, b]", "{a: b}", "'q'", "\"q\"", "&anchor x", "*alias",
                  "!tag x", "|", ">", "@x", "`x`", "%x", "? x", "a\tb", "\u{A0}nbsp", "x\u{85}y", "x\u{2028}y",
                  "\u{FEFF}bom", "x\u{9F}", "日本語", "Zoë Müller", "a -b", "-"]
    var generator = SplitMix(seed: 5)
    var compared = 0, taken = 0
    for _ in 0..<3000 {
        var lines: [String] = []
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            switch Int.random(in: 0..<10, using: &generator) {
            case 0: lines.append("")
            case 1: lines.append("  " + keys.randomElement(using: &generator)! + ": x")
            case 2: lines.append(keys.randomElement(using: &generator)! + ":")
            default:
                lines.append(keys.randomElement(using: &generator)! + ": " + values.randomElement(using: &generator)!)
            }
        }
        let yaml = lines.joined(separator: "\n")
        guard !yaml.trimmingCharacters(in: " \t\n\r").isEmpty else { continue }
        compared += 1
        guard let simple = FrontMatter.parseSimple(yaml) else { continue }
        taken += 1
        var diagnostics: [Diagnostic] = []
        let yams = FrontMatter.parseWithYams(yaml, path: "0001-t.md", diagnostics: &diagnostics)
        #expect(diagnostics.isEmpty, "\(yaml.debugDescription): \(diagnostics)")
        #expect(simple.entries == yams.entries, "\(yaml.debugDescription)")
    }
    // Both outcomes occur: the comparison is not empty, and Yams still reads the rest.
    #expect(taken > 300 && taken < compared - 300, "taken \(taken) of \(compared)")
    #expect(FrontMatter.parseSimple("status: accepted\ndate: 2016-01-05\ndeciders: Dmitri Volkov, Liam O'Brien") != nil)
}

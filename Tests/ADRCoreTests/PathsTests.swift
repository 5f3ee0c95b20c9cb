import Foundation
import Testing
@testable import ADRCore

@Suite struct PathsTests {
    /// Foundation's folding over the whole part, as ids were made before: the reference for
    /// `Paths.idPart`, which folds each run of non-ASCII text on its own.
    static func referenceIDPart(_ part: String) -> String {
        let folded = part.folding(options: [.diacriticInsensitive, .widthInsensitive], locale: nil)
        var out = ""
        var lastDash = false
        for scalar in folded.unicodeScalars {
            let ok = (scalar.value >= 48 && scalar.value <= 57) || (scalar.value >= 65 && scalar.value <= 90)
                || (scalar.value >= 97 && scalar.value <= 122) || scalar == "_" || scalar == "." || scalar == "-"
            if ok && scalar != "-" {
                out.unicodeScalars.append(scalar)
                lastDash = false
            } else if !lastDash {
                out.append("-")
                lastDash = true
            }
        }
        let trimmed = out.trimmingCharacters(in: CharacterSet(charactersIn: "-."))
        return trimmed.isEmpty ? "decision" : trimmed
    }

    @Test func `ids fold accents and widths as folding the whole name would (seeded)`() {
        let pieces = ["a", "Z", "0", "9", "-", "_", ".", " ", "--", "é", "e\u{301}", "A\u{30A}", "ñ", "ß", "Æ", "ø", "Ⅻ",
                      "Ａ", "ｂ", "１", "－", "ﾃ", "日本", "🚀", "\u{301}", "\u{FE0F}", "İ", "ǅ", "ﬁ", "Ω", "ا", "#", "%", "é\u{301}"]
        var generator = SplitMix(seed: 2026)
        for _ in 0..<3000 {
            let name = (0..<generator.below(8)).map { _ in generator.pick(pieces) }.joined()
            #expect(Paths.idPart(name) == Self.referenceIDPart(name), "\(name.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test func `paths are split at their last slash byte, whatever follows it`() {
        #expect(Paths.parent("a/b/c.md") == "a/b" && Paths.lastComponent("a/b/c.md") == "c.md")
        #expect(Paths.parent("c.md") == "" && Paths.lastComponent("c.md") == "c.md")
        #expect(Paths.parent("a/") == "a" && Paths.lastComponent("a/") == "")
        // A combining mark after the slash makes one Character of both: the split is still there.
        #expect(Paths.parent("dir/\u{301}x.md") == "dir" && Paths.lastComponent("dir/\u{301}x.md") == "\u{301}x.md")
        #expect(Paths.parent("caf\u{E9}/d\u{E9}j\u{E0}.md") == "caf\u{E9}" && Paths.lastComponent("caf\u{E9}/d\u{E9}j\u{E0}.md") == "d\u{E9}j\u{E0}.md")
    }

    @Test(arguments: [("0007-use-kafka.md", "0007-use-kafka"), ("security/0008-x.markdown", "security/0008-x"),
                      ("use-kafka/README.md", "use-kafka"), ("use-kafka/_index.md", "use-kafka"),
                      ("use-kafka/Index.Markdown", "use-kafka"), ("README.md", "README"),
                      ("Café Über.md", "Cafe-Uber"), ("a/--x--.md", "a/x")])
    func `a decision's id comes from its path`(_ source: String, _ id: String) {
        #expect(Paths.id(source) == id)
    }

    @Test func `markdown names and folder indexes are recognised in any case`() {
        #expect(Paths.isMarkdown("x.MD") && Paths.isMarkdown("x.Markdown") && Paths.isMarkdown(".md"))
        #expect(!Paths.isMarkdown("md") && !Paths.isMarkdown("x.mdx") && !Paths.isMarkdown("x.md.txt"))
        #expect(Paths.isFolderIndex("README.md") && Paths.isFolderIndex("_index.markdown") && Paths.isFolderIndex("INDEX.MD"))
        #expect(!Paths.isFolderIndex("readme.txt") && !Paths.isFolderIndex("readme-x.md"))
        #expect(Paths.stripExtension("a.b.MD") == "a.b" && Paths.stripExtension("x.txt") == "x.txt")
    }
}

extension PathsTests {
    @Test func `normalize gives every path what resolving each part gives (seeded)`() {
        let pieces = ["a", "b.md", ".", "..", "...", ".x", "x.", "/", "//", "", "é"]
        var generator = SplitMix(seed: 77)
        for _ in 0..<5000 {
            let path = (0..<generator.below(7)).map { _ in generator.pick(pieces) }.joined(separator: generator.chance(80) ? "/" : "")
            for allowAbove in [false, true] {
                #expect(Paths.normalize(path, allowAbove: allowAbove) == Paths.resolveParts(path, allowAbove: allowAbove), "\(path)")
            }
        }
    }
}

/// Which links of a body may lead to another decision (and so are resolved, checked and listed).
@Test(arguments: [
    ("0003-use-kafka.md", true), ("../infra/0003-use-kafka.md#decision", true), ("0003-use-kafka", true),
    ("", false), ("#context", false), ("mailto:team@example.org", false), ("ftp://example.org/0003.md", false),
    ("https://github.com/org/repo/blob/main/docs/adr/0003-x.md", true),
    ("HTTPS://GITHUB.COM/ORG/REPO/BLOB/MAIN/0003-X.MD", true), ("Http://example.org/x.Markdown", true),
    ("https://example.org/0003-x.md?plain=1", true), ("https://example.org/0003-x.md#L10", true),
    ("https://example.org/docs/", false), ("https://example.org/x.md.html", false),
    ("https://example.org/page?file=x.md", false), ("https://example.org/page#x.md", false),
    ("../a:b/0003-x.md", true), ("a?b:c", true), ("notes/x:y", true), ("urn:isbn:0451450523", false),
    ("https://example.org/ä/0003-x.md", true), ("https:", false),
])
func `a link may lead to a decision when it is relative or a web address of a Markdown file`(url: String, candidate: Bool) {
    #expect(Reader.isCandidateLink(url) == candidate)
}

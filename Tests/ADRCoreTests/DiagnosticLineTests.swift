import Testing
@testable import ADRCore

/// One diagnostic is always one line: paths and quoted input are escaped where they could break
/// the line, forge another or drive the terminal.
@Suite struct DiagnosticLineTests {
    @Test(arguments: [
        ("a\nb.md", #"a\nb.md:1:1: warning: m"#),
        ("a\rb.md", #"a\rb.md:1:1: warning: m"#),
        ("a\tb.md", #"a\tb.md:1:1: warning: m"#),
        ("\u{1B}[31mred.md", #"\u{1B}[31mred.md:1:1: warning: m"#),
        ("c1\u{9B}31m.md", #"c1\u{9B}31m.md:1:1: warning: m"#),
        ("nel\u{85}.md", #"nel\u{85}.md:1:1: warning: m"#),
        ("line\u{2028}para\u{2029}.md", #"line\u{2028}para\u{2029}.md:1:1: warning: m"#),
        ("bidi\u{202E}dm.txt", #"bidi\u{202E}dm.txt:1:1: warning: m"#),
        ("::error::forged.md", "./::error::forged.md:1:1: warning: m"),
        ("café 🚀 \\ back.md", "café 🚀 \\ back.md:1:1: warning: m"),
    ])
    func `a path is printed on one line, escaped where it must be`(_ file: String, _ expected: String) {
        let line = Diagnostic.warning(file, "m").formatted(under: "")
        #expect(line == expected)
        #expect(!line.unicodeScalars.contains { Diagnostic.isUnprintable($0) })
    }

    @Test func `a message quoting input is escaped too, and a plain line is left as it is`() {
        #expect(Diagnostic.error("x.md", "link to `a\nb`").formatted(under: "docs/adr") == #"docs/adr/x.md:1:1: error: link to `a\nb`"#)
        let plain = "docs/adr/0001-x.md:3:7: warning: broken link: y.md does not exist → fix it"
        #expect(Diagnostic.printable(plain) == plain)
    }
}

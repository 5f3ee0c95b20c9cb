import Foundation
import Testing
@testable import ADRCore

/// Inputs for each GFM extension and their edges, rendered by adrsite and by Debian's
/// cmark-gfm (the reference renderer), compared byte for byte.
let gfmDifferentialInputs: [String] = [
    // Strikethrough.
    "~~Hi~~ Hello, ~there~ world!\n", "This ~~has a\n\nnew paragraph~~.\n", "~one~ ~~two~~ ~~~three~~~\n",
    "No ~mismatch~~ and a~b~c and ~~x~ ~y~~\n", "*a ~b~ c* ~*d*~ **~e~** [~f~](u)\n", "~a\nb~ and ~ spaced ~\n",
    "\\~not~ and ~a\\~b~ and &#126;x~\n", "~~a ~b~ c~~\n", "takes ~5 minutes, ~10 at most\n", "path ~/x and ~/.ssh~\n",
    "# Heading ~struck~\n\n| ~a~ | b |\n|---|---|\n| ~~c~~ | d |\n", "> quoted ~x~\n> more ~~y~~\n", "- item ~x~\n  more ~y~\n",
    // Autolinks.
    "See https://example.com/path?q=1&r=2. Or http://x.org, (www.y.com) and ftp://f.org/a.\n",
    "www.commonmark.org/a.b. www.x.com/a(b)c) http://a.b/~x~y~ https://x.com/p?a=1&b;\n",
    "https://x.com/p?a=1&amp;\n",
    "<https://x.com> [https://x.com](https://y.com) `http://code.com` ![http://i.com](i.png)\n",
    "[see http://x.com for] [a] http://y.com [b [c](d) http://z.com\n", "1http://x.com xhttp://y.com HTTP://UP.COM\n",
    "www. x www.a www.a_b.c_d.e www.a.b_c a_www.x.com *www.x.com* (www.x.com)\n", "http://a https://-x.com http://x_y.z\n",
    "mail foo@bar.com, mailto:a@b.co and xmpp:x@y.org/r a.w@b.c @a.b x@y@z.com a_b@c.d a-b@c.d- 1@2.3\n",
    "~~www.google.com~~ ~http://x.com~ ~foo@bar.com~ foo@bar.com~\n",
    "| a | b |\n| --- | --- |\n| https://github.com www.github.com | http://pokemon.com |\n",
    "http://🍄.ga/ http://x🍄.ga/ www.github.com/á http://google.com/å\n", "Autolink ADR-12 at https://x.com/ADR-12.\n",
    "https://x.com/a_b_c https://x.com/(a) (https://x.com/(a)) 'https://x.com' \"http://y.com\"\n",
    // Task lists.
    "- [ ] foo\n- [x] bar\n- [X] baz\n- [ ]\n- [ ] \n- [x]foo\n", "-\n  [ ] later\n- [ ] see [x] here\n1. [ ] one\n10) [x] ten\n",
    "- [ ] # head\n- [ ] - nested\n- [ ]   spaces\n- [x]\ttab\n", "> - [ ] in quote\n\n- - [ ] inner\n\n  - [ ] indented\n",
    "- foo\n  [ ] bar\n- \\[ ] escaped\n- [ ] *em* [x](u)\n\n* [ ] a\n\n  para\n", "- [x] foo\n  - [ ] bar\n  - [x] baz\n- [ ] bim\n",
    // Footnotes.
    "Text[^1] and[^a b] and [^nope] and again[^1].\n\n[^1]: https://x.example\n\n[^a b]: Note *b*.\n  more\n\n[^unused]: x\n",
    "Text[^1].\n[^1]: note\n", "Text[^1].\n\n[^1]: note\nNext para.\n", "> a[^1]\n[^1]: x\n",
    "[^A]: upper\n\nRef [^a] and [^B] [^b].\n\n[^b]: bee\n[^b]: second\n", "x[^foo] [^bar]\n\n[^foo]: q\n",
    "x [^fo*o*] [^<b>]\n\n[^fo*o*]: q\n\n[^<b>]: t\n",
    "[^a]: A has [^b].\n\nText [^a].\n\n[^b]: B\n", "[^1](http://x) [^1][r] [x [^1]](u) *[^1]*\n\n[^1]: n\n\n[r]: /r\n",
    "a[^1]\n\n[^1]: self [^1]\n", "a [^1]: b\n\n[^1]: c\n", "text[^1]\n\n[^1]:\n    code?\n\n        indented\n",
    "text [^ 1] [^1 ] [^]\n\n[^1]: x\n", "[^1]: one\n---\nx[^1]\n", "x[^1]\n\n[^1]: a\n\n    b\n\n  c\n",
    "x[^n]\n\n[^n]: a\n    - b\n    - c\n\n    | t | u |\n    |---|---|\n    | 1 | 2 |\n", "\\[^1] [^1]\n\n[^1]: x\n",
    "x[^1] ~y~ www.z.com\n\n[^1]: note with www.n.com and ~s~ and a@b.co\n",
    // Tag filter (with raw HTML kept).
    "<script>alert(1)</script>\n\ntext <style>x</style> <xmp> <TEXTAREA/> <iframe src=x> <title> <plaintext>\n\n<div><noembed></noembed><noframes></div>\n",
    "<scripts> <script-x> <strong>ok</strong> <!-- <script> -->\n",
    // Code blocks keep their language.
    "```mermaid\ngraph TD; A-->B\n```\n\n```swift\nlet x = 1\n```\n",
]

/// Inputs where adrsite renders differently from cmark-gfm on purpose or by a limit of working
/// on cmark's tree, and why.
let gfmDifferentialExceptions: [String: String] = [
    "https://x.com/p?a=1&amp;\n":
        "cmark-gfm finds addresses in the raw text and leaves a trailing entity out; adrsite finds them in cmark's "
        + "text, where `&amp;` is already `&`, which then stays in the address",
    "x [^fo*o*] [^<b>]\n\n[^fo*o*]: q\n\n[^<b>]: t\n":
        "a footnote label with inline syntax in it: cmark has made the syntax nodes before the footnote step "
        + "sees the text, so the reference stays text",
    "```mermaid\ngraph TD; A-->B\n```\n\n```swift\nlet x = 1\n```\n":
        "adrsite marks Mermaid blocks `<pre class=\"mermaid\">` for the page's script to draw",
]

@Test(.enabled(if: CmarkGFM.isInstalled), arguments: gfmDifferentialInputs)
func `GFM extensions render as cmark-gfm renders them`(_ markdown: String) {
    var renderer = HTMLRenderer(unsafe: true)
    renderer.tagFilter = true
    let ours = renderer.html(MarkdownDocument.parse(markdown))
    let theirs = CmarkGFM.html(markdown)
    if let reason = gfmDifferentialExceptions[markdown] {
        #expect(ours != theirs, "listed (\(reason)) but the same")
    } else {
        #expect(ours == theirs, "input: \(markdown.debugDescription)")
    }
}

@Test(.enabled(if: CmarkGFM.isInstalled), arguments: gfmDifferentialInputs)
func `GFM extensions render as cmark-gfm renders them in safe mode`(_ markdown: String) {
    let ours = HTMLRenderer().html(MarkdownDocument.parse(markdown))
    let theirs = CmarkGFM.html(markdown, unsafe: false)
    if gfmDifferentialExceptions[markdown] == nil {
        #expect(ours == theirs, "input: \(markdown.debugDescription)")
    }
}

@Test func `a Mermaid block keeps its code and language class and is counted`() {
    let rendered = HTMLRenderer().render(MarkdownDocument.parse("```mermaid\ngraph TD; A-->B<script>\n```\n\n```js\nx\n```\n"))
    let html = String(decoding: rendered.html, as: UTF8.self)
    #expect(html == "<pre class=\"mermaid\"><code class=\"language-mermaid\">graph TD; A--&gt;B&lt;script&gt;\n</code></pre>\n<pre><code class=\"language-js\">x\n</code></pre>\n")
    #expect(rendered.diagrams == 1)
}

@Test func `task list items carry their state in the tree`() {
    let doc = MarkdownDocument.parse("- [ ] open\n- [x] done\n- plain\n")
    let items = doc.descendants(of: MarkdownDocument.root).filter { doc[$0].kind == .item }
    #expect(items.map { doc[$0].task } == [.unchecked, .checked, .none])
    #expect(doc.plainText(of: items[1]) == "done")
}

@Test func `autolinked URLs are link nodes that become holes with their positions`() {
    let doc = MarkdownDocument.parse("# T\n\nSee www.x.com and\nhttps://y.org/a, mail a@b.co.\n")
    let links = doc.descendants(of: MarkdownDocument.root).filter { doc[$0].kind == .link }
    #expect(links.map { doc.url($0) } == ["http://www.x.com", "https://y.org/a", "mailto:a@b.co"])
    #expect(links.map { doc[$0].line } == [3, 4, 4])
    #expect(doc[links[0]].column == 5)
    var renderer = HTMLRenderer()
    for (k, n) in links.enumerated() { renderer.linkHoles[n] = Int32(k) }
    #expect(renderer.render(doc).holes.map(\.kind) == [.linkOpen, .linkClose, .linkOpen, .linkClose, .linkOpen, .linkClose])
}

@Test func `footnote definitions keep their source lines and their links are found`() {
    let doc = MarkdownDocument.parse("Text[^1].\n\nMore.\n\n[^1]: See\n    [the plan](0002-plan.md).\n")
    let link = doc.descendants(of: MarkdownDocument.root).first { doc[$0].kind == .link }
    #expect(link.map { doc[$0].line } == 6)
    #expect(link.map { doc.url($0) } == "0002-plan.md")
    let paragraphs = doc.children(of: MarkdownDocument.root).filter { doc[$0].kind == .paragraph }
    #expect(paragraphs.map { doc[$0].line } == [1, 3])
}

@Test func `a javascript URL is never autolinked`() {
    let html = HTMLRenderer().html(MarkdownDocument.parse("javascript://x.com/%0aalert(1) and vbscript://x and www.javascript:alert(1)\n"))
    #expect(!html.contains("href=\"javascript") && !html.contains("href=\"vbscript"))
}

@Test func `the tag filter disarms script and style in unsafe mode`() {
    let html = HTMLRenderer(unsafe: true).html(MarkdownDocument.parse("<script>alert(1)</script>\n\nx <STYLE>b{}</STYLE> <iframe/>\n"))
    #expect(html == "&lt;script>alert(1)&lt;/script>\n<p>x &lt;STYLE>b{}&lt;/STYLE> &lt;iframe/></p>\n")
}

@Test func `a text without trigger characters parses as plain cmark`() {
    let markdown = "# Title\n\nPlain *text* with [a link](x.md) and `code`.\n\n- a\n- b\n"
    let gfm = MarkdownDocument.parse(markdown), plain = MarkdownDocument.parse(markdown, extensions: [])
    #expect(gfm.nodes.count == plain.nodes.count && gfm.text == plain.text)
}

@Test func `a follow-up written as a task list item says whether it is checked, also in decisions.json`() throws {
    let dir = try temporaryLog([
        "0001-ledger.md": "# 1. Ledger\n\nStatus: Accepted\n\n## Follow-ups\n\n- [x] Migrate the ledger\n- [ ] Tell the team\n- Plain item\n",
    ])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let log = Pipeline.decisionLog(dir)
    let d = log.decision("0001-ledger.md")
    #expect(d.followUps.map(\.text) == ["Migrate the ledger", "Tell the team", "Plain item"])
    #expect(d.followUps.map(\.checked) == [true, false, nil])
    #expect(d.followUps.map(\.isOpen) == [false, true, true])
    #expect(d.openFollowUps == 2)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(DecisionsJSON.render(log))) as? [String: Any])
    let decisions = try #require(json["decisions"] as? [[String: Any]])
    let followUps = try #require(decisions.first?["followUps"] as? [[String: Any]])
    #expect(followUps[0]["checked"] as? Bool == true)
    #expect(followUps[1]["checked"] as? Bool == false)
    #expect(followUps[2]["checked"] is NSNull)
}

@Test(arguments: [
    String(repeating: "[^1]: a\n", count: 5000) + "x[^1]\n",
    "[^1]: a\n" + String(repeating: "lazy line\n", count: 20000) + "\nx[^1]\n",
    String(repeating: "~a ", count: 20000) + String(repeating: "a~ ", count: 20000) + "\n",
    String(repeating: "a~~b ", count: 20000) + String(repeating: "a~b ", count: 20000) + "\n",
    String(repeating: "www.x.com/", count: 20000) + " " + String(repeating: "a@", count: 20000) + "b.co\n",
    String(repeating: "\\~", count: 20000) + "\n  " + String(repeating: "&#126;x~ ", count: 5000) + "\n",
    String(repeating: "- [ ] x\n", count: 20000),
    String(repeating: "[", count: 20000) + "http://x.com " + String(repeating: "]", count: 20000) + "\n",
])
func `hostile GFM input is parsed in bounded time and stays inert`(_ markdown: String) {
    let start = ContinuousClock.now
    var renderer = HTMLRenderer()
    renderer.findMentions = { _ in [] }
    let html = renderer.html(MarkdownDocument.parse(markdown))
    #expect(ContinuousClock.now - start < .seconds(20), "took \(ContinuousClock.now - start)")
    #expect(!html.contains("<script") && !html.lowercased().contains("javascript:"))
}

/// Generated documents of words, addresses, tildes, tasks and footnotes, the way people write
/// them (spaces between), rendered by adrsite and by cmark-gfm: byte for byte the same.
@Test(.enabled(if: CmarkGFM.isInstalled))
func `generated GFM documents render as cmark-gfm renders them`() {
    let words = ["the", "service", "uses", "a", "queue", "and", "~5", "minutes", "~~old~~", "~new~", "https://example.com/docs",
                 "(see https://x.org/a_(b))", "www.example.com.", "ops@example.com", "mailto:a@b.co", "`code`", "*em*",
                 "**strong**", "[link](0002-x.md)", "ADR-12", "[^1]", "[^a]", "~/path", "a~b", "e.g.,", "x.", "<http://y.com>",
                 "\\~tilde", "&amp;", "_under_", "foo_bar", "&#126;x", "\\[x]"]
    var rng = SplitMix(seed: UInt64(ProcessInfo.processInfo.environment["ADRSITE_PROPERTY_SEED"] ?? "") ?? 12)
    var differ = 0
    for k in 0..<150 {
        var lines: [String] = []
        for _ in 0..<Int.random(in: 1...5, using: &rng) {
            var text = (0..<Int.random(in: 3...20, using: &rng)).map { _ in words.randomElement(using: &rng)! }.joined(separator: " ")
            switch Int.random(in: 0..<10, using: &rng) {
            case 0, 1: text = "- [\(Bool.random(using: &rng) ? " " : "x")] " + text
            case 2: text = "> " + text
            case 3: text = "| a | b |\n|---|---|\n| " + text + " | x |"
            default: break
            }
            lines += [text, ""]
        }
        if Bool.random(using: &rng) { lines += ["[^1]: note " + words.randomElement(using: &rng)! + " " + words.randomElement(using: &rng)!, ""] }
        if Int.random(in: 0..<3, using: &rng) == 0 { lines += ["[^a]: Another.", "    More " + words.randomElement(using: &rng)!, ""] }
        let markdown = lines.joined(separator: "\n")
        let ours = HTMLRenderer().html(MarkdownDocument.parse(markdown)), theirs = CmarkGFM.html(markdown, unsafe: false)
        if ours != theirs {
            differ += 1
            Issue.record("document \(k) differs:\n\(markdown)\nadrsite:\n\(ours)\ncmark-gfm:\n\(theirs)")
            if differ > 3 { return }
        }
    }
}

/// The footnote step decides a plain line after a lazy line without parsing
/// (`startsNoBlock`): an open paragraph stays open for a line that begins with a letter. Seeded
/// definitions of every kind of line check that the parse (`continuesParagraph`) says the same
/// wherever that shortcut would be taken.
@Test func `a line that begins with a letter continues an open paragraph, as cmark parses it`() {
    let kinds = ["plain words here", "  Indented two", "- item", "* item", "+ item", "1. one", "2) two", "> quote",
                 "# Heading", "```", "~~~ swift", "    code", "\tcode", "<div>", "<!-- c -->", "---", "***", "___", "===",
                 "[^2]: x", "[ref]: https://x", "| a | b |", "", "Text with [^1] and *em*", "ADR-12 says so", "é accent"]
    var rng = SplitMix(seed: UInt64(ProcessInfo.processInfo.environment["ADRSITE_PROPERTY_SEED"] ?? "") ?? 31)
    var checked = 0
    for _ in 0..<2000 {
        let content = (0..<Int.random(in: 1...12, using: &rng)).map { _ in kinds.randomElement(using: &rng)! }
            .joined(separator: "\n")
        let lazy = "continued line"
        guard FootnoteDefinitions.continuesParagraph(Array(content.utf8), ArraySlice(lazy.utf8)) else { continue }
        let after = Array((content + "\n" + lazy).utf8)
        for line in kinds where FootnoteDefinitions.startsNoBlock(ArraySlice(line.utf8)) {
            checked += 1
            #expect(FootnoteDefinitions.continuesParagraph(after, ArraySlice(line.utf8)), "\(content)\n\(lazy)\n\(line)")
        }
    }
    #expect(checked > 1000)
    #expect(!FootnoteDefinitions.startsNoBlock(ArraySlice("    indented".utf8)))
    #expect(!FootnoteDefinitions.startsNoBlock(ArraySlice("1. one".utf8)))
    #expect(!FootnoteDefinitions.startsNoBlock(ArraySlice("é accent".utf8)))
}

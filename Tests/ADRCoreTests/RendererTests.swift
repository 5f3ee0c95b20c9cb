import Foundation
import Testing
@testable import ADRCore

/// Markdown covering every node kind cmark produces and the escaping and URL rules of its
/// HTML renderer. The project's renderer must give the same bytes as `cmark_render_html`.
let differentialInputs: [String] = [
    // Empty and blank documents.
    "", "\n", "   \n\n", "\r\n",
    // Headings, ATX and setext, with inline content and closing sequences.
    "# One\n## Two ##\n###### Six\n####### Seven\n#No space\n",
    "Title\n=====\n\nSub *title*\n---\n",
    "# \n",
    "Multi\nline\n===\n",
    // Paragraphs, soft and hard breaks.
    "one\ntwo\nthree\n", "hard  \nbreak\\\nand\tmore\n", "trailing spaces   \n", "  leading spaces\n",
    // Emphasis and code spans.
    "*em* _em_ **strong** __strong__ ***both*** *nested **strong** here*\n",
    "snake_case_word and 2*3*4 and a * b *\n",
    "`code` ``with ` tick`` ` padded ` `<tag> & \"q\"`\n",
    // Lists: tight, loose, ordered with start, nested, empty items.
    "- a\n- b\n- c\n", "- a\n\n- b\n", "* a\n+ b\n- c\n",
    "1. one\n2. two\n", "3. three\n4. four\n", "0. zero\n", "7) paren\n",
    "- outer\n  - inner\n    - innermost\n- back\n",
    "1. a\n\n   para\n\n   - nested\n2. b\n",
    "-\n- x\n-\n", "- \n  foo\n", "10. ten\n    indented para\n",
    "- [ ] task-like\n- [x] done\n",
    // Block quotes, nested and lazy, with other blocks inside.
    "> quote\n> more\n", "> a\nlazy\n", "> > nested\n> back\n", ">\n", "> # h\n> - l\n> ```\n> c\n> ```\n",
    // Thematic breaks.
    "***\n---\n___\n * * *\n",
    // Fenced and indented code, info strings.
    "```\nplain\n```\n", "```swift\nlet x = 1 < 2 && \"y\"\n```\n", "~~~ python  extra words\nprint('x')\n~~~\n",
    "```a&b<c>\"d\"\nx\n```\n", "```\nunclosed\n", "    indented\n    code & <tags>\n\n      more\n",
    "````\n```\nnested fence\n```\n````\n", "``` info `with` tick\nx\n```\n",
    // Raw HTML blocks and inline HTML.
    "<div>\nblock *html*\n</div>\n", "<!-- comment -->\n", "<script>alert(1)</script>\n",
    "<pre>\npre text\n</pre>\n", "<?php echo 1; ?>\n", "<!DOCTYPE html>\n", "<![CDATA[ x ]]>\n",
    "text <span class=\"x\">inline</span> and <br/> and <!-- c --> end\n",
    "<custom-tag attr='1'>\n\ntext\n", "a <a href=\"javascript:x\">b</a>\n",
    // Entities and character references.
    "&amp; &copy; &nbsp; &#35; &#x22; &#0; &bogus; &#999999999;\n", "AT&T 5 < 6 > 4 \"quoted\" 'single'\n",
    // Links: inline, titles, reference, autolinks, nested emphasis.
    "[link](http://example.com)\n", "[link](/url \"title\")\n", "[link](/url 'single \"quoted\"')\n",
    "[link](/url (paren title))\n", "[link](<spaced url> \"t\")\n", "[*emph* **strong** `code`](u)\n",
    "[empty]()\n", "[](only-url)\n", "[a](b \"&amp; &lt; \\\"\")\n",
    "[ref] and [full][ref] and [collapsed][]\n\n[ref]: /ref-url \"Ref Title\"\n[collapsed]: </with space>\n",
    "[undefined] [also][undefined]\n", "[Foo]\n\n[FOO]: /case-insensitive\n",
    "<http://example.com/a?b=c&d=e> <mailto:x@y.z> <x@y.z> <irc://server>\n",
    "https://not-autolinked.example www.nope.example\n",
    // Images, alt text with nested inlines.
    "![alt](img.png)\n", "![alt *emph* **strong** `code` [link](u)](img.png \"title\")\n",
    "![outer ![inner](i.png) text](o.png)\n", "![](empty-alt.png)\n", "![a\nb](x.png)\n",
    "![alt &amp; \"quotes\"](x.png)\n", "[![image link](i.png)](target.html)\n",
    // Backslash escapes.
    "\\*not em\\* \\_ \\` \\# \\[x\\] \\\\ \\< \\& \\\" \\a\n",
    // Special characters in text and URLs.
    "[a](http://x.com/?a=1&b=2 \"a & b < c\")\n", "[a](</path with <angle>)\n", "[q](http://x.com/\"quote\")\n",
    "[s](http://x.com/it's)\n", "[p](http://x.com/a%20b%zz)\n", "[b](http://x.com/a\\_b)\n",
    "[u](http://x.com/ä/ö?q=ü#ß)\n", "[e](https://example.com/😀/ok)\n", "[sp](<a b>)\n", "[t](a\tb)\n",
    "[ctrl](http://x.com/\u{7F})\n", "[brackets](http://x.com/[a]{b}|c^d`e~f)\n",
    "[ascii](<!\"#$%&'()*+,-./09:;=?@AZ[\\\\]^_`az{|}~>)\n", "<http://x.com/!\"#$%&'()*+,-./:;=?@[\\]^_`{|}~>\n",
    "Non-ASCII text: naïve café 日本語 😀 and \u{00A0}nbsp\n",
    // Dangerous and safe URL schemes.
    "[js](javascript:alert(1))\n", "[JS](JaVaScRiPt:alert(1))\n", "[vb](vbscript:msgbox)\n",
    "[f](file:///etc/passwd)\n", "[d](data:text/html;base64,PHNjcmlwdD4=)\n",
    "![png](data:image/png;base64,iVBOR)\n", "![gif](data:image/gif;base64,R0lG)\n",
    "![jpeg](data:image/jpeg;base64,/9j/)\n", "![webp](data:image/webp;base64,UklG)\n",
    "![svg](data:image/svg+xml;base64,PHN2Zz4=)\n", "<javascript:alert(1)>\n", "[ent](&#106;avascript:alert(1))\n",
    "[ref-js]\n\n[ref-js]: javascript:void(0)\n", "[sp]( javascript:x)\n", "[ok](javascripts/app.js)\n",
    // CRLF and CR line endings.
    "# Title\r\n\r\nPara one\r\nline two\r\n\r\n- a\r\n- b\r\n", "cr only\rsecond\r",
    "```\r\ncode\r\n```\r\n", "> q\r\n> r\r\n",
    // A document that mixes everything.
    """
    # ADR 7: Use *cmark*

    Status: **Accepted** on 2024-01-02 <!-- reviewed -->

    ## Context

    We considered [ADR-3](0003-x.md "Earlier") and [the docs][docs]:

    1. First option
       with continuation
    2. Second option

       > A quote inside
       > an item

    ```json
    {"a": "<b>"}
    ```

    ![Diagram](img/d.png "The diagram")

    [docs]: https://example.com/docs?a=1&b=2

    """,
]

/// The renderer over plain CommonMark (no GFM extension, no tag filter): cmark's own output.
/// The extensions are compared with cmark-gfm in GFMTests.
private func plainHTML(_ markdown: String, unsafe: Bool = false) -> String {
    var renderer = HTMLRenderer(unsafe: unsafe)
    renderer.tagFilter = false
    return renderer.html(MarkdownDocument.parse(markdown, extensions: []))
}

@Test(arguments: differentialInputs)
func `the renderer matches cmark's HTML byte for byte in safe mode`(_ markdown: String) {
    #expect(plainHTML(markdown) == CommonMark.referenceHTML(markdown), "input: \(markdown.debugDescription)")
}

@Test(arguments: differentialInputs)
func `the renderer matches cmark's HTML byte for byte in unsafe mode`(_ markdown: String) {
    #expect(plainHTML(markdown, unsafe: true) == CommonMark.referenceHTML(markdown, unsafe: true), "input: \(markdown.debugDescription)")
}

@Test func `the differential inputs cover every node kind cmark produces`() {
    var kinds = Set<MarkdownNode.Kind>()
    for markdown in differentialInputs {
        let doc = MarkdownDocument.parse(markdown)
        for n in doc.descendants(of: MarkdownDocument.root) { kinds.insert(doc[n].kind) }
    }
    let cmarkKinds: Set<MarkdownNode.Kind> = [
        .blockQuote, .list, .item, .codeBlock, .htmlBlock, .paragraph, .heading, .thematicBreak,
        .text, .softBreak, .lineBreak, .code, .htmlInline, .emphasis, .strong, .link, .image,
    ]
    #expect(cmarkKinds.subtracting(kinds).isEmpty)
}

/// Compares every `.md` file under the folder named by `ADRSITE_DIFF_DIR` with cmark, in safe
/// and unsafe mode. Files with a table are skipped: cmark has no tables.
@Test(.enabled(if: ProcessInfo.processInfo.environment["ADRSITE_DIFF_DIR"] != nil))
func `every Markdown file under ADRSITE_DIFF_DIR renders as cmark renders it`() throws {
    let root = ProcessInfo.processInfo.environment["ADRSITE_DIFF_DIR"]!
    let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String }
        .filter { $0.hasSuffix(".md") }.sorted() ?? []
    var compared = 0, skipped = 0
    for file in files {
        let data = try #require(FileManager.default.contents(atPath: root + "/" + file))
        let markdown = String(decoding: data, as: UTF8.self)
        if MarkdownDocument.parse(markdown).nodes.contains(where: { $0.kind == .table }) {
            skipped += 1
            continue
        }
        compared += 1
        #expect(plainHTML(markdown) == CommonMark.referenceHTML(markdown), "\(file)")
        #expect(plainHTML(markdown, unsafe: true) == CommonMark.referenceHTML(markdown, unsafe: true), "\(file) (unsafe)")
    }
    print("ADRSITE_DIFF_DIR: compared \(compared) files, skipped \(skipped) with tables")
    #expect(compared > 0, "no Markdown files without tables under \(root)")
}

// MARK: - Hooks

/// The first node of a kind.
private func first(_ kind: MarkdownNode.Kind, in doc: MarkdownDocument) -> Int32 {
    doc.descendants(of: MarkdownDocument.root).first { doc[$0].kind == kind } ?? -1
}

/// `ADR-12` style mentions, found the simple way.
private func adrMentions(_ text: UnsafeBufferPointer<UInt8>) -> [(range: Range<Int>, number: Int)] {
    let b = Array(text)
    var out: [(range: Range<Int>, number: Int)] = []
    var i = 0
    while i + 4 <= b.count {
        if b[i..<(i + 4)].elementsEqual("ADR-".utf8) {
            var j = i + 4, n = 0
            while j < b.count, b[j] >= 48, b[j] <= 57 { n = n * 10 + Int(b[j] - 48); j += 1 }
            if j > i + 4 { out.append((i..<j, n)); i = j; continue }
        }
        i += 1
    }
    return out
}

/// Every link and image of a document as a hole, with its index.
private func allLinkHoles(_ doc: MarkdownDocument) -> [Int32: Int32] {
    var holes: [Int32: Int32] = [:]
    for n in doc.descendants(of: MarkdownDocument.root) where doc[n].kind == .link || doc[n].kind == .image {
        holes[n] = Int32(holes.count)
    }
    return holes
}

/// Fills link and image holes as the render stage does, with `destination` for each link.
private func fillLinks(_ rendered: RenderedHTML, _ doc: MarkdownDocument, destination: (Int) -> String?) -> String {
    let nodes = doc.descendants(of: MarkdownDocument.root).filter { doc[$0].kind == .link || doc[$0].kind == .image }
    let bytes = rendered.filled { hole, out in
        let k = Int(hole.index)
        switch hole.kind {
        case .linkOpen:
            guard let url = destination(k) else { return HTMLEscape.put("<span class=\"unresolved-link\">", &out) }
            HTMLEscape.put("<a href=\"", &out)
            HTMLEscape.escapeHref(url, into: &out)
            HTMLEscape.put("\">", &out)
        case .linkClose: HTMLEscape.put(destination(k) == nil ? "</span>" : "</a>", &out)
        case .imageOpen:
            guard let url = destination(k) else { return HTMLEscape.put("<span class=\"missing-image\">", &out) }
            HTMLEscape.put("<img src=\"", &out)
            HTMLEscape.escapeHref(url, into: &out)
            HTMLEscape.put("\" alt=\"", &out)
        case .imageClose:
            HTMLEscape.put(destination(k) == nil ? "</span>" : "\" />", &out)
        case .mentionOpen:
            let m = rendered.mentions[k]
            if m.insideLink < 0 || destination(Int(m.insideLink)) == nil {
                HTMLEscape.put("<a class=\"mention\" href=\"", &out)
                out += Array("\(m.number).html".utf8)
                HTMLEscape.put("\">", &out)
            }
        case .mentionClose:
            let m = rendered.mentions[k]
            if m.insideLink < 0 || destination(Int(m.insideLink)) == nil { HTMLEscape.put("</a>", &out) }
        case .itemEnd:
            out += Array("<!--end \(k)-->".utf8)
        }
        _ = nodes
    }
    return String(decoding: bytes, as: UTF8.self)
}

@Test func `links and images become holes that the render stage fills, escaped`() {
    let doc = MarkdownDocument.parse("[next](0002-next.md#ctx) ![d](<img/a b.png>) <http://x.com>\n")
    var renderer = HTMLRenderer()
    renderer.linkHoles = allLinkHoles(doc)
    let rendered = renderer.render(doc)
    #expect(rendered.holes.map(\.kind) == [.linkOpen, .linkClose, .imageOpen, .imageClose, .linkOpen, .linkClose])
    let urls = ["0002-next.html#ctx&x=\"1\"", "img/a b.png", "http://x.com"]
    #expect(fillLinks(rendered, doc) { urls[$0] } == "<p><a href=\"0002-next.html#ctx&amp;x=%221%22\">next</a> <img src=\"img/a%20b.png\" alt=\"d\" /> <a href=\"http://x.com\">http://x.com</a></p>\n")
}

@Test func `headingIDs and headingSuffixes go on the heading they name`() {
    let doc = MarkdownDocument.parse("# Title\n\n## Context & \"scope\"\n\ntext\n")
    let headings = doc.descendants(of: MarkdownDocument.root).filter { doc[$0].kind == .heading }
    var renderer = HTMLRenderer()
    renderer.headingIDs = [headings[1]: "context-&-\"scope\""]
    renderer.headingSuffixes = [headings[1]: " <a class=\"anchor\" href=\"#context\">#</a>"]
    #expect(renderer.html(doc) == """
        <h1>Title</h1>
        <h2 id="context-&amp;-&quot;scope&quot;">Context &amp; &quot;scope&quot; <a class="anchor" href="#context">#</a></h2>
        <p>text</p>

        """)
}

@Test func `itemIDs and item holes go on the list item they name, tight or loose`() {
    let doc = MarkdownDocument.parse("- first\n- second\n\n1. loose\n\n2. items\n")
    let items = doc.descendants(of: MarkdownDocument.root).filter { doc[$0].kind == .item }
    var renderer = HTMLRenderer()
    renderer.itemIDs = [items[1]: "fu-2", items[2]: "a\"b"]
    renderer.itemHoles = [items[1]: 0, items[3]: 1]
    #expect(fillLinks(renderer.render(doc), doc) { _ in nil } == """
        <ul>
        <li>first</li>
        <li id="fu-2">second<!--end 0--></li>
        </ul>
        <ol>
        <li id="a&quot;b">
        <p>loose</p>
        </li>
        <li>
        <p>items</p>
        <!--end 1--></li>
        </ol>

        """)
}

@Test func `an empty list item still closes, with its id and hole`() {
    let doc = MarkdownDocument.parse("- a\n-\n- c\n")
    let items = doc.descendants(of: MarkdownDocument.root).filter { doc[$0].kind == .item }
    var renderer = HTMLRenderer()
    renderer.itemIDs = [items[1]: "empty"]
    renderer.itemHoles = [items[1]: 0]
    #expect(fillLinks(renderer.render(doc), doc) { _ in nil } == "<ul>\n<li>a</li>\n<li id=\"empty\"><!--end 0--></li>\n<li>c</li>\n</ul>\n")
}

@Test func `mentions become holes, linked outside links and inside links that lead nowhere`() {
    let markdown = """
        See ADR-12 & ADR-3, not [ADR-4](0004.md) nor [*ADR-5*](x.md) nor <https://x.com/ADR-6>.

        ![ADR-7 diagram](d.png) `ADR-8` ADR-
        """
    let doc = MarkdownDocument.parse(markdown)
    var renderer = HTMLRenderer()
    renderer.findMentions = adrMentions
    renderer.linkHoles = allLinkHoles(doc)
    let rendered = renderer.render(doc)
    let urls: [String?] = ["0004.md", nil, "https://x.com/ADR-6", "d.png"]
    #expect(fillLinks(rendered, doc) { urls[$0] } == """
        <p>See <a class="mention" href="12.html">ADR-12</a> &amp; <a class="mention" href="3.html">ADR-3</a>, \
        not <a href="0004.md">ADR-4</a> nor <span class="unresolved-link"><em><a class="mention" href="5.html">ADR-5</a></em></span> nor \
        <a href="https://x.com/ADR-6">https://x.com/ADR-6</a>.</p>
        <p><img src="d.png" alt="ADR-7 diagram" /> <code>ADR-8</code> ADR-</p>

        """)
}

@Test func `mentions are linked in table cells and headings too`() {
    var renderer = HTMLRenderer()
    renderer.findMentions = adrMentions
    let doc = MarkdownDocument.parse("# Follows ADR-1\n\n| Supersedes | ADR-2 |\n|---|---|\n")
    let html = fillLinks(renderer.render(doc), doc) { _ in nil }
    #expect(html.contains("<h1>Follows <a class=\"mention\" href=\"1.html\">ADR-1</a></h1>"))
    #expect(html.contains("<th><a class=\"mention\" href=\"2.html\">ADR-2</a></th>"))
}

@Test func `hooks left unset change nothing`() {
    let markdown = "# T\n\n- a\n\nADR-1 [x](y.md)\n"
    #expect(HTMLRenderer().html(MarkdownDocument.parse(markdown)) == CommonMark.referenceHTML(markdown))
}

// MARK: - Hostile input

/// What in `html` a browser might run: any tag the renderer does not write, an attribute it
/// does not write (`onerror`, ...), or an `href`/`src` with a script scheme. Empty for inert HTML.
private func executableMarkup(in html: String) -> [String] {
    let allowed: Set<String> = ["p", "a", "img", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote",
                                "hr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody",
                                "tr", "th", "td"]
    let attributes: Set<String> = ["href", "src", "alt", "title", "start", "class", "align", "id"]
    let tag = /<\/?([a-z0-9]+)((?:\s+[a-z]+="[^"<>]*")*)\s*\/?>/
    let attribute = /([a-z]+)="([^"]*)"/
    var problems: [String] = []
    var rest = Substring(html)
    while let lt = rest.firstIndex(of: "<") {
        rest = rest[lt...]
        let omitted = "<!-- raw HTML omitted -->"
        if rest.hasPrefix(omitted) {
            rest = rest.dropFirst(omitted.count)
            continue
        }
        guard let match = rest.prefixMatch(of: tag) else {
            problems.append("markup \(rest.prefix(40).debugDescription)")
            rest = rest.dropFirst()
            continue
        }
        if !allowed.contains(String(match.1)) { problems.append("tag \(match.1)") }
        for a in match.2.matches(of: attribute) {
            let name = String(a.1), value = String(a.2).lowercased().filter { !$0.isWhitespace }
            if !attributes.contains(name) { problems.append("attribute \(name)") }
            if (name == "href" || name == "src")
                && ["javascript:", "vbscript:", "file:", "data:text"].contains(where: { value.hasPrefix($0) }) {
                problems.append("\(name)=\(value)")
            }
        }
        rest = rest[match.range.upperBound...]
    }
    return problems
}

let hostileInputs: [String] = [
    "<script>alert(1)</script>\n",
    "text <script>alert(1)</script> text\n",
    "<img src=x onerror=alert(1)>\n",
    "a <img src=x onerror=alert(1)> b\n",
    "<iframe src=\"javascript:alert(1)\"></iframe>\n",
    "<a href=\"javascript:alert(1)\">x</a>\n",
    "[x](javascript:alert(1))\n",
    "[x](JAVASCRIPT:alert(1))\n",
    "[x](<javascript:alert(1)>)\n",
    "[x](&#106;&#97;vascript:alert(1))\n",
    "[x](java&#x09;script:alert(1))\n",
    "<javascript:alert(1)>\n",
    "[x](vbscript:msgbox(1))\n",
    "[x](data:text/html,<script>alert(1)</script>)\n",
    "![x](data:text/html;base64,PHNjcmlwdD4=)\n",
    "[x]\n\n[x]: javascript:alert(1)\n",
    "[x](http://a.com/\" onmouseover=\"alert(1))\n",
    "[x](http://a.com/ \"title\\\" onmouseover=\\\"alert(1)\")\n",
    "![\" onerror=\"alert(1)](x.png)\n",
    "![x\" onerror=\"alert(1)](x.png \"t\\\" onerror=\\\"alert(1)\")\n",
    "![a <img src=x onerror=alert(1)> b](x.png)\n",
    "[a <script>x</script>](u)\n",
    "```\"><script>alert(1)</script>\ncode\n```\n",
    "``` onerror=alert(1)\ncode\n```\n",
    "<div onclick=\"alert(1)\">\n*x*\n</div>\n",
    "<style>body{}</style>\n",
    "| <script>alert(1)</script> | [x](javascript:alert(1)) |\n|---|---|\n| ![\" onerror=\"a](x.png) | <img src=x onerror=alert(1)> |\n",
    "# <script>alert(1)</script>\n\n- <b onmouseover=alert(1)>x</b>\n",
    "&lt;script&gt;alert(1)&lt;/script&gt;\n",
]

@Test(arguments: hostileInputs)
func `hostile input never produces executable markup in safe mode`(_ markdown: String) {
    var renderer = HTMLRenderer()
    renderer.findMentions = adrMentions
    let html = renderer.html(MarkdownDocument.parse(markdown))
    #expect(executableMarkup(in: html) == [], "\(html)")
}

@Test func `the executable markup check finds what unsafe mode lets through`() {
    for markdown in ["<script>alert(1)</script>\n", "[x](javascript:alert(1))\n", "a <img src=x onerror=alert(1)>\n",
                     "<a href=\"#\" onclick=\"x()\">a</a>\n"] {
        let html = plainHTML(markdown, unsafe: true)
        #expect(executableMarkup(in: html) != [], "\(html)")
    }
}

@Test func `script URLs are dropped but their link text is kept`() {
    #expect(HTMLRenderer().html(MarkdownDocument.parse("[click](javascript:alert(1) \"t\")\n"))
            == "<p><a href=\"\" title=\"t\">click</a></p>\n")
    #expect(HTMLRenderer().html(MarkdownDocument.parse("![pic](data:text/html,x)\n")) == "<p><img src=\"\" alt=\"pic\" /></p>\n")
    #expect(HTMLRenderer().html(MarkdownDocument.parse("![pic](data:image/png;base64,AA)\n"))
            == "<p><img src=\"data:image/png;base64,AA\" alt=\"pic\" /></p>\n")
}

@Test(arguments: [
    ("javascript:x", true), ("JavaScript:x", true), ("vbscript:x", true), ("file:///x", true),
    ("data:text/plain,x", true), ("data:image/svg+xml,x", true), ("data:image/png;base64,x", false),
    ("data:image/gif,x", false), ("data:image/jpeg,x", false), ("data:image/webp,x", false),
    ("https://x", false), ("javascripts/a.js", false), ("", false),
])
func `isDangerous follows cmark's scan_dangerous_url`(url: String, dangerous: Bool) {
    #expect(HTMLRenderer.isDangerous(url) == dangerous)
}

@Test func `a link or image the render stage has no destination for is written as its text`() {
    let doc = MarkdownDocument.parse("See [the *plan*](gone.md), [kept](kept.md) and ![a diagram](gone.svg).\n")
    var renderer = HTMLRenderer()
    renderer.linkHoles = allLinkHoles(doc)
    let urls: [String?] = [nil, "kept.md", nil]
    #expect(fillLinks(renderer.render(doc), doc) { urls[$0] } == """
    <p>See <span class="unresolved-link">the <em>plan</em></span>, <a href="kept.md">kept</a> and <span class="missing-image">a diagram</span>.</p>

    """)
}

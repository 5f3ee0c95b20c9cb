import Testing
@testable import ADRCore

/// The project's HTML for a Markdown text: cmark's tree plus the GFM table step.
private func render(_ markdown: String, unsafe: Bool = false) -> String {
    HTMLRenderer(unsafe: unsafe).html(MarkdownDocument.parse(markdown))
}

/// The nodes of a kind, in document order.
private func nodes(_ kind: MarkdownNode.Kind, in doc: MarkdownDocument) -> [MarkdownNode] {
    doc.descendants(of: MarkdownDocument.root).map { doc[$0] }.filter { $0.kind == kind }
}

/// The table examples of the GFM specification (Fixtures/spec/gfm-spec.txt, examples 198–205 of
/// 0.29-gfm). The spec's whitespace is cmark-gfm's, a newline after every table tag, and the
/// renderer matches it byte for byte, so here nothing is normalised (GFMSpecTests normalises).
@Test(arguments: SpecFile.examples("gfm-spec.txt").filter { $0.tag == "table" })
func `the GFM specification's table examples render exactly as the spec gives them`(_ example: SpecFile.Example) {
    #expect(render(example.markdown) == example.html)
}

@Test func `a setext underline below a table is a body row, not a heading`() {
    // The example that github/cmark-gfm's test/spec.txt added after 0.29-gfm. Plain cmark
    // reads these lines as one setext heading.
    let markdown = "| abc | def |\n| --- | --- |\n| bar | baz |\nbar\n===\n"
    #expect(render(markdown) == """
        <table>
        <thead>
        <tr>
        <th>abc</th>
        <th>def</th>
        </tr>
        </thead>
        <tbody>
        <tr>
        <td>bar</td>
        <td>baz</td>
        </tr>
        <tr>
        <td>bar</td>
        <td></td>
        </tr>
        <tr>
        <td>===</td>
        <td></td>
        </tr>
        </tbody>
        </table>

        """)
}

@Test func `a --- line right below a table is a thematic break, as in cmark-gfm`() {
    let html = render("| a | b |\n|---|---|\n| c | d |\n---\n\nAfter\n")
    #expect(html == """
        <table>
        <thead>
        <tr>
        <th>a</th>
        <th>b</th>
        </tr>
        </thead>
        <tbody>
        <tr>
        <td>c</td>
        <td>d</td>
        </tr>
        </tbody>
        </table>
        <hr />
        <p>After</p>

        """)
    #expect(!html.contains("<h2>"))
}

@Test func `a single-column table needs no pipe when its delimiter has a colon`() {
    #expect(render("Name\n:--\nAda\n") == """
        <table>
        <thead>
        <tr>
        <th align="left">Name</th>
        </tr>
        </thead>
        <tbody>
        <tr>
        <td align="left">Ada</td>
        </tr>
        </tbody>
        </table>

        """)
}

@Test func `paragraph lines before the header row stay a paragraph of their own`() {
    let markdown = "Intro with *emphasis*\nand a second line\n| a | b |\n|---|---|\n| c | d |\n"
    #expect(render(markdown) == """
        <p>Intro with <em>emphasis</em>
        and a second line</p>
        <table>
        <thead>
        <tr>
        <th>a</th>
        <th>b</th>
        </tr>
        </thead>
        <tbody>
        <tr>
        <td>c</td>
        <td>d</td>
        </tr>
        </tbody>
        </table>

        """)
    let doc = MarkdownDocument.parse(markdown)
    let blocks = Array(doc.children(of: MarkdownDocument.root))
    #expect(blocks.map { doc[$0].kind } == [.paragraph, .table])
    #expect(doc[blocks[0]].line == 1)
    #expect(doc[blocks[1]].line == 3)
    let emphasis = nodes(.emphasis, in: doc)
    #expect(emphasis.count == 1)
    #expect(emphasis.map { "\($0.line):\($0.column)" } == ["1:12"])
}

@Test func `rows that look like tables above the first delimiter row stay in the paragraph`() {
    let markdown = "| x | y | z |\n| a | b |\n|---|---|\n"
    #expect(render(markdown) == """
        <p>| x | y | z |</p>
        <table>
        <thead>
        <tr>
        <th>a</th>
        <th>b</th>
        </tr>
        </thead>
        </table>

        """)
}

@Test func `a table inside a block quote`() {
    let markdown = "> Quoted:\n>\n> | a | b |\n> | - | -: |\n> | c | d |\n"
    #expect(render(markdown) == """
        <blockquote>
        <p>Quoted:</p>
        <table>
        <thead>
        <tr>
        <th>a</th>
        <th align="right">b</th>
        </tr>
        </thead>
        <tbody>
        <tr>
        <td>c</td>
        <td align="right">d</td>
        </tr>
        </tbody>
        </table>
        </blockquote>

        """)
    let doc = MarkdownDocument.parse(markdown)
    let cells = nodes(.tableCell, in: doc)
    #expect(cells.map { "\($0.line):\($0.column)" } == ["3:5", "3:9", "5:5", "5:9"])
}

@Test func `a table inside a list item`() {
    let markdown = "- Options:\n\n  | a | b |\n  |---|---|\n  | c | d |\n- next\n"
    #expect(render(markdown) == """
        <ul>
        <li>
        <p>Options:</p>
        <table>
        <thead>
        <tr>
        <th>a</th>
        <th>b</th>
        </tr>
        </thead>
        <tbody>
        <tr>
        <td>c</td>
        <td>d</td>
        </tr>
        </tbody>
        </table>
        </li>
        <li>
        <p>next</p>
        </li>
        </ul>

        """)
}

@Test func `a table in a list item indented with a tab`() {
    let doc = MarkdownDocument.parse("- item\n\n\t| a | b |\n\t|---|---|\n\t| c | d |\n")
    #expect(nodes(.table, in: doc).count == 1)
    #expect(nodes(.tableCell, in: doc).map(\.column) == [4, 8, 4, 8])  // byte columns: the tab is one
}

@Test func `a table does not benefit from laziness`() {
    // A delimiter row without the block quote's `>` is a lazy paragraph line, not a delimiter
    // (the cmark-gfm spec.txt example after "Tables can be nested in other elements").
    let quote = "> abc | def\n----|-----\n"
    #expect(render(quote) == "<blockquote>\n<p>abc | def\n----|-----</p>\n</blockquote>\n")
    #expect(render(quote) == CommonMark.referenceHTML(quote))
    let item = "- | a | b |\n|---|---|\n"
    #expect(render(item) == CommonMark.referenceHTML(item))
    #expect(nodes(.table, in: MarkdownDocument.parse(item)).isEmpty)
}

@Test func `a lazy line after a table in a block quote is not a row`() {
    let doc = MarkdownDocument.parse("> | a | b |\n> |---|---|\n> | c | d |\nplain\n")
    #expect(nodes(.tableRow, in: doc).count == 1)
    let paragraphs = nodes(.paragraph, in: doc)
    #expect(paragraphs.count == 1)
    #expect(paragraphs.first?.line == 4)
}

@Test func `lines that start a block in cmark-gfm end the table`() {
    // A table, unlike a paragraph, is ended by an ordered list starting at 2, an empty list
    // item, a lone HTML tag, indented code or a lone pipe.
    let head = "| a | b |\n|---|---|\n| c | d |\n"
    let table = "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>c</td>\n<td>d</td>\n</tr>\n</tbody>\n</table>\n"
    #expect(render(head + "2. two\n") == table + "<ol start=\"2\">\n<li>two</li>\n</ol>\n")
    #expect(render(head + "-\n") == table + "<ul>\n<li></li>\n</ul>\n")
    #expect(render(head + "<span>\n") == table + "<!-- raw HTML omitted -->\n")
    #expect(render(head + "    code | x\n") == table + "<pre><code>code | x\n</code></pre>\n")
    #expect(render(head + "|\n") == table + "<p>|</p>\n")
}

@Test func `the lines after a table's end may hold another table`() {
    let doc = MarkdownDocument.parse("| a |\n|---|\n|\n| b |\n|---|\n")
    #expect(nodes(.table, in: doc).map(\.line) == [1, 4])
    #expect(nodes(.paragraph, in: doc).map(\.line) == [3])
}

@Test func `inline Markdown in cells: links, emphasis, code, images, entities`() {
    // Rows are split before inline parsing, so the unescaped pipe in the code span splits the
    // cell, and the fourth cell is dropped.
    let markdown = """
        | Link | Style | Code |
        |------|-------|------|
        | [ADR 2](0002-use-x.md "Use X") | *em* and **strong** | `a | b` |
        | <https://example.com> | ![logo *x*](logo.png) | &amp; &copy; |

        """
    #expect(render(markdown) == """
        <table>
        <thead>
        <tr>
        <th>Link</th>
        <th>Style</th>
        <th>Code</th>
        </tr>
        </thead>
        <tbody>
        <tr>
        <td><a href="0002-use-x.md" title="Use X">ADR 2</a></td>
        <td><em>em</em> and <strong>strong</strong></td>
        <td>`a</td>
        </tr>
        <tr>
        <td><a href="https://example.com">https://example.com</a></td>
        <td><img src="logo.png" alt="logo x" /></td>
        <td>&amp; ©</td>
        </tr>
        </tbody>
        </table>

        """)
}

@Test func `reference links in cells and in the paragraph before a table use the document's definitions`() {
    let markdown = "See [the log][log] first\n| Ref | Full |\n|---|---|\n| [log] | [text][log] |\n\n[log]: docs/adr/ \"Log\"\n"
    let html = render(markdown)
    #expect(html.contains("<p>See <a href=\"docs/adr/\" title=\"Log\">the log</a> first</p>"))
    #expect(html.contains("<td><a href=\"docs/adr/\" title=\"Log\">log</a></td>"))
    #expect(html.contains("<td><a href=\"docs/adr/\" title=\"Log\">text</a></td>"))
    // The definition itself is not rendered, and an undefined label stays text.
    #expect(!html.contains("[log]:"))
    #expect(render("| [nope] |\n|---|\n").contains("<th>[nope]</th>"))
}

@Test func `definitions keep their entities, escapes and quotes, and only real definitions count`() {
    let markdown = #"""
        | a | b | c |
        |---|---|---|
        | [Foo  Bar] | [x][ÄÖ] | [code] [dup] |

        [foo bar]: /url&amp;x?a=1&b=2 "T &quot;q&quot; \"e\" \\"
        [äö]: <with space> 'single'
        [dup]: /first
        [dup]: /second

        ```
        [code]: /not-a-definition
        ```

        """#
    let cells = render(markdown).split(separator: "\n").filter { $0.hasPrefix("<td>") }
    #expect(cells == [
        #"<td><a href="/url&amp;x?a=1&amp;b=2" title="T &quot;q&quot; &quot;e&quot; \">Foo  Bar</a></td>"#,
        #"<td><a href="with%20space" title="single">x</a></td>"#,
        #"<td>[code] <a href="/first">dup</a></td>"#,
    ])
}

@Test(arguments: [
    ("# not a heading", "# not a heading"),
    ("- not a list", "- not a list"),
    ("1. not a list", "1. not a list"),
    ("> not a quote", "&gt; not a quote"),
    ("[a]: b", "[a]: b"),
    ("```", "```"),
    ("    four spaces", "four spaces"),
    ("<div>", "<!-- raw HTML omitted -->"),
])
func `a cell that starts like a block stays inline text`(cell: String, html: String) {
    let out = render("| h |\n|---|\n| \(cell) |\n")
    #expect(out.contains("<td>\(html)</td>"), "\(out)")
    #expect(!out.contains("<h1>") && !out.contains("<ul>") && !out.contains("<ol>") && !out.contains("<blockquote>"))
}

@Test func `raw HTML in a cell is kept only in unsafe mode`() {
    #expect(render("| <div>x</div> |\n|---|\n").contains("<th><!-- raw HTML omitted -->x<!-- raw HTML omitted --></th>"))
    #expect(render("| <div>x</div> |\n|---|\n", unsafe: true).contains("<th><div>x</div></th>"))
}

@Test func `escaped pipes follow cmark-gfm: a pipe after any backslash is escaped`() {
    // From the "Wait, what?" rows of github/cmark-gfm's table tests: the table step only looks
    // at the backslash right before a pipe, so `\\|` is a backslash and an escaped pipe.
    let markdown = #"""
        | Case | Cell |
        |------|------|
        | one  | `\|` |
        | two  | `\\|` |
        | three | \\| |
        | four | \\\| |

        """#
    let cells = render(markdown).split(separator: "\n").filter { $0.hasPrefix("<td>") }
    #expect(cells == [
        "<td>one</td>", "<td><code>|</code></td>",
        "<td>two</td>", #"<td><code>\|</code></td>"#,
        "<td>three</td>", "<td>|</td>",
        "<td>four</td>", #"<td>\|</td>"#,
    ])
}

@Test func `cells and links in cells carry their source line and column`() {
    let markdown = "Intro\n\n| Name  | Link |\n|-------|------|\n| first | see [ADR 2](0002-x.md) |\n|  | [b](b.md) |\n"
    let doc = MarkdownDocument.parse(markdown)
    let table = nodes(.table, in: doc)
    #expect(table.map { "\($0.line):\($0.column)-\($0.endLine)" } == ["3:1-6"])
    let cells = nodes(.tableCell, in: doc)
    #expect(cells.map { "\($0.line):\($0.column)" } == ["3:3", "3:11", "5:3", "5:11", "6:4", "6:6"])
    let links = nodes(.link, in: doc)
    #expect(links.map { "\($0.line):\($0.column) \(doc.string($0.url))" } == ["5:15 0002-x.md", "6:6 b.md"])
    let texts = nodes(.text, in: doc).filter { $0.line == 5 }
    #expect(texts.map { "\($0.column) \(doc.string($0.literal))" } == ["3 first", "11 see ", "16 ADR 2"])
}

@Test func `positions in a table after CRLF line endings`() {
    let doc = MarkdownDocument.parse("| a | b |\r\n|---|---|\r\n| c | [d](d.md) |\r\n")
    #expect(nodes(.tableCell, in: doc).map { "\($0.line):\($0.column)" } == ["1:3", "1:7", "3:3", "3:7"])
    #expect(nodes(.link, in: doc).map { "\($0.line):\($0.column)" } == ["3:7"])
    #expect(render("| a | b |\r\n|---|---|\r\n| c | d |\r\n").contains("<td>c</td>\n<td>d</td>"))
}

@Test(arguments: [
    "a | b\nc | d\n",
    "| a | b |\n",
    "| abc | def |\n| --- |\n| bar |\n",
    "| x |\n---\n",
    "|---|---|\n",
    "x\n|---|---|\n|---|---|\n",
    "| a | b |\n| c | d |\n|---|\n",
    "    a | b\n    - | -\n",
    "# abc | def\n------|-----\n",
    "> abc | def\n----|-----\n",
    "Costs: 5 | 6 | 7, see `a|b` and [x|y](u|v)\n",
    "a | b\n- | -\n",
    "[ref]: /dest\n---\n| | |\n",
])
func `a paragraph with pipes that is not a table renders exactly as cmark renders it`(markdown: String) {
    #expect(nodes(.table, in: MarkdownDocument.parse(markdown)).isEmpty)
    #expect(render(markdown) == CommonMark.referenceHTML(markdown))
}

// MARK: - The row and delimiter logic on its own

private func line(_ text: String, column: Int32 = 1) -> GFMTable.Line {
    GFMTable.Line(number: 1, column: column, text: ArraySlice(Array(text.utf8)))
}

@Test func `delimiter rows give the column alignments`() {
    #expect(GFMTable.delimiterRow(ArraySlice("| --- | :-- | --: | :-: |".utf8)) == [.none, .left, .right, .center])
    #expect(GFMTable.delimiterRow(ArraySlice("-|-".utf8)) == [.none, .none])
    #expect(GFMTable.delimiterRow(ArraySlice(":".utf8)) == nil)
    #expect(GFMTable.delimiterRow(ArraySlice("| -- | |".utf8)) == nil)
    #expect(GFMTable.delimiterRow(ArraySlice("| -:- |".utf8)) == nil)
}

@Test func `rows split on unescaped pipes and keep each cell's column`() {
    let cells = GFMTable.splitRow(line("| a | b \\| c |  d", column: 3))
    #expect(cells == [
        GFMTable.Cell(text: "a", column: 5),
        GFMTable.Cell(text: "b | c", column: 9),
        GFMTable.Cell(text: "d", column: 19),
    ])
    #expect(GFMTable.splitRow(line("|")).isEmpty)
    #expect(GFMTable.splitRow(line("||")).map(\.text) == [""])
    #expect(GFMTable.splitRow(line(#"a \\| b"#)).map(\.text) == [#"a \| b"#])
    #expect(GFMTable.splitRow(line(#"a \|"#)).map(\.text) == ["a |"])
}

@Test func `a delimiter row that does not match the line above rules out a table`() {
    // cmark-gfm marks the paragraph as tried, so a later matching pair does not count.
    let lines = ["x", "|---|---|", "| a | b |", "|---|---|"].map { line($0) }
    #expect(GFMTable.parse(lines) == nil)
    let good = ["x", "| a | b |", "|---|---|"].map { line($0) }
    #expect(GFMTable.parse(good)?.headerLine == 1)
}

/// The quick test for documents that may hold a table: a `|`, or `:-` / `-:` anywhere, as a
/// byte-by-byte reading finds them.
@Test func `the table precheck finds pipes and colon-dash pairs anywhere`() {
    func reference(_ b: [UInt8]) -> Bool {
        var previous: UInt8 = 0
        for c in b {
            if c == UInt8(ascii: "|") || (c == UInt8(ascii: "-") && previous == UInt8(ascii: ":"))
                || (c == UInt8(ascii: ":") && previous == UInt8(ascii: "-")) { return true }
            previous = c
        }
        return false
    }
    func check(_ s: String) -> Bool { Array(s.utf8).withUnsafeBufferPointer { GFMTable.mayHoldTable($0) } }
    #expect(check("a | b") && check(":-") && check("-:") && check("x\n---:") && check("a:-") && check(":-b"))
    #expect(!check("") && !check(":") && !check("-") && !check("a: b - c") && !check(": -") && !check("::"))
    var generator = SplitMix(seed: 124)
    let alphabet = Array("ab :-|\n".utf8)
    for _ in 0..<5000 {
        let bytes = (0..<Int.random(in: 0..<12, using: &generator)).map { _ in
            alphabet[Int.random(in: 0..<(alphabet.count - 1), using: &generator) + (Int.random(in: 0..<8, using: &generator) == 0 ? 1 : 0)]
        }
        #expect(bytes.withUnsafeBufferPointer { GFMTable.mayHoldTable($0) } == reference(bytes), "\(bytes)")
    }
}

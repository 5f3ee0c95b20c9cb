/// Renders a `MarkdownDocument` to HTML exactly as `cmark_render_html` would (tested against it),
/// plus the GFM extensions as cmark-gfm writes them (tables, strikethrough, task list items,
/// footnotes), Mermaid code blocks marked for drawing, and what a decision page needs: heading
/// anchors, ids on list items, top-level blocks left out, and holes where the link stage
/// decides what goes (see `RenderedHTML`).
///
/// Raw HTML is replaced by `<!-- raw HTML omitted -->` and `javascript:`, `vbscript:`, `file:` and
/// non-image `data:` destinations are dropped, as cmark does, unless `unsafe` is set; then the
/// GFM tag filter still disarms `<script>`, `<style>`, `<iframe>` and the like (`TagFilter`).
public struct HTMLRenderer {
    public var unsafe = false
    /// Whether raw HTML kept with `unsafe` goes through the GFM tag filter (as on GitHub).
    public var tagFilter = true
    /// `id` attributes for heading nodes.
    public var headingIDs: [Int32: String] = [:]
    /// Trusted HTML appended inside a heading, after its text (e.g. a self-link).
    public var headingSuffixes: [Int32: String] = [:]
    /// `id` attributes for list items.
    public var itemIDs: [Int32: String] = [:]
    /// List items whose content ends with a hole (`Hole.Kind.itemEnd`, with this index).
    public var itemHoles: [Int32: Int32] = [:]
    /// Top-level blocks left out with what they contain (the page header shows the title and
    /// the metadata lines).
    public var skipped: Set<Int32> = []
    /// Link and image nodes that are holes, with their index (`Hole.index`); the others are
    /// written as cmark writes them.
    public var linkHoles: [Int32: Int32] = [:]
    /// Finds `ADR-12` mentions in a text node outside links (and inside link holes): each range
    /// (byte offsets into the node's text) becomes a pair of holes around its text;
    /// `RenderedHTML.mentions` has their numbers.
    public var findMentions: ((UnsafeBufferPointer<UInt8>) -> [(range: Range<Int>, number: Int)])?

    public init(unsafe: Bool = false) { self.unsafe = unsafe }

    /// The HTML of a document with no holes left (each as cmark would write it).
    public func html(_ doc: MarkdownDocument) -> String {
        String(decoding: render(doc).filled(), as: UTF8.self)
    }

    public func render(_ doc: MarkdownDocument) -> RenderedHTML {
        var out = HTMLBuffer(capacity: doc.text.count + doc.text.count / 2 + 64)
        var state = State()
        doc.nodes.withUnsafeBufferPointer { nodes in
            doc.text.withUnsafeBufferPointer { text in
                walk(Walk(nodes: nodes, text: text), out: &out, state: &state)
            }
        }
        var rendered = RenderedHTML(html: out.bytes, holes: out.holes, mentions: state.mentions)
        rendered.diagrams = state.diagrams
        return rendered
    }

    /// The document's nodes and text, borrowed for one rendering.
    struct Walk {
        let nodes: UnsafeBufferPointer<MarkdownNode>
        let text: UnsafeBufferPointer<UInt8>
        func bytes(_ r: TextRange) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: text[Int(r.start)..<Int(r.start + r.count)])
        }
    }

    private func walk(_ doc: Walk, out: inout HTMLBuffer, state: inout State) {
        let nodes = doc.nodes
        guard !nodes.isEmpty else { return }
        var current = nodes[0].firstChild
        var entering = true
        while current > 0 {
            let index = current
            let node = nodes[Int(index)]
            if entering && node.parent == 0 && !skipped.isEmpty && skipped.contains(index) {
                if node.next >= 0 {
                    current = node.next
                } else {
                    current = node.parent
                    entering = false
                }
                continue
            }
            if entering {
                if state.plainDepth > 0 {
                    switch node.kind {
                    case .text, .code, .htmlInline: out.escapeHTML(doc.bytes(node.literal))
                    case .softBreak, .lineBreak: out.append(" ")
                    default: break
                    }
                    if node.kind == .image { state.plainDepth += 1 }
                } else {
                    enter(node, index: index, doc: doc, out: &out, state: &state)
                }
                if node.firstChild >= 0 {
                    current = node.firstChild
                    continue
                }
                // A node without children is left at once, so that empty containers (a table
                // cell, list item, heading, block quote or link with no content) still close.
                if node.kind == .image && state.plainDepth > 0 {
                    state.plainDepth -= 1
                    if state.plainDepth == 0 { exit(node, index: index, doc: doc, out: &out, state: &state) }
                } else if state.plainDepth == 0 {
                    exit(node, index: index, doc: doc, out: &out, state: &state)
                }
            } else {
                if state.plainDepth > 0 {
                    if node.kind == .image {
                        state.plainDepth -= 1
                        if state.plainDepth == 0 { exit(node, index: index, doc: doc, out: &out, state: &state) }
                    }
                } else {
                    exit(node, index: index, doc: doc, out: &out, state: &state)
                }
            }
            if node.next >= 0 {
                current = node.next
                entering = true
            } else {
                current = node.parent
                entering = false
            }
        }
    }

    /// What the walk keeps track of between nodes.
    private struct State {
        /// > 0 while inside an image: only its text is written, for the alt attribute.
        var plainDepth = 0
        var linkDepth = 0
        var inTableHead = false
        var tbodyOpen = false
        /// The link hole the walk is inside (links do not nest), -1 when none.
        var openLink: Int32 = -1
        var mentions: [RenderedHTML.Mention] = []
        /// Whether the back references of the footnote being written are written.
        var backrefsWritten = false
        var diagrams = 0
    }

    private func enter(_ node: MarkdownNode, index: Int32, doc: Walk, out: inout HTMLBuffer, state: inout State) {
        switch node.kind {
        case .document, .customBlock, .customInline:
            break
        case .blockQuote:
            out.cr()
            out.append("<blockquote>\n")
        case .list:
            out.cr()
            if !node.isOrderedList {
                out.append("<ul>\n")
            } else if node.start == 1 {
                out.append("<ol>\n")
            } else {
                out.append("<ol start=\"")
                out.append(String(node.start))
                out.append("\">\n")
            }
        case .item:
            out.cr()
            if let id = itemIDs[index] {
                out.append("<li id=\"")
                out.escapeHTML(id)
                out.append("\">")
            } else {
                out.append("<li>")
            }
            switch node.task {
            case .none: break
            case .unchecked: out.append("<input type=\"checkbox\" disabled=\"\" /> ")
            case .checked: out.append("<input type=\"checkbox\" checked=\"\" disabled=\"\" /> ")
            }
        case .heading:
            out.cr()
            out.append("<h")
            out.append(String(node.level))
            if let id = headingIDs[index] {
                out.append(" id=\"")
                out.escapeHTML(id)
                out.append("\"")
            }
            out.append(">")
        case .codeBlock:
            out.cr()
            let info = doc.bytes(node.url)
            if info.isEmpty {
                out.append("<pre><code>")
            } else {
                let end = info.firstIndex(where: isSpace) ?? info.endIndex
                let language = UnsafeBufferPointer(rebasing: info[..<end])
                // A Mermaid diagram: the page's script draws it where the code is.
                if language.elementsEqual("mermaid".utf8) {
                    state.diagrams += 1
                    out.append("<pre class=\"mermaid\"><code class=\"language-")
                } else {
                    out.append("<pre><code class=\"language-")
                }
                out.escapeHTML(language)
                out.append("\">")
            }
            out.escapeHTML(doc.bytes(node.literal))
            out.append("</code></pre>\n")
        case .htmlBlock:
            out.cr()
            if unsafe { appendRaw(doc.bytes(node.literal), inline: false, out: &out) } else { out.append("<!-- raw HTML omitted -->") }
            out.cr()
        case .thematicBreak:
            out.cr()
            out.append("<hr />\n")
        case .paragraph:
            if !isTight(node, doc: doc) {
                out.cr()
                out.append("<p>")
            }
        case .table:
            out.cr()
            out.append("<table>\n")
            state.inTableHead = false
            state.tbodyOpen = false
        case .tableHead:
            out.append("<thead>\n<tr>\n")
            state.inTableHead = true
        case .tableRow:
            if !state.tbodyOpen {
                out.append("<tbody>\n")
                state.tbodyOpen = true
            }
            out.append("<tr>\n")
            state.inTableHead = false
        case .tableCell:
            out.append(state.inTableHead ? "<th" : "<td")
            switch node.alignment {
            case .none: break
            case .left: out.append(" align=\"left\"")
            case .center: out.append(" align=\"center\"")
            case .right: out.append(" align=\"right\"")
            }
            out.append(">")
        case .text:
            let text = doc.bytes(node.literal)
            guard state.linkDepth == 0, let findMentions else {
                out.escapeHTML(text)
                return
            }
            var at = text.startIndex
            for (range, number) in findMentions(text) {
                out.escapeHTML(UnsafeBufferPointer(rebasing: text[at..<range.lowerBound]))
                let m = Int32(state.mentions.count)
                state.mentions.append(RenderedHTML.Mention(number: number, insideLink: state.openLink))
                out.hole(.mentionOpen, m)
                out.escapeHTML(UnsafeBufferPointer(rebasing: text[range]))
                out.hole(.mentionClose, m)
                at = range.upperBound
            }
            out.escapeHTML(UnsafeBufferPointer(rebasing: text[at...]))
        case .softBreak:
            out.append("\n")
        case .lineBreak:
            out.append("<br />\n")
        case .code:
            out.append("<code>")
            out.escapeHTML(doc.bytes(node.literal))
            out.append("</code>")
        case .htmlInline:
            if unsafe { appendRaw(doc.bytes(node.literal), inline: true, out: &out) } else { out.append("<!-- raw HTML omitted -->") }
        case .strikethrough:
            out.append("<del>")
        case .footnoteReference:
            Footnotes.appendReference(node, doc: doc, to: &out)
        case .footnoteSection:
            out.cr()
            out.append("<section class=\"footnotes\" data-footnotes>\n<ol>\n")
        case .footnoteDefinition:
            out.cr()
            out.append("<li id=\"fn-")
            out.escapeHref(doc.bytes(node.literal))
            out.append("\">\n")
            state.backrefsWritten = false
        case .emphasis:
            out.append("<em>")
        case .strong:
            out.append("<strong>")
        case .link:
            if let site = linkHoles[index] {
                // Whether the link leads anywhere is the link stage's to say: mentions in its
                // text are holes too.
                state.openLink = site
                out.hole(.linkOpen, site)
            } else {
                state.linkDepth += 1
                out.append("<a href=\"")
                appendDestination(doc.bytes(node.url), out: &out)
                if !node.title.isEmpty {
                    out.append("\" title=\"")
                    out.escapeHTML(doc.bytes(node.title))
                }
                out.append("\">")
            }
        case .image:
            if let site = linkHoles[index] {
                out.hole(.imageOpen, site)
            } else {
                out.append("<img src=\"")
                appendDestination(doc.bytes(node.url), out: &out)
                out.append("\" alt=\"")
            }
            state.plainDepth = 1
        }
    }

    private func exit(_ node: MarkdownNode, index: Int32, doc: Walk, out: inout HTMLBuffer, state: inout State) {
        switch node.kind {
        case .blockQuote:
            out.cr()
            out.append("</blockquote>\n")
        case .list:
            out.append(node.isOrderedList ? "</ol>\n" : "</ul>\n")
        case .item:
            if let hole = itemHoles[index] { out.hole(.itemEnd, hole) }
            out.append("</li>\n")
        case .heading:
            if let suffix = headingSuffixes[index] { out.append(suffix) }
            out.append("</h")
            out.append(String(node.level))
            out.append(">\n")
        case .paragraph:
            if node.parent >= 0 && doc.nodes[Int(node.parent)].kind == .footnoteDefinition && node.next < 0 {
                // The back references end a footnote's last paragraph.
                out.append(" ")
                Footnotes.appendBackReferences(doc.nodes[Int(node.parent)], doc: doc, to: &out)
                state.backrefsWritten = true
            }
            if !isTight(node, doc: doc) { out.append("</p>\n") }
        case .strikethrough:
            out.append("</del>")
        case .footnoteSection:
            out.append("</ol>\n</section>\n")
        case .footnoteDefinition:
            if !state.backrefsWritten {
                Footnotes.appendBackReferences(node, doc: doc, to: &out)
                out.append("\n")
            }
            out.append("</li>\n")
        case .table:
            if state.tbodyOpen { out.append("</tbody>\n") }
            out.append("</table>\n")
        case .tableHead:
            out.append("</tr>\n</thead>\n")
        case .tableRow:
            out.append("</tr>\n")
        case .tableCell:
            out.append(state.inTableHead ? "</th>\n" : "</td>\n")
        case .emphasis:
            out.append("</em>")
        case .strong:
            out.append("</strong>")
        case .link:
            if let site = linkHoles[index] {
                state.openLink = -1
                out.hole(.linkClose, site)
            } else {
                state.linkDepth -= 1
                out.append("</a>")
            }
        case .image:
            if let site = linkHoles[index] {
                out.hole(.imageClose, site)
                return
            }
            if !node.title.isEmpty {
                out.append("\" title=\"")
                out.escapeHTML(doc.bytes(node.title))
            }
            out.append("\" />")
        default:
            break
        }
    }

    /// Raw HTML, through the tag filter: every tag of a block, the one tag of an inline.
    private func appendRaw(_ html: UnsafeBufferPointer<UInt8>, inline: Bool, out: inout HTMLBuffer) {
        if !tagFilter {
            out.append(bytes: html)
        } else if !inline {
            TagFilter.append(html, to: &out)
        } else if !html.isEmpty && TagFilter.isFiltered(html, at: 0) {
            out.append("&lt;")
            out.append(bytes: UnsafeBufferPointer(rebasing: html[1...]))
        } else {
            out.append(bytes: html)
        }
    }

    private func appendDestination(_ url: UnsafeBufferPointer<UInt8>, out: inout HTMLBuffer) {
        if unsafe || !HTMLRenderer.isDangerous(url) { out.escapeHref(url) }
    }

    private func isTight(_ paragraph: MarkdownNode, doc: Walk) -> Bool {
        let parent = paragraph.parent
        guard parent >= 0 else { return false }
        let grandparent = doc.nodes[Int(parent)].parent
        guard grandparent >= 0, doc.nodes[Int(grandparent)].kind == .list else { return false }
        return doc.nodes[Int(grandparent)].tight
    }

    /// cmark's `scan_dangerous_url`: `javascript:`, `vbscript:`, `file:` and `data:` other than
    /// PNG, GIF, JPEG and WebP images.
    public static func isDangerous<C: Collection<UInt8>>(_ url: C) -> Bool {
        var lower = url.prefix(20).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        lower.append(0)
        func has(_ prefix: String) -> Bool { lower.starts(with: prefix.utf8) }
        if has("javascript:") || has("vbscript:") || has("file:") { return true }
        if has("data:") {
            return !(has("data:image/png") || has("data:image/gif") || has("data:image/jpeg")
                     || has("data:image/webp"))
        }
        return false
    }

    public static func isDangerous(_ url: String) -> Bool { isDangerous(url.utf8) }
}

@inline(__always) private func isSpace(_ b: UInt8) -> Bool {
    b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C
}

/// Renders a `MarkdownDocument` to HTML exactly as `cmark_render_html` would (tested against it),
/// plus GFM tables and the hooks a decision page needs: link rewriting, heading anchors, ids and
/// trailing content on list items, and linked `ADR-12` mentions.
///
/// Raw HTML is replaced by `<!-- raw HTML omitted -->` and `javascript:`, `vbscript:`, `file:` and
/// non-image `data:` destinations are dropped, as cmark does, unless `unsafe` is set.
public struct HTMLRenderer {
    public var unsafe = false
    /// Rewrites a link or image destination; the result is escaped like any destination. Nil
    /// means there is nothing to link to: the link's text (the image's alt text) is written
    /// without the link, inside `<span class="unresolved-link">` (`missing-image`).
    public var rewriteURL: ((_ url: String, _ node: Int32) -> String?)?
    /// `id` attributes for heading nodes.
    public var headingIDs: [Int32: String] = [:]
    /// `id` attributes for list items.
    public var itemIDs: [Int32: String] = [:]
    /// Trusted HTML appended at the end of a list item's content.
    public var itemSuffixes: [Int32: String] = [:]
    /// Finds mentions in a text node: the ranges to link and their (trusted, relative) URLs.
    public var linkMentions: ((_ text: String) -> [(range: Range<String.Index>, url: String)])?
    /// Trusted HTML appended inside a heading, after its text (e.g. a self-link).
    public var headingSuffixes: [Int32: String] = [:]
    /// Nodes left out with what they contain, as if unlinked from the document (the page header
    /// shows the title and metadata lines), without copying the document to unlink them.
    public var skipped: Set<Int32> = []

    public init(unsafe: Bool = false) { self.unsafe = unsafe }

    public func render(_ doc: MarkdownDocument) -> String {
        var out = HTMLBuffer()
        render(doc, into: &out)
        return out.string
    }

    public func render(_ doc: MarkdownDocument, into out: inout HTMLBuffer) {
        let nodes = doc.nodes
        guard !nodes.isEmpty else { return }
        var current = nodes[0].firstChild
        var entering = true
        var state = State()
        while current > 0 {
            let index = current
            let node = nodes[Int(index)]
            if entering && !skipped.isEmpty && skipped.contains(index) {
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
                    case .text, .code, .htmlInline: out.escapeHTML(node.literal)
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
        /// Links and images with nothing to point at, written as text.
        var unlinked: Set<Int32> = []
    }

    private func enter(_ node: MarkdownNode, index: Int32, doc: MarkdownDocument, out: inout HTMLBuffer,
                       state: inout State) {
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
            let info = node.url
            if info.isEmpty {
                out.append("<pre><code>")
            } else {
                out.append("<pre><code class=\"language-")
                let firstWord = info.utf8.prefix { !isSpace($0) }
                out.escapeHTML(Substring(info[..<firstWord.endIndex]))
                out.append("\">")
            }
            out.escapeHTML(node.literal)
            out.append("</code></pre>\n")
        case .htmlBlock:
            out.cr()
            if unsafe { out.append(node.literal) } else { out.append("<!-- raw HTML omitted -->") }
            out.cr()
        case .thematicBreak:
            out.cr()
            out.append("<hr />\n")
        case .paragraph:
            if !isTight(index, doc: doc) {
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
            if state.linkDepth == 0, let linkMentions {
                let text = node.literal
                let mentions = linkMentions(text)
                if mentions.isEmpty {
                    out.escapeHTML(text)
                } else {
                    var at = text.startIndex
                    for (range, url) in mentions {
                        out.escapeHTML(text[at..<range.lowerBound])
                        out.append("<a class=\"mention\" href=\"")
                        out.escapeHref(url)
                        out.append("\">")
                        out.escapeHTML(text[range])
                        out.append("</a>")
                        at = range.upperBound
                    }
                    out.escapeHTML(text[at...])
                }
            } else {
                out.escapeHTML(node.literal)
            }
        case .softBreak:
            out.append("\n")
        case .lineBreak:
            out.append("<br />\n")
        case .code:
            out.append("<code>")
            out.escapeHTML(node.literal)
            out.append("</code>")
        case .htmlInline:
            if unsafe { out.append(node.literal) } else { out.append("<!-- raw HTML omitted -->") }
        case .emphasis:
            out.append("<em>")
        case .strong:
            out.append("<strong>")
        case .link:
            guard let url = destination(node.url, index: index) else {
                state.unlinked.insert(index)
                out.append("<span class=\"unresolved-link\">")
                return
            }
            state.linkDepth += 1
            out.append("<a href=\"")
            appendDestination(url, out: &out)
            if !node.title.isEmpty {
                out.append("\" title=\"")
                out.escapeHTML(node.title)
            }
            out.append("\">")
        case .image:
            guard let url = destination(node.url, index: index) else {
                state.unlinked.insert(index)
                out.append("<span class=\"missing-image\">")
                return
            }
            out.append("<img src=\"")
            appendDestination(url, out: &out)
            out.append("\" alt=\"")
            state.plainDepth = 1
        }
    }

    private func exit(_ node: MarkdownNode, index: Int32, doc: MarkdownDocument, out: inout HTMLBuffer,
                      state: inout State) {
        switch node.kind {
        case .blockQuote:
            out.cr()
            out.append("</blockquote>\n")
        case .list:
            out.append(node.isOrderedList ? "</ol>\n" : "</ul>\n")
        case .item:
            if let suffix = itemSuffixes[index] { out.append(suffix) }
            out.append("</li>\n")
        case .heading:
            if let suffix = headingSuffixes[index] { out.append(suffix) }
            out.append("</h")
            out.append(String(node.level))
            out.append(">\n")
        case .paragraph:
            if !isTight(index, doc: doc) { out.append("</p>\n") }
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
            if state.unlinked.contains(index) { out.append("</span>"); return }
            state.linkDepth -= 1
            out.append("</a>")
        case .image:
            if state.unlinked.contains(index) { out.append("</span>"); return }
            if !node.title.isEmpty {
                out.append("\" title=\"")
                out.escapeHTML(node.title)
            }
            out.append("\" />")
        default:
            break
        }
    }

    /// The destination to write, or nil when `rewriteURL` says there is none.
    private func destination(_ url: String, index: Int32) -> String? {
        guard let rewriteURL else { return url }
        return rewriteURL(url, index)
    }

    private func appendDestination(_ url: String, out: inout HTMLBuffer) {
        if unsafe || !HTMLRenderer.isDangerous(url) { out.escapeHref(url) }
    }

    private func isTight(_ paragraph: Int32, doc: MarkdownDocument) -> Bool {
        let parent = doc[paragraph].parent
        guard parent >= 0 else { return false }
        let grandparent = doc[parent].parent
        guard grandparent >= 0, doc[grandparent].kind == .list else { return false }
        return doc[grandparent].tight
    }

    /// cmark's `scan_dangerous_url`: `javascript:`, `vbscript:`, `file:` and `data:` other than
    /// PNG, GIF, JPEG and WebP images.
    public static func isDangerous(_ url: String) -> Bool {
        var lower = url.utf8.prefix(20).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        lower.append(0)
        func has(_ prefix: String) -> Bool { lower.starts(with: prefix.utf8) }
        if has("javascript:") || has("vbscript:") || has("file:") { return true }
        if has("data:") {
            return !(has("data:image/png") || has("data:image/gif") || has("data:image/jpeg")
                     || has("data:image/webp"))
        }
        return false
    }
}

@inline(__always) private func isSpace(_ b: UInt8) -> Bool {
    b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C
}

/// A growing UTF-8 buffer with the escapes HTML output needs.
public struct HTMLBuffer {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    @inline(__always) public mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    public mutating func append(bytes other: [UInt8]) { bytes.append(contentsOf: other) }

    /// A newline unless the output is empty or already ends with one (cmark's `cr`).
    public mutating func cr() {
        if let last = bytes.last, last != 0x0A { bytes.append(0x0A) }
    }

    /// Escapes `&`, `<`, `>` and `"`, as cmark does for text.
    public mutating func escapeHTML<S: StringProtocol>(_ s: S) {
        let done = s.utf8.withContiguousStorageIfAvailable { escapeHTML(bytes: $0) }
        if done == nil {
            var copy = String(s)
            copy.withUTF8 { escapeHTML(bytes: $0) }
        }
    }

    /// Appends runs of plain bytes at once; only `&`, `<`, `>` and `"` are replaced.
    private mutating func escapeHTML(bytes source: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var i = 0
        let n = source.count
        while i < n {
            let b = source[i]
            if b == UInt8(ascii: "&") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: "\"") {
                if i > runStart { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<i])) }
                switch b {
                case UInt8(ascii: "&"): bytes.append(contentsOf: HTMLBuffer.amp)
                case UInt8(ascii: "<"): bytes.append(contentsOf: HTMLBuffer.lt)
                case UInt8(ascii: ">"): bytes.append(contentsOf: HTMLBuffer.gt)
                default: bytes.append(contentsOf: HTMLBuffer.quot)
                }
                runStart = i + 1
            }
            i += 1
        }
        if n > runStart { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<n])) }
    }

    private static let amp: [UInt8] = Array("&amp;".utf8)
    private static let lt: [UInt8] = Array("&lt;".utf8)
    private static let gt: [UInt8] = Array("&gt;".utf8)
    private static let quot: [UInt8] = Array("&quot;".utf8)

    /// Escapes a URL for an `href`/`src` attribute as cmark's `houdini_escape_href` does.
    public mutating func escapeHref<S: StringProtocol>(_ s: S) {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        for b in s.utf8 {
            if hrefSafe[Int(b)] {
                bytes.append(b)
            } else if b == UInt8(ascii: "&") {
                bytes.append(contentsOf: Array("&amp;".utf8))
            } else if b == UInt8(ascii: "'") {
                bytes.append(contentsOf: Array("&#x27;".utf8))
            } else {
                bytes.append(UInt8(ascii: "%"))
                bytes.append(hex[Int(b >> 4)])
                bytes.append(hex[Int(b & 0xF)])
            }
        }
    }
}

/// Characters `houdini_escape_href` leaves as they are: `-_.+!*(),%#@?=;:/$~` and alphanumerics.
private let hrefSafe: [Bool] = {
    var table = [Bool](repeating: false, count: 256)
    for b in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(b)] = true }
    for b in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(b)] = true }
    for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(b)] = true }
    for c in "-_.+!*(),%#@?=;:/$~" { table[Int(c.asciiValue!)] = true }
    return table
}()

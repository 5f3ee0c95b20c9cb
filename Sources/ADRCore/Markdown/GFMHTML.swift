/// The HTML of the GFM extensions that is more than a tag: footnote references and back
/// references as cmark-gfm (Debian's 0.29.0.gfm.6) writes them, and the tag filter.
extension Footnotes {
    /// `<sup class="footnote-ref"><a href="#fn-label" id="fnref-label" data-footnote-ref>1</a></sup>`;
    /// a second reference to the same footnote gets `id="fnref-label-2"`.
    static func appendReference(_ node: MarkdownNode, doc: HTMLRenderer.Walk, to out: inout HTMLBuffer) {
        let label = doc.bytes(node.literal)
        out.append("<sup class=\"footnote-ref\"><a href=\"#fn-")
        out.escapeHref(label)
        out.append("\" id=\"fnref-")
        out.escapeHref(label)
        if node.count > 1 {
            out.append("-")
            out.append(String(node.count))
        }
        out.append("\" data-footnote-ref>")
        out.append(String(node.start))
        out.append("</a></sup>")
    }

    /// One `↩` link back to each reference of a footnote, the second and later numbered.
    static func appendBackReferences(_ definition: MarkdownNode, doc: HTMLRenderer.Walk, to out: inout HTMLBuffer) {
        let label = doc.bytes(definition.literal)
        for k in 1...max(Int(definition.count), 1) {
            if k > 1 { out.append(" ") }
            out.append("<a href=\"#fnref-")
            out.escapeHref(label)
            if k > 1 {
                out.append("-")
                out.append(String(k))
            }
            out.append("\" class=\"footnote-backref\" data-footnote-backref aria-label=\"Back to content\">↩")
            if k > 1 {
                out.append("<sup class=\"footnote-ref\">")
                out.append(String(k))
                out.append("</sup>")
            }
            out.append("</a>")
        }
    }
}

/// GFM's tag filter (cmark-gfm's `tagfilter` extension), for raw HTML kept with
/// `--unsafe-html`: the `<` of `title`, `textarea`, `style`, `xmp`, `iframe`, `noembed`,
/// `noframes`, `script` and `plaintext` tags, opening or closing, is written `&lt;`, so that
/// the browser shows them as text.
enum TagFilter {
    private static let names: [[UInt8]] = ["title", "textarea", "style", "xmp", "iframe", "noembed", "noframes",
                                           "script", "plaintext"].map { Array($0.utf8) }

    static func append(_ html: UnsafeBufferPointer<UInt8>, to out: inout HTMLBuffer) {
        var from = 0
        for i in 0..<html.count where html[i] == UInt8(ascii: "<") && isFiltered(html, at: i) {
            if i > from { out.append(bytes: UnsafeBufferPointer(rebasing: html[from..<i])) }
            out.append("&lt;")
            from = i + 1
        }
        if html.count > from { out.append(bytes: UnsafeBufferPointer(rebasing: html[from...])) }
    }

    /// cmark-gfm's `is_tag` for each filtered name: `<name` or `</name`, any case, followed by
    /// whitespace, `>` or `/>`.
    static func isFiltered(_ html: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        var i = start + 1
        guard html.count - start >= 3 else { return false }
        if html[i] == UInt8(ascii: "/") { i += 1 }
        for name in names {
            var j = i, k = 0
            while j < html.count && k < name.count && (html[j] | (html[j] >= 65 && html[j] <= 90 ? 0x20 : 0)) == name[k] {
                j += 1
                k += 1
            }
            guard k == name.count, j < html.count else { continue }
            if isCmarkSpace(html[j]) || html[j] == UInt8(ascii: ">") { return true }
            if html[j] == UInt8(ascii: "/") && j + 1 < html.count && html[j + 1] == UInt8(ascii: ">") { return true }
        }
        return false
    }
}

import ADRCore

/// The text the search box searches in each decision: everything a reader sees in the body
/// (text, code, link text, image descriptions), on one line. The one place that reads it from
/// the parse stage's output.
func searchableText(of d: Decision) -> String {
    let doc = d.parsed.document
    guard !doc.nodes.isEmpty else { return "" }
    var out = ""
    for n in doc.children(of: MarkdownDocument.root) where n != d.parsed.titleNode {
        if !out.isEmpty { out += " " }
        doc.appendPlainText(of: n, to: &out)
    }
    return out
}
